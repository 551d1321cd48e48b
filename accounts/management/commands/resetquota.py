from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.forms import QuotaForm
from mailadmin.addresses import display_address, display_domain, format_quota
from mailadmin.commands import Progress, actor, directory_command, find_account, find_domain, run_form
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory.bulk import iter_accounts


class Command(BaseCommand):
    help = ("Put an account's quota back to its domain's default, or with --domain every account of the domain "
            "(one paged search, one modify per account that differs).")

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
        name = find_domain(directory, name)
        default = ldap_accounts.default_quota(directory, name)
        # Collected first: a modify between two pages would replace the paged search's cookie on this connection.
        accounts, unchanged = [], 0
        for account, _hash in iter_accounts(directory, name):
            if account.quota_kb == default:
                unchanged += 1
            else:
                accounts.append(account)
        failed = 0 if dry_run else self._apply(directory, accounts, default)
        values = {"changed": len(accounts) - failed, "unchanged": unchanged, "domain": display_domain(name),
                  "quota": format_quota(default)}
        text = _("Would reset %(changed)d accounts of %(domain)s to %(quota)s; %(unchanged)d have it already.") \
            if dry_run else _("Reset %(changed)d accounts of %(domain)s to %(quota)s; %(unchanged)d had it already.")
        self.stdout.write(text % values)
        if failed:
            raise CommandError(_("%(failed)d accounts could not be changed (listed above).") % {"failed": failed})

    def _apply(self, directory, accounts, default: int) -> int:
        """Change each account through the quota form; print each refusal; return how many were refused."""
        progress, failed = Progress(self.stdout, len(accounts), _("Resetting quotas")), 0
        for account in accounts:
            form = QuotaForm({"quota": str(default), "csn": account.csn}, account=account)
            try:
                run_form(form, lambda form=form: form.save(directory, actor=actor()))
            except CommandError as e:
                failed += 1
                self.stderr.write(f"{display_address(account.mail)}: {e}")
            progress.step()
        progress.close()
        return failed
