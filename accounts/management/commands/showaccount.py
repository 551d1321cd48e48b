from django.core.management.base import BaseCommand

from mailadmin.addresses import display_address, format_quota
from mailadmin.commands import account_json, directory_command, find_account, route_json, write_json, write_route
from mailadmin.directory import aliases as ldap_aliases
from mailadmin.directory.routing import trace


class Command(BaseCommand):
    help = ("Show everything the account page shows: names, aliases, forwards, quota, status, mailbox, the virtual "
            "aliases it is a member of, and where its mail goes (the route explanation).")

    def add_arguments(self, parser):
        parser.add_argument("address", help="the account's own address")
        parser.add_argument("--json", action="store_true", help="print one JSON object for scripts")

    def handle(self, *args, address, json, **options):
        with directory_command() as directory:
            account = find_account(directory, address)
            lists = [v.address for v in ldap_aliases.valiases_with_member(directory, account.dn)]
            route = trace(directory, account.mail)
        if json:
            write_json(self.stdout, {**account_json(account), "virtual_aliases": lists, "route": route_json(route)})
            return
        rows = [("Address", display_address(account.mail)), ("Login (uid)", account.uid), ("Name", account.name),
                ("Status", "enabled" if account.enabled else "disabled"),
                ("Quota", format_quota(account.quota_kb) or "-"),
                ("Aliases", ", ".join(map(display_address, account.aliases)) or "-"),
                ("Forwards", ", ".join(account.forward_targets) or "-"),
                ("Keeps a copy", "yes" if account.keeps_copy else "no"), ("Mailbox", account.mailbox or "-"),
                ("Mail host", account.mailhost or "-"), ("Virtual aliases", ", ".join(lists) or "-"),
                ("Entry", account.dn)]
        for label, value in rows:
            self.stdout.write(f"{label + ':':<17}{value}")
        self.stdout.write("")
        write_route(self.stdout, route)
