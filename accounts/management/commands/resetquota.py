from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.forms import QuotaForm
from mailadmin.addresses import display_address, display_domain, format_quota
from mailadmin.commands import Progress, actor, directory_command, find_account, find_mail_domain, run_form
from mailadmin.quotareset import DomainQuotaResetForm


class Command(BaseCommand):
    help = ("Put an account's quota back to its domain's default, or with --domain every account of the domain "
            "(one paged search, one modify per account that differs, one audit row for the domain, as on the "
            "domain page).")

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("address", nargs="?", help="the account's own address")
        target.add_argument("--domain", help="every account of this domain")
        parser.add_argument("--dry-run", action="store_true", help="count what would change; change nothing")

    def handle(self, *args, address, domain, dry_run, **options):
        with directory_command() as directory:
            if domain:
                self._reset_domain(directory, domain, dry_run)
                return
            account = find_account(directory, address)
            form = QuotaForm({"reset": "on", "csn": account.csn}, account=account)
            if dry_run:
                quota = run_form(form, lambda: form.quota_to_set(directory))
            else:
                quota = run_form(form, lambda: form.save(directory, actor=actor())).quota_kb
        text = _("Would reset the quota of %(address)s to %(quota)s.") if dry_run else _(
            "Quota of %(address)s is now %(quota)s (the domain default).")
        self.stdout.write(text % {"address": display_address(account.mail), "quota": format_quota(quota)})

    def _reset_domain(self, directory, name: str, dry_run: bool) -> None:
        """Through the domain page's form: the same plan, the same writes, the same one audit row."""
        form = DomainQuotaResetForm({}, domain=find_mail_domain(directory, name))
        if dry_run:
            reset = run_form(form, lambda: form.plan(directory))
        else:
            progress = Progress(self.stdout, None, _("Resetting quotas"))  # a count: the plan is made inside save
            reset = run_form(form, lambda: form.save(directory, actor=actor(), step=progress.step))
            progress.close()
        values = {"changed": reset.changed, "unchanged": reset.unchanged, "domain": display_domain(form.domain.name),
                  "quota": format_quota(reset.default)}
        text = _("Would reset %(changed)d accounts of %(domain)s to %(quota)s; %(unchanged)d have it already.") \
            if dry_run else _("Reset %(changed)d accounts of %(domain)s to %(quota)s; %(unchanged)d had it already.")
        self.stdout.write(text % values)
        if reset.failed:
            self.stderr.write(_("These accounts were changed meanwhile or refused, and keep their quota: "
                                "%(addresses)s.") % {"addresses": ", ".join(map(display_address, reset.failed))})
            raise CommandError(_("%(failed)d accounts could not be changed (listed above).") % {
                "failed": len(reset.failed)})
