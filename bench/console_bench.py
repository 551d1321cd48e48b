"""How the console pages scale: time them on a domain of 100 accounts and on one of N (default 100,000).

    .venv/bin/python bench/console_bench.py [N]

Starts a throwaway slapd from the project's config, loads the accounts with ldapadd, and times each page through
Django's test client as a superadmin (median of a few runs). Prints the figures; asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mailadmin.settings")
os.environ.setdefault("LDAP_URL", "ldap://127.0.0.1:1")  # replaced below, once the instance runs
os.environ.setdefault("LDAP_BIND_DN", "cn=mailadmin,ou=system,dc=example,dc=org")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from domain_ldif import domain_ldif  # noqa: E402

from mailadmin.directory.slapd.instance import Instance, free_port  # noqa: E402


def timed(client: Client, url: str, runs: int = 5) -> tuple[float, int]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, response.status_code


def main() -> None:
    big = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        instance = Instance(Path(tmp) / "ldap", free_port())
        instance.create()
        try:
            start = time.perf_counter()
            instance.add_ldif(domain_ldif("small.test", 100) + domain_ldif("big.test", big))
            print(f"loaded {big + 100} accounts in {time.perf_counter() - start:.1f} s")
            settings.LDAP_URL = [instance.uri]
            settings.LDAP_BIND_PASSWORD = instance.service_password_file.read_text().strip()
            settings.DATABASES["default"]["NAME"] = str(Path(tmp) / "bench.sqlite3")
            settings.ALLOWED_HOSTS = ["testserver"]
            settings.STORAGES = {**settings.STORAGES, "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
            setup_test_environment()
            call_command("migrate", verbosity=0)
            user = get_user_model().objects.create_superuser("bench", password="bench-password-1")
            client = Client()
            client.force_login(user)
            pages = [
                ("domain page, 100 accounts", "/domains/small.test/"),
                (f"domain page, {big} accounts", "/domains/big.test/"),
                (f"domain page {big // 50}, {big} accounts", f"/domains/big.test/?page={big // 50}"),
                (f"domain page filtered, {big} accounts", "/domains/big.test/?q=u0123"),
                ("account page", "/accounts/u000042@big.test/"),
                ("search box", "/search/?q=u00004"),
                (f"domain list (counts over {big + 100} accounts)", "/domains/"),
                ("dashboard", "/"),
            ]
            for name, url in pages:
                ms, status = timed(client, url)
                print(f"{name:<48} {ms:9.1f} ms  (HTTP {status})")
        finally:
            instance.destroy()


if __name__ == "__main__":
    main()
