from django.core.management.base import BaseCommand

from mailadmin.addresses import display_address, format_quota
from mailadmin.commands import account_json, directory_command, find_domain
from mailadmin.directory.bulk import iter_accounts


class Command(BaseCommand):
    help = ("List mail accounts, of every domain or of --domain, one line each (address, quota, status, name). "
            "It streams: one paged search, printed as the pages come, so memory does not grow with the directory.")

    def add_arguments(self, parser):
        parser.add_argument("--domain", help="only the accounts of this domain")
        parser.add_argument("--disabled", action="store_true", help="only disabled accounts")
        parser.add_argument("--json", action="store_true", help="print a JSON list for scripts (streamed too)")

    def handle(self, *args, domain, disabled, json, **options):
        with directory_command() as directory:
            name = find_domain(directory, domain) if domain else ""
            accounts = (a for a, _hash in iter_accounts(directory, name) if not (disabled and a.enabled))
            if json:
                self._write_json(accounts)
            else:
                for account in accounts:
                    status = "enabled" if account.enabled else "disabled"
                    quota = format_quota(account.quota_kb) or "-"
                    self.stdout.write(f"{display_address(account.mail)}\t{quota}\t{status}\t{account.name}")

    def _write_json(self, accounts) -> None:
        """A JSON list written one account at a time (write_json would need the whole list first)."""
        import json

        self.stdout.write("[", ending="")
        for index, account in enumerate(accounts):
            self.stdout.write(("," if index else "") + "\n  " + json.dumps(account_json(account), ensure_ascii=False,
                                                                          sort_keys=True), ending="")
        self.stdout.write("\n]")
