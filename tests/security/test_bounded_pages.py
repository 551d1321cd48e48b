"""Threat 22: pages use a bounded number of directory operations whatever the number of accounts, and a server
size limit gives a handled page, never a 500."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.conftest import BASE_LDIF, start_instance, use_instance

from .conftest import reset_directory

SEEDED = 1000


def accounts_ldif(count: int, domain: str = "example.test", prefix: str = "user") -> str:
    return "".join(f"""
dn: uid={prefix}{i:05d},ou=Users,dc=example,dc=org
objectClass: inetOrgPerson
objectClass: mailAccount
uid: {prefix}{i:05d}
cn: User {i}
sn: User
mail: {prefix}{i:05d}@{domain}
mailalias: {prefix}{i:05d}.alias@{domain}
mailenable: OK
mailbox: /home/vmail/{prefix}{i:05d}/
""" for i in range(count))


def operations_of(client, path: str, operations: list[int]) -> int:
    operations.clear()
    assert client.get(path).status_code == 200, path
    return sum(operations)


# Pages whose operations must not grow at all with the number of accounts (VLV windows, base reads, and counts
# that slapd makes: Directory.count).
CONSTANT = ["/domains/example.test/", "/domains/example.test/?q=user",
            "/accounts/alice@example.test/", "/aliases/", "/aliases/team@example.test/", "/search/?q=user",
            "/route/?address=alice@example.test", "/people/", "/domains/", "/"]


@pytest.fixture
def seeded(test_directory):
    def seed():
        test_directory.add_ldif(accounts_ldif(SEEDED))
    return seed


@pytest.mark.parametrize("remembered_seconds", [0, 60])
def test_pages_need_the_same_operations_with_a_thousand_more_accounts(login_as, operations, seeded, settings,
                                                                      remembered_seconds):
    settings.DIRECTORY_CACHE_SECONDS = remembered_seconds
    client = login_as("superadmin")

    def measured() -> dict[str, int]:
        return {path: operations_of(client, path, operations) for path in CONSTANT}

    measured()  # warm up: the server's schema is read once per process; counts and orders are remembered
    before = measured()
    seeded()
    cache.clear()  # as DIRECTORY_CACHE_SECONDS after a change: remembered counts and orders are computed again
    measured()
    assert measured() == before
    assert operations_of(client, "/domains/example.test/?page=20", operations) == before["/domains/example.test/"]


def test_the_domain_list_and_page_stay_small(login_as, operations):
    client = login_as("superadmin")
    # Each first view: contextCSN (what is remembered is checked against it), then what today's directory says.
    assert operations_of(client, "/domains/", operations) <= 1 + 1 + 2  # the domains, a count for each shown one
    assert operations_of(client, "/", operations) <= 1 + 4  # four counts
    # The domain, its addresses (one paged search here), its page's accounts, its lists.
    assert operations_of(client, "/domains/example.test/", operations) <= 1 + 4


@pytest.fixture(scope="module")
def small_slapd(tmp_path_factory):
    """A slapd whose size limit is 10 entries, holding 30 more accounts than the base data."""
    instance = start_instance(tmp_path_factory.mktemp("small"), sizelimit=10)
    reset_directory(instance)  # tests/base.ldif in place of the empty OUs of a new instance
    instance.add_ldif(accounts_ldif(30))
    # The service account has no limits (make-config.sh); the app binds as an ordinary reader instead.
    instance.add_ldif("dn: cn=reader,ou=system,dc=example,dc=org\nobjectClass: applicationProcess\n"
                      "objectClass: simpleSecurityObject\ncn: reader\nuserPassword: reader-password-1\n")
    yield instance
    instance.destroy()


PAGES = ["/", "/domains/", "/domains/example.test/", "/domains/example.test/?q=user",
         "/accounts/alice@example.test/", "/aliases/", "/aliases/team@example.test/", "/search/?q=user",
         "/search/?q=example.test", "/people/", "/people/?q=user", "/route/?address=alice@example.test"]


@pytest.mark.parametrize("path", PAGES)
def test_a_server_size_limit_gives_a_handled_page(path, small_slapd, settings, login_as):
    use_instance(small_slapd)
    settings.LDAP_BIND_DN = "cn=reader,ou=system,dc=example,dc=org"
    settings.LDAP_BIND_PASSWORD = "reader-password-1"
    response = login_as("superadmin").get(path)
    assert response.status_code in (200, 302, 422), path
    if response.status_code == 422:
        assert "too_many_results.html" in [t.name for t in response.templates]


def test_counts_are_complete_under_a_size_limit(small_slapd, settings, login_as):
    """slapd counts in its sort, which no size limit cuts: the numbers are whole, never a silently short count."""
    use_instance(small_slapd)
    settings.LDAP_BIND_DN = "cn=reader,ou=system,dc=example,dc=org"
    settings.LDAP_BIND_PASSWORD = "reader-password-1"
    client = login_as("superadmin")
    accounts = BASE_LDIF.count("objectClass: mailAccount") + 30
    assert client.get("/").context["counts"].accounts == accounts
    listed = {d.name: d.account_count for d in client.get("/domains/").context["domains"]}
    assert listed == {"example.test": accounts - 1, "other.test": 1}
