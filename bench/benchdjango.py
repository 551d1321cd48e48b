"""Django for the benchmark scripts that drive the console through its test client (console, api and audit benches):
imported first, it sets the project's settings up with a placeholder directory, which each script replaces once its
own slapd runs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mailadmin.settings")
os.environ.setdefault("LDAP_URL", "ldap://127.0.0.1:1")  # replaced once the benchmark's slapd runs
os.environ.setdefault("LDAP_BIND_DN", "cn=mailadmin,ou=system,dc=example,dc=org")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def migrated_test_client_database(database: Path | None = None) -> None:
    """Ready Django's test client (testserver; static files from the finders: there is no collectstatic manifest)
    over the SQLite file `database` (None: the one the settings name), migrated."""
    if database is not None:
        settings.DATABASES["default"]["NAME"] = str(database)
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    setup_test_environment()
    call_command("migrate", verbosity=0)
