import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Create the first superadmin when no superadmin exists, with a generated password written to "
            "--password-file (mode 0600). Does nothing when one exists. The web never creates superadmins.")

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password-file", required=True, help="where to write the generated password")

    def handle(self, *args, username, password_file, **options):
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            self.stdout.write("A superadmin exists already: nothing to do.")
            return
        password = secrets.token_urlsafe(12)
        users.objects.create_superuser(username=username, password=password, email="")
        with open(password_file, "w", opener=lambda path, flags: os.open(path, flags, 0o600)) as f:
            f.write(password + "\n")
        self.stdout.write(self.style.SUCCESS(f"Created superadmin {username!r}; password in {password_file}."))
