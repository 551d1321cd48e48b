from django.core.management.base import BaseCommand

from mailadmin.addresses import format_quota
from mailadmin.commands import directory_command, write_json
from mailadmin.directory import domains as ldap_domains


class Command(BaseCommand):
    help = "List the mail domains with their number of accounts and default quota (one counting search per domain)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print a JSON list for scripts")

    def handle(self, *args, json, **options):
        with directory_command() as directory:
            domains = ldap_domains.with_account_counts(directory, ldap_domains.list_domains(directory))
        if json:
            write_json(self.stdout, [
                {"name": d.name, "display_name": d.display_name, "accounts": d.account_count,
                 "default_quota_kb": d.default_quota_kb, "description": d.description}
                for d in domains
            ])
            return
        width = max((len(d.display_name) for d in domains), default=6)
        for d in domains:
            quota = format_quota(d.default_quota_kb) or "-"
            self.stdout.write(f"{d.display_name:<{width}}  {d.account_count:>7}  {quota:>9}  {d.description}")
