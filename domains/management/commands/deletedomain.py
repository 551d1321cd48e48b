from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from domains.forms import RemoveDomainForm
from mailadmin.commands import actor, directory_command, find_mail_domain, run_form
from mailadmin.directory import domains as ldap_domains


class Command(BaseCommand):
    help = ("Remove a mail domain. Refused while any account, account alias or virtual alias still uses it; "
            "the addresses in the way are listed.")

    def add_arguments(self, parser):
        parser.add_argument("name", help="domain name (Unicode or A-label)")
        parser.add_argument("--dry-run", action="store_true", help="say whether it could be removed; change nothing")

    def handle(self, *args, name, dry_run, **options):
        with directory_command() as directory:
            domain = find_mail_domain(directory, name)
            if dry_run:
                users = ldap_domains.domain_users(directory, domain.name)
            else:
                form = RemoveDomainForm(data={}, domain=domain)
                try:  # the form audits the removal, refusals included
                    run_form(form, lambda: form.remove(directory, actor=actor()))
                except CommandError as e:
                    raise CommandError(f"{e} " + ", ".join(form.users)) from None
                users = ()
        if users:
            raise CommandError(_("%(name)s is still used by: %(users)s") % {"name": domain.display_name,
                                                                             "users": ", ".join(users)})
        done = _("Would remove %(name)s.") if dry_run else _("Removed domain %(name)s.")
        self.stdout.write(self.style.SUCCESS(done % {"name": domain.display_name}))
