from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts import importing
from accounts.importing import CREATE, ERROR, SKIPPED, UNCHANGED
from mailadmin import events
from mailadmin.audit import record, record_many
from mailadmin.commands import Progress, actor, directory_command
from mailadmin.directory.claims import claim_lock


class Command(BaseCommand):
    help = ("Create mail accounts from a CSV file (header row; see docs/commands.md for the columns) or an LDIF file "
            "(as `export` writes). Every row goes through the console's checks; rows whose account exists with the "
            "same values are left alone, so a second run changes nothing. Without --continue-on-error, one bad row "
            "stops the import before anything is written.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV or LDIF file")
        parser.add_argument("--format", choices=("csv", "ldif"), default=None, help="default: from the file name")
        parser.add_argument("--dry-run", action="store_true", help="check every row; write nothing")
        parser.add_argument("--continue-on-error", action="store_true", help="write the good rows, report the bad")

    def handle(self, *args, file, format, dry_run, continue_on_error, **options):
        path = Path(file)
        fmt = format or ("ldif" if path.suffix.lower() == ".ldif" else "csv")
        try:
            rows = list(importing.read_rows(path, fmt))
        except (OSError, UnicodeDecodeError, importing.ImportFileError) as e:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": e}) from None
        interrupted = None
        with directory_command() as directory, claim_lock(directory):  # nobody claims an address between check and add
            outcomes = importing.plan(directory, rows)
            failed = any(o.status == ERROR for o in outcomes)
            if not dry_run and (continue_on_error or not failed):
                progress = Progress(self.stdout, sum(o.status == CREATE for o in outcomes), _("Importing"))
                try:
                    outcomes = importing.write(directory, outcomes, continue_on_error=continue_on_error, progress=progress,
                                               audit=self._audit_created)
                except importing.ImportInterrupted as e:
                    # Caught inside the lock's transaction, so the audit rows of what was written are kept.
                    # The unanswered adds are named: the log says which accounts may exist without a "created" row.
                    record(actor(), events.ACCOUNT_IMPORT, file, new={"create": e.written, "unanswered": e.unanswered},
                           ok=False, detail=str(e))
                    interrupted = e
                progress.close()
        if interrupted is not None:
            raise CommandError(_("The directory failed after %(count)d accounts were written, with %(flight)d more sent "
                                 "and unanswered (%(error)s). Run the import again to write the rest: it skips what "
                                 "exists.") % {"count": interrupted.written, "flight": len(interrupted.unanswered),
                                               "error": interrupted})
        self._report(file, outcomes, dry_run=dry_run, stopped=failed and not continue_on_error)

    @staticmethod
    def _audit_created(outcomes) -> None:
        record_many(actor(), events.ACCOUNT_CREATE, ((o.address, o.entry.new) for o in outcomes))

    def _report(self, file: str, outcomes, *, dry_run: bool, stopped: bool) -> None:
        counts = {status: sum(o.status == status for o in outcomes) for status in (CREATE, UNCHANGED, ERROR, SKIPPED)}
        for outcome in outcomes:
            if outcome.status == ERROR:
                self.stderr.write(_("line %(line)d: %(message)s") % {"line": outcome.line, "message": outcome.message})
        written = not dry_run and not stopped
        if written:
            record(actor(), events.ACCOUNT_IMPORT, file, new=counts, ok=not counts[ERROR])
        values = {"created": counts[CREATE], "unchanged": counts[UNCHANGED], "errors": counts[ERROR],
                  "skipped": counts[SKIPPED]}
        if counts[ERROR] and not written:
            raise CommandError(_("%(errors)d rows have errors (listed above); nothing was written. Fix them, or "
                                 "use --continue-on-error to write the other rows.") % values)
        if not counts[CREATE] and not counts[ERROR]:
            self.stdout.write(_("Nothing to do: all %(unchanged)d accounts exist with these values.") % values)
            return
        text = _("Would create %(created)d accounts; %(unchanged)d unchanged.") if dry_run else _(
            "Created %(created)d accounts; %(unchanged)d unchanged; %(errors)d errors; %(skipped)d not tried.")
        self.stdout.write(text % values)
        if counts[ERROR]:
            raise CommandError(_("%(errors)d rows were not imported (listed above).") % values)
