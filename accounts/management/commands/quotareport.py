from django.core.management.base import BaseCommand, CommandError

from mailadmin import dovecot
from mailadmin.addresses import display_address, format_quota, normalise_domain
from mailadmin.commands import write_json


class Command(BaseCommand):
    help = ("List mailboxes by how full they are, fullest first, as Dovecot counts them (doveadm HTTP API: "
            "DOVEADM_URL, DOVEADM_API_KEY_FILE). Changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--domain", help="only the mailboxes of this domain")
        parser.add_argument("--over", type=int, metavar="PERCENT", help="only mailboxes using more than PERCENT %% "
                                                                         "of their quota")
        parser.add_argument("--json", action="store_true", help="print a JSON list for scripts")

    def handle(self, *args, domain, over, json, **options):
        try:
            mask = f"*@{normalise_domain(domain)}" if domain else "*"
        except ValueError as e:
            raise CommandError(f"--domain: {e}") from None
        if not dovecot.configured():
            raise CommandError("Set DOVEADM_URL and DOVEADM_API_KEY_FILE: usage comes from Dovecot.")
        try:
            rows = dovecot.fullest(mask, over)
        except dovecot.DovecotUnavailable as e:
            raise CommandError(f"Usage unknown: Dovecot did not answer ({e}).") from None
        if json:
            write_json(self.stdout, [{"address": address, "used_kb": u.used_kb, "limit_kb": u.limit_kb,
                                      "percent": u.percent} for address, u in rows])
            return
        if not rows:
            self.stdout.write("No mailbox to report.")
            return
        width = max(len(display_address(address)) for address, _ in rows)
        self.stdout.write(f"{'address':<{width}}  {'used':>9}  {'quota':>9}  {'%':>4}")
        for address, u in rows:
            limit = format_quota(u.limit_kb) if u.limit_kb else "-"
            percent = "-" if u.percent is None else str(u.percent)
            self.stdout.write(f"{display_address(address):<{width}}  {u.used_kb:>8}K  {limit:>9}  {percent:>4}")
