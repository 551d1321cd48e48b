"""The shared body of the enable and disable commands."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.forms import StatusForm
from mailadmin.addresses import display_address
from mailadmin.commands import actor, directory_command, find_account, run_form


class StatusCommand(BaseCommand):
    """enable and disable: mailenable OK or NONE, through the console's status form."""

    enable = True

    def add_arguments(self, parser):
        parser.add_argument("address", help="the account's own address")
        parser.add_argument("--dry-run", action="store_true", help="say what would change; change nothing")

    def handle(self, *args, address, dry_run, **options):
        with directory_command() as directory:
            account = find_account(directory, address)
            values = {"address": display_address(account.mail)}
            if account.enabled == self.enable:
                text = _("%(address)s is enabled already.") if self.enable else _("%(address)s is disabled already.")
                self.stdout.write(text % values)
                return
            if not dry_run:
                form = StatusForm({"csn": account.csn}, account=account, enable=self.enable)
                run_form(form, lambda: form.save(directory, actor=actor()))
        if dry_run:
            text = _("Would enable %(address)s.") if self.enable else _("Would disable %(address)s.")
        else:
            text = _("Enabled %(address)s.") if self.enable else _(
                "Disabled %(address)s: its mail bounces and it cannot sign in.")
        self.stdout.write(self.style.SUCCESS(text % values))
