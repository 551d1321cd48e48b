from django.core.management.base import BaseCommand, CommandError

from mailadmin.addresses import normalise_domain
from mailadmin.commands import actor
from mailadmin.self_service import set_self_service, switched_off


class Command(BaseCommand):
    help = ("Turn self-service (mail users signing in to \"My account\") on or off everywhere, or for one domain "
            "with --domain; `show` lists what is off. Domain admins switch their own domains on the domain page.")

    def add_arguments(self, parser):
        parser.add_argument("state", choices=("on", "off", "show"))
        parser.add_argument("--domain", help="one domain instead of every domain")

    def handle(self, *args, state, domain, **options):
        if state == "show":
            off = switched_off()
            for policy in off:
                self.stdout.write(f"off: {policy.domain or 'every domain'}")
            if not off:
                self.stdout.write("Self-service is on everywhere.")
            return
        try:
            name = normalise_domain(domain) if domain else ""
        except ValueError as e:
            raise CommandError(f"--domain: {e}") from None
        set_self_service(name, state == "on", actor=actor())
        self.stdout.write(self.style.SUCCESS(f"Self-service is {state} for {name or 'every domain'}."))
