from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.forms import QuotaForm
from mailadmin.addresses import display_address, format_quota
from mailadmin.commands import actor, directory_command, find_account, run_form


class Command(BaseCommand):
    help = "Set an account's quota: 500M, 1.5G, 204800 (kB) or unlimited."

    def add_arguments(self, parser):
        parser.add_argument("address", help="the account's own address")
        parser.add_argument("quota", help='500M, 1.5G, 204800 (kB) or unlimited; "" for no quota rule of its own')
        parser.add_argument("--dry-run", action="store_true", help="check the quota; change nothing")

    def handle(self, *args, address, quota, dry_run, **options):
        with directory_command() as directory:
            account = find_account(directory, address)
            form = QuotaForm({"quota": quota, "csn": account.csn}, account=account)
            if dry_run:
                run_form(form, lambda: True)
            else:
                account = run_form(form, lambda: form.save(directory, actor=actor()))
        kb = form.cleaned_data["quota"]
        if kb is None:
            text = _("Would remove the quota rule of %(address)s.") if dry_run else _(
                "%(address)s now has no quota rule of its own.")
        else:
            text = _("Would set the quota of %(address)s to %(quota)s.") if dry_run else _(
                "Quota of %(address)s is now %(quota)s.")
        self.stdout.write(self.style.SUCCESS(text % {"address": display_address(account.mail),
                                                     "quota": format_quota(kb)}))
