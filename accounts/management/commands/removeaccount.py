from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.forms import RemoveAccountForm
from mailadmin.addresses import display_address
from mailadmin.commands import actor, directory_command, find_account, run_form
from mailadmin.directory.accounts import Removal


class Command(BaseCommand):
    help = ("Remove an account, as the console does. An entry that is only a mail account is deleted; a person "
            "(posixAccount, shadowAccount, …) keeps its entry and loses only the class mailAccount and the attributes "
            "only it allows (mail included). Either way it leaves every virtual alias. --delete-entry deletes a "
            "person's whole entry. The audit row keeps every value removed.")

    def add_arguments(self, parser):
        parser.add_argument("address", help="the account's own address")
        parser.add_argument("--dry-run", action="store_true", help="say what would go; change nothing")
        parser.add_argument("--delete-entry", action="store_true",
                            help="delete the whole entry even when it is more than a mail account")

    def handle(self, *args, address, dry_run, delete_entry, **options):
        with directory_command() as directory:
            account = find_account(directory, address)
            form = RemoveAccountForm({"csn": account.csn, "delete_entry": delete_entry}, account=account)
            if dry_run:
                removal = run_form(form, lambda: form.plan(directory, delete_entry=delete_entry))
            else:
                removal, _left = run_form(form, lambda: form.remove(directory, actor=actor()))
        self.stdout.write(self.style.SUCCESS(_said(removal, dry_run)))


def _said(removal: Removal, dry_run: bool) -> str:
    values = {"address": display_address(removal.account.mail), "dn": removal.account.dn,
              "classes": ", ".join(removal.person_classes),
              "attributes": ", ".join(name for name, _values in removal.removed)}
    if removal.delete_entry:
        text = _("Would remove %(address)s: the entry %(dn)s is deleted.") if dry_run else _(
            "Removed %(address)s: the entry %(dn)s is deleted.")
    else:
        text = _("Would remove the mail of %(address)s: the person %(dn)s (%(classes)s) stays and loses mailAccount "
                 "and %(attributes)s.") if dry_run else _(
            "Removed the mail of %(address)s: the person %(dn)s (%(classes)s) stays without mailAccount and "
            "%(attributes)s.")
    return text % values
