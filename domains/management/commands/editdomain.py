from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from domains.forms import DomainForm
from mailadmin.addresses import format_quota
from mailadmin.commands import actor, directory_command, find_mail_domain, run_form


class Command(BaseCommand):
    help = ("Change a domain's description or default quota (for new accounts; `resetquota --domain` applies it to "
            "existing ones), as the console's edit form does. Example: editdomain example.org --quota 1G")

    def add_arguments(self, parser):
        parser.add_argument("name", help="the domain")
        parser.add_argument("--description", help="the new description (\"\" clears it)")
        parser.add_argument("--quota", help="the new default quota, e.g. 500M, 1.5G, unlimited (\"\" clears it)")
        parser.add_argument("--dry-run", action="store_true", help="check the input, change nothing")

    def handle(self, *args, name, description, quota, dry_run, **options):
        with directory_command() as directory:
            domain = find_mail_domain(directory, name)
            data = {"description": domain.description if description is None else description,
                    "default_quota": format_quota(domain.default_quota_kb) if quota is None else quota,
                    "version": domain.csn}
            form = DomainForm(data, domain=domain)
            if dry_run:
                run_form(form, lambda: True, {"default_quota": "quota"})
            else:
                run_form(form, lambda: form.save(directory, actor=actor()), {"default_quota": "quota"})
        values = {"name": domain.display_name, "description": form.cleaned_data["description"] or "-",
                  "quota": format_quota(form.cleaned_data["default_quota"]) or "-"}
        text = _("Would set %(name)s: description %(description)s, default quota %(quota)s.") if dry_run else _(
            "Saved %(name)s: description %(description)s, default quota %(quota)s.")
        self.stdout.write(self.style.SUCCESS(text % values))
