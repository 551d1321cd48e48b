from django.core.management.base import BaseCommand

from mailadmin import auditlog
from mailadmin.commands import form_error, write_json
from mailadmin.models import AuditEntry


class Command(BaseCommand):
    help = ("Print the audit log, newest first, with the console's filters: --actor, --domain, --address (matches the "
            "target and the old/new values), --action, --outcome done|refused, --since/--until YYYY-MM-DD.")

    def add_arguments(self, parser):
        for name in ("actor", "domain", "address", "action", "since", "until"):
            parser.add_argument(f"--{name}", default="")
        parser.add_argument("--outcome", choices=(auditlog.DONE, auditlog.REFUSED), default="")
        parser.add_argument("--limit", type=int, default=100, help="at most this many rows (default 100; 0: all)")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, limit, json, **options):
        form = auditlog.AuditFilterForm({name: options[name] for name in auditlog.AuditFilterForm.base_fields})
        if not form.is_valid():
            raise form_error(form)
        rows = form.rows(AuditEntry.objects.all())
        rows = [auditlog.as_dict(entry) for entry in (rows[:limit] if limit > 0 else rows.iterator())]
        if json:
            write_json(self.stdout, rows)
            return
        for row in rows:
            self.stdout.write("  ".join(row[c] for c in auditlog.CSV_COLUMNS if row[c]))
