from django.core.management.base import BaseCommand

from mailadmin.commands import actor, run_form
from mailadmin.mfa import ResetSecondFactorForm


class Command(BaseCommand):
    help = ("Remove USER's authenticator and recovery codes (a lost phone, or the last superadmin locked out): it "
            "enrols again at its next sign-in when its role requires a second factor.")

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        form = ResetSecondFactorForm({"username": username})
        run_form(form, lambda: form.reset(actor=actor()))
        self.stdout.write(self.style.SUCCESS(f"The second factor of {username} is reset."))
