"""What `alias` and `forward` share: one address added to or removed from an account through AccountAddressForm."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from mailadmin.addresses import display_address
from mailadmin.commands import actor, directory_command, find_account, run_form

from .forms import AccountAddressForm


class AddressCommand(BaseCommand):
    kind = ""  # "aliases" or "forwards", as AccountAddressForm's kind

    @property
    def option(self) -> dict[str, str]:
        """The argument a form error names: the ALIAS or TARGET given."""
        return {"address": "alias" if self.kind == "aliases" else "target"}

    def add_arguments(self, parser):
        parser.add_argument("action", choices=("add", "remove"))
        parser.add_argument("address", help="the account's own address")
        parser.add_argument("value", metavar="ALIAS" if self.kind == "aliases" else "TARGET")
        if self.kind == "forwards":
            parser.add_argument("--keep-copy", action="store_true", help="keep a copy in the mailbox too")
        parser.add_argument("--dry-run", action="store_true", help="check everything and say what would change")

    def handle(self, *args, action, address, value, dry_run, **options):
        adding = action == "add"
        with directory_command() as directory:
            account = find_account(directory, address)
            data = {"address": value, "csn": account.csn}
            if options.get("keep_copy") or (not adding and account.keeps_copy):
                data["keep_copy"] = "on"
            form = AccountAddressForm(data, account=account, kind=self.kind, removing=not adding)
            if dry_run:
                run_form(form, lambda: (form.check(directory) if adding else True) or None, self.option)
            else:
                run_form(form, lambda: (form.add if adding else form.remove)(directory, actor=actor()),
                         self.option)
        values = {"value": display_address(form.cleaned_data["address"]), "address": display_address(account.mail)}
        self.stdout.write(self.style.SUCCESS(_MESSAGES[self.kind, adding, dry_run] % values))


_MESSAGES = {
    ("aliases", True, False): _("Added the alias %(value)s to %(address)s."),
    ("aliases", False, False): _("Removed the alias %(value)s from %(address)s."),
    ("forwards", True, False): _("%(address)s now forwards to %(value)s."),
    ("forwards", False, False): _("%(address)s no longer forwards to %(value)s."),
    ("aliases", True, True): _("Would add the alias %(value)s to %(address)s."),
    ("aliases", False, True): _("Would remove the alias %(value)s from %(address)s."),
    ("forwards", True, True): _("Would make %(address)s forward to %(value)s."),
    ("forwards", False, True): _("Would stop %(address)s forwarding to %(value)s."),
}
