import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from mailadmin.commands import directory_command
from mailadmin.directory import accounts, aliases, domains
from mailadmin.directory.accounts import NewAccount

PEOPLE = [
    ("alice", "Alice", "Martin"), ("bob", "Bob", "Bernard"), ("chloe", "Chloé", "Dubois"), ("david", "David", "Thomas"),
    ("emma", "Emma", "Robert"), ("felix", "Félix", "Richard"), ("gabriel", "Gabriel", "Petit"),
    ("hugo", "Hugo", "Durand"), ("ines", "Inès", "Leroy"), ("jules", "Jules", "Moreau"), ("lea", "Léa", "Simon"),
    ("louis", "Louis", "Laurent"), ("manon", "Manon", "Lefebvre"), ("nathan", "Nathan", "Michel"),
    ("olivia", "Olivia", "Garcia"), ("paul", "Paul", "David"), ("rose", "Rose", "Bertrand"), ("sacha", "Sacha", "Roux"),
]


class Command(BaseCommand):
    help = ("Fill an empty throwaway directory with demo data: two domains, 20 accounts with aliases, forwards and "
            "quotas, a disabled account and a virtual alias. For `make run` only.")

    def handle(self, *args, **options):
        password = secrets.token_urlsafe(9)
        with directory_command() as d:
            domains.create_domain(d, "example.org", "Demo company", 512000)
            domains.create_domain(d, "xn--bcher-kva.example", "Demo bookshop (IDN)", None)
            for i, (uid, first, last) in enumerate(PEOPLE):
                domain = "example.org" if i < 14 else "xn--bcher-kva.example"
                new = NewAccount(
                    address=f"{uid}@{domain}", uid=f"{uid}@{domain}", first_name=first, last_name=last,
                    aliases=(f"{first[0].lower()}.{last.lower()}@{domain}".encode("ascii", "ignore").decode(),)
                    if i % 3 == 0 else (),
                    forwards=("bob.private@gmail.example",) if uid == "bob" else (),
                    keep_copy=uid == "bob", quota_kb=1048576 if uid == "chloe" else None, enabled=uid != "hugo",
                )
                accounts.create_account(d, new, password)
            for role in ("postmaster", "abuse"):
                accounts.create_account(d, NewAccount(f"{role}@example.org", f"{role}@example.org", last_name=role), password)
            alice = accounts.get_account(d, "alice@example.org")
            david = accounts.get_account(d, "david@example.org")
            aliases.create_valias(d, "team@example.org", members=(alice.dn, david.dn), external=("partner@elsewhere.example",))
        path = Path(settings.BASE_DIR) / "var" / "demo-password.txt"
        path.write_text(password + "\n")
        path.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Demo data created; every demo mailbox's password is in {path}."))
