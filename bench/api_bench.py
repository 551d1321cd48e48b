"""Requests per second of the JSON API's common reads and writes, next to the raw directory operations behind them
(the same `mailadmin.directory` calls on one open connection, a page on a connection of its own, without HTTP,
Django, forms, tokens or the audit log).

    .venv/bin/python bench/api_bench.py [N]     # N accounts in the domain (N >= 1; default 10,000)

Starts a throwaway slapd (the test suite's project profile), loads the domain with ldapadd, and drives the API
through Django's test client (the whole middleware stack in-process: no network, no gunicorn) with a superadmin's
token. Each API request opens its own directory connection, as a web request does. Prints the figures; asserts
nothing. The machine these figures come from is shared and noisy: compare the ratios, not the absolute numbers.

The reads cycle through the domain's accounts and pages, so any N works (a small one reads the same ones again).
Left out: an account's vacation reply and mailbox usage, which the API reads from Dovecot, not from the directory
(tests/api/test_mailbox.py runs them against a real Dovecot).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchdjango import migrated_test_client_database
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from domain_ldif import domain_ldif

from api.models import ApiToken
from devtools.slapd import Instance, free_port
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory import connect, features
from mailadmin.directory.accounts import NewAccount

DOMAIN = "big.test"
PASSWORD = "a-long-enough-Passw0rd"
PER_PAGE = 50


def rate(run: Callable[[int], object], count: int) -> float:
    """Calls per second of `run(i)` for i in range(count)."""
    start = time.perf_counter()
    for i in range(count):
        run(i)
    return count / (time.perf_counter() - start)


class Api:
    def __init__(self, token: str, size: int):
        self.client = Client(headers={"Authorization": f"Bearer {token}"})
        self.size = size
        self.versions: dict[str, str] = {}

    def ok(self, response, status: int = 200):
        assert response.status_code == status, response.content  # a failing request would time nothing useful
        return response

    def get_account(self, i: int):
        address = loaded(i, self.size)
        self.versions[address] = self.ok(self.client.get(f"/api/v1/accounts/{address}"))["ETag"]

    def page(self, i: int):
        self.ok(self.client.get(f"/api/v1/domains/{DOMAIN}/accounts", {"page": page_of(i, self.size),
                                                                         "per_page": PER_PAGE}))

    def set_quota(self, i: int):
        address = loaded(i, self.size)
        response = self.ok(self.client.post(f"/api/v1/accounts/{address}/quota", json.dumps({"quota": f"{300 + i}M"}),
                                            content_type="application/json", headers={"If-Match": self.versions[address]}))
        self.versions[address] = response["ETag"]

    def create(self, i: int):
        self.ok(self.client.post(f"/api/v1/domains/{DOMAIN}/accounts", json.dumps(
            {"local_part": f"api{i}", "password": PASSWORD}), content_type="application/json"), 201)


def loaded(i: int, size: int) -> str:
    """The address of the i-th read, cycling through the `size` accounts loaded."""
    return f"u{i % size:06d}@{DOMAIN}"


def page_of(i: int, size: int) -> int:
    """The page of the i-th read, cycling through the pages of `size` accounts (the domain's own, before creations)."""
    return i % -(-size // PER_PAGE) + 1


def raw(directory, size: int):
    """The directory operations behind each request, on one open connection."""
    accounts = {}

    def get_account(i: int):
        accounts[loaded(i, size)] = ldap_accounts.get_account(directory, loaded(i, size))

    def page(i: int):
        # A connection of its own, as each request has: slapd's sssvlv keeps a sort context per connection and
        # answers "busy" once a connection holds too many (sssvlv-max-per-conn), so one connection cannot page on.
        with connect() as own:
            ldap_accounts.list_domain_accounts(own, DOMAIN, page=page_of(i, size), per_page=PER_PAGE)

    def set_quota(i: int):
        address = loaded(i, size)  # by address: with a small domain, several i are one account, at its latest version
        accounts[address] = ldap_accounts.update_account(directory, accounts[address], {"quota_kb": (400 + i) * 1024})

    def create(i: int):
        ldap_accounts.create_account(directory, NewAccount(address=f"raw{i}@{DOMAIN}", uid=f"raw{i}@{DOMAIN}"), PASSWORD)

    return get_account, page, set_quota, create


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("size", nargs="?", type=int, default=10_000, metavar="N",
                        help="accounts in the domain, at least 1 (default 10,000)")
    size = parser.parse_args().size
    if size < 1:
        parser.error("N must be at least 1")
    reads, writes = 300, 100
    with tempfile.TemporaryDirectory() as tmp:
        settings.MAIL_API_RATE = "1000000/min"  # the throttle is not what is measured
        migrated_test_client_database(Path(tmp) / "bench.sqlite3")
        _row, token = ApiToken.issue(get_user_model().objects.create_superuser("bench", password="bench-password-1"),
                                     "bench")
        instance = Instance(Path(tmp) / "ldap", free_port())
        instance.create()
        try:
            instance.add_ldif(domain_ldif(DOMAIN, size))
            features.forget()
            settings.LDAP_URL = [instance.uri]
            settings.LDAP_BIND_DN = instance.bind_dn
            settings.LDAP_BIND_PASSWORD = instance.bind_password_file.read_text().strip()
            api = Api(token, size)
            with connect() as directory:
                direct = raw(directory, size)
                print(f"{size} accounts in {DOMAIN}; requests per second (higher is better)")
                print(f"{'operation':<52} {'API':>9} {'raw LDAP':>9} {'ratio':>6}")
                for (name, count), through_api, behind in zip(
                        [("GET one account (search)", reads), (f"GET a page of {PER_PAGE} accounts (VLV window)", reads),
                         ("POST quota with If-Match (modify + read back)", writes),
                         ("POST a new account (claims, add, password)", writes)],
                        [api.get_account, api.page, api.set_quota, api.create], direct, strict=True):
                    api_rate = rate(through_api, count)
                    if name.startswith("POST quota"):
                        for i in range(count):  # the raw modify needs the accounts as the API left them
                            direct[0](i)
                    raw_rate = rate(behind, count)
                    print(f"{name:<52} {api_rate:9.0f} {raw_rate:9.0f} {raw_rate / api_rate:5.1f}x", flush=True)
        finally:
            instance.destroy()


if __name__ == "__main__":
    main()
