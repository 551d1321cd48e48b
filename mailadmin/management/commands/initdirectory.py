from django.core.management.base import BaseCommand, CommandError

from mailadmin.commands import directory_command
from mailadmin.directory.subschema import ensure_base_entries, missing_schema


class Command(BaseCommand):
    help = ("Create ou=Users, ou=mailDomains and ou=mailAliases when missing, and check that the server's schema "
            "has the mail classes and attributes.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="check only; create nothing")

    def handle(self, *args, dry_run, **options):
        with directory_command(check=False) as directory:
            missing = missing_schema(directory, optional=False)
            if missing:
                raise CommandError("The directory's schema lacks: " + ", ".join(missing)
                                   + ". Load mailadmin/directory/slapd/mail.schema (see README).")
            optional = missing_schema(directory)
            created = [] if dry_run else ensure_base_entries(directory)
        for name in optional:
            self.stdout.write(self.style.WARNING(f"Optional schema name missing: {name} (feature disabled)."))
        for dn in created:
            self.stdout.write(f"Created {dn}.")
        self.stdout.write(self.style.SUCCESS("Directory ready." if created or not dry_run else "Schema complete."))
