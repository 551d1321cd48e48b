import os

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.bulk import write_csv, write_ldif
from mailadmin.commands import Progress, directory_command, find_domain
from mailadmin.directory.bulk import iter_accounts


class Command(BaseCommand):
    help = ("Write every mail account (or one domain's) as CSV or LDIF, streamed page by page. The output re-imports "
            "with `import` to the same entries. CSV cells that a spreadsheet would run as formulas start with '.")

    def add_arguments(self, parser):
        parser.add_argument("--domain", default="", help="only this domain's accounts")
        parser.add_argument("--format", choices=("csv", "ldif"), default="csv")
        parser.add_argument("--output", default="", help="write to this file (mode 0600) instead of stdout")
        parser.add_argument("--password-hashes", action="store_true",
                            help="include the {SCHEME} password hashes (treat the file as a secret)")

    def handle(self, *args, domain, format, output, password_hashes, **options):
        writer = write_csv if format == "csv" else write_ldif
        with directory_command() as directory:
            if domain:
                domain = find_domain(directory, domain)
            items = iter_accounts(directory, domain, with_password=password_hashes)
            if not output:
                writer(lambda text: self.stdout.write(text, ending=""), items, with_password=password_hashes)
                return
            progress = Progress(self.stdout, None, _("Exported"))
            with open(output, "w", encoding="utf-8", newline="",
                      opener=lambda path, flags: os.open(path, flags, 0o600)) as f:
                count = writer(f.write, _counted(items, progress), with_password=password_hashes)
            progress.close()
        self.stdout.write(_("Exported %(count)d accounts to %(file)s.") % {"count": count, "file": output})

def _counted(items, progress: Progress):
    for item in items:
        progress.step()
        yield item
