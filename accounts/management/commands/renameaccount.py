from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.forms import RenameAccountForm
from mailadmin.addresses import display_address
from mailadmin.commands import actor, directory_command, find_account, run_form


class Command(BaseCommand):
    help = ("Give an account another primary address, as the console does (claim rules apply). Its entry, password "
            "and virtual-alias memberships stay. --move-mailbox also rebuilds the mailbox path for the new address: "
            "the stored mail does not move, move the maildir on the mail server yourself.")

    def add_arguments(self, parser):
        parser.add_argument("address", help="the account's own address")
        parser.add_argument("new", help="its new primary address")
        parser.add_argument("--keep-old-as-alias", action="store_true", help="the old address stays as an alias")
        parser.add_argument("--move-mailbox", action="store_true", help="rebuild the mailbox path for the new address")
        parser.add_argument("--dry-run", action="store_true", help="check everything and say what would change")

    def handle(self, *args, address, new, keep_old_as_alias, move_mailbox, dry_run, **options):
        with directory_command() as directory:
            account = find_account(directory, address)
            form = RenameAccountForm({"new_address": new, "keep_old_as_alias": keep_old_as_alias,
                                      "move_mailbox": move_mailbox, "csn": account.csn}, account=account)
            if dry_run:
                run_form(form, lambda: form.check(directory) or None, {"new_address": "new"})
                mailbox = form.fields_to_set().get("mailbox", account.mailbox)
            else:
                mailbox = run_form(form, lambda: form.save(directory, actor=actor()), {"new_address": "new"}).mailbox
        values = {"old": display_address(account.mail), "new": display_address(form.cleaned_data["new_address"]),
                  "mailbox": mailbox}
        text = _("Would rename %(old)s to %(new)s (mailbox %(mailbox)s).") if dry_run else _(
            "Renamed %(old)s to %(new)s (mailbox %(mailbox)s).")
        self.stdout.write(self.style.SUCCESS(text % values))
        if keep_old_as_alias:
            self.stdout.write(_("%(old)s stays as an alias.") % values)
        if mailbox != account.mailbox:
            self.stdout.write(_("Move the maildir %(old)s to %(new)s on the mail server before the next delivery.")
                              % {"old": account.mailbox, "new": mailbox})
