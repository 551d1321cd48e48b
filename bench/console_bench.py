"""How the console pages scale: time them on a domain of 100 accounts and on one of N (default 100,000), on the
project's directory (sssvlv: slapd sorts and counts) and on a stock MDS one (no overlays: mailadmin pages the
addresses and sorts them itself).

    .venv/bin/python bench/console_bench.py [N ...] [--profile project|stock]

For each N and profile: starts a throwaway slapd (the test suite's profiles), loads the accounts with ldapadd, and
times each page through Django's test client as a superadmin (median of three runs), with the peak of Python memory
allocated during one more run (tracemalloc). Prints the figures; asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import tracemalloc
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

from devtools.slapd import Instance, free_port  # noqa: E402
from mailadmin.directory import features  # noqa: E402

STOCK_SCHEMA = ROOT / "tests/stock/mmc.schema"


def timed(client: Client, url: str, runs: int = 3) -> tuple[float, float, int]:
    """(median milliseconds, peak MB allocated by Python during one more run, HTTP status)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    client.get(url)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return statistics.median(times) * 1000, peak, response.status_code


def pages(big: int) -> list[tuple[str, str]]:
    return [
        ("domain page, 100 accounts", "/domains/small.test/"),
        (f"domain page, {big} accounts", "/domains/big.test/"),
        (f"domain page {big // 50}, {big} accounts", f"/domains/big.test/?page={big // 50}"),
        (f"domain page filtered, {big} accounts", "/domains/big.test/?q=u0123"),
        ("account page", "/accounts/u000042@big.test/"),
        ("search box", "/search/?q=u00004"),
        (f"domain list (counts over {big + 100} accounts)", "/domains/"),
        ("dashboard", "/"),
    ]


def bench(big: int, profile: str, tmp: Path) -> None:
    extra = STOCK_SCHEMA if profile == "stock" else None
    instance = Instance(tmp / f"ldap-{profile}-{big}", free_port(), profile=profile, extra_schema=extra)
    instance.create()
    try:
        start = time.perf_counter()
        instance.add_ldif(domain_ldif("small.test", 100) + domain_ldif("big.test", big))
        print(f"\n{profile}: loaded {big + 100} accounts in {time.perf_counter() - start:.1f} s")
        features.forget()
        settings.LDAP_URL = [instance.uri]
        settings.LDAP_BIND_DN = instance.bind_dn
        settings.LDAP_BIND_PASSWORD = instance.bind_password_file.read_text().strip()
        client = Client()
        client.force_login(get_user_model().objects.get(username="bench"))
        for name, url in pages(big):
            ms, peak, status = timed(client, url)
            print(f"{profile:<8} {name:<48} {ms:9.1f} ms {peak:7.1f} MB peak  (HTTP {status})", flush=True)
    finally:
        instance.destroy()


def main() -> None:
    args = sys.argv[1:]
    profiles = ["project", "stock"]
    if "--profile" in args:
        at = args.index("--profile")
        profiles = [args[at + 1]]
        del args[at:at + 2]
    sizes = [int(n) for n in args] or [100_000]
    with tempfile.TemporaryDirectory() as tmp:
        settings.DATABASES["default"]["NAME"] = str(Path(tmp) / "bench.sqlite3")
        settings.ALLOWED_HOSTS = ["testserver"]
        settings.STORAGES = {**settings.STORAGES, "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
        setup_test_environment()
        call_command("migrate", verbosity=0)
        get_user_model().objects.create_superuser("bench", password="bench-password-1")
        for big in sizes:
            for profile in profiles:
                bench(big, profile, Path(tmp))


if __name__ == "__main__":
    main()
