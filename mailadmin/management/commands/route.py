from django.core.management.base import BaseCommand

from mailadmin.commands import command_address, directory_command, route_json, write_json, write_route
from mailadmin.directory.routing import trace

REFUSED_STATUS = 3  # 1 is a failed command (CommandError), 2 a usage error (argparse)


class Command(BaseCommand):
    help = ("Explain where mail for an address goes: the Postfix lookups in their order and the verdict. Exit "
            f"status 0: delivered somewhere; {REFUSED_STATUS}: refused or bounced; 1: the command failed.")

    def add_arguments(self, parser):
        parser.add_argument("address", help="any address, hosted here or not")
        parser.add_argument("--json", action="store_true", help="print one JSON object for scripts")

    def handle(self, *args, address, json, **options):
        with directory_command() as directory:
            route = trace(directory, command_address(address))
        if json:
            write_json(self.stdout, route_json(route))
        else:
            write_route(self.stdout, route)
        if not route.delivered:
            raise SystemExit(REFUSED_STATUS)
