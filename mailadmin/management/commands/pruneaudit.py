from django.core.management.base import BaseCommand

from mailadmin.auditlog import PruneForm
from mailadmin.commands import actor, form_error


class Command(BaseCommand):
    help = "Delete audit rows older than a number of days (--older-than 400d); --dry-run only counts them."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", required=True, metavar="DAYS", help="such as 400d")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, older_than, dry_run, **options):
        form = PruneForm({"older_than": older_than})
        if not form.is_valid():
            raise form_error(form, {"older_than": "older-than"})
        if dry_run:
            self.stdout.write(f"Would delete {form.doomed().count()} audit rows older than {older_than}.")
            return
        self.stdout.write(self.style.SUCCESS(f"Deleted {form.prune(actor=actor())} audit rows older than {older_than}."))
