"""Counts and domain orders remembered between requests (mailadmin/directory/remembered.py): after another tool's
change, right within the stated time and saying "As of" until then; right at once after mailadmin's own."""

import io
import re
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command

from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory import refresh, remembered, sequences
from tests.conftest import SUFFIX, big_domain_ldif

pytestmark = pytest.mark.both_profiles

STATED_SECONDS = 2


def _addresses(body: str) -> list[str]:
    return re.findall(r'href="/accounts/([^"/]+)/"', body)


def _new_account(uid: str, domain: str = "example.test") -> str:
    return (
        f"dn: uid={uid},ou=Users,{SUFFIX}\nchangetype: add\nobjectClass: inetOrgPerson\nobjectClass: mailAccount\n"
        f"uid: {uid}\ncn: {uid}\nsn: {uid}\nmail: {uid}@{domain}\nmailenable: OK\nmailbox: /home/vmail/{uid}/\n"
    )


def _seen_within(seconds: float, shows) -> None:
    """Poll `shows()` until it holds; fail if it does not within `seconds`."""
    start = time.monotonic()
    while True:
        if shows():
            return
        assert time.monotonic() - start <= seconds, f"not shown {seconds} s after the change"
        time.sleep(0.2)


@pytest.fixture
def stated(settings) -> int:
    settings.DIRECTORY_CACHE_SECONDS = STATED_SECONDS
    return STATED_SECONDS


def test_an_account_added_with_ldapmodify_shows_on_the_domain_page_within_the_stated_time(superadmin, slapd, stated):
    assert "zed@example.test" not in _addresses(superadmin.get("/domains/example.test/").content.decode())
    slapd.ldap_tool("ldapmodify", input_text=_new_account("zed"))

    def shows() -> bool:
        page = superadmin.get("/domains/example.test/")
        body = page.content.decode()
        if "zed@example.test" in _addresses(body) and page.context["accounts"].total == 6:
            return True
        assert "As of" in body  # never behind without saying so
        return False

    _seen_within(stated + 1, shows)


def test_an_account_removed_and_one_disabled_with_ldapmodify_show_on_the_dashboard_within_the_stated_time(
    superadmin, slapd, stated
):
    before = superadmin.get("/").context["counts"]
    assert (before.accounts, before.disabled) == (6, 1)
    slapd.ldap_tool("ldapmodify", input_text=(
        f"dn: uid=bob,ou=Users,{SUFFIX}\nchangetype: delete\n\n"
        f"dn: uid=alice,ou=Users,{SUFFIX}\nchangetype: modify\nreplace: mailenable\nmailenable: NONE\n"
    ))

    def shows() -> bool:
        counts = superadmin.get("/").context["counts"]
        return (counts.accounts, counts.disabled) == (5, 2)

    _seen_within(stated + 1, shows)


def test_a_page_that_may_lag_says_as_of_when(superadmin, slapd, stated):
    body = superadmin.get("/domains/").content.decode()
    if slapd.profile == "project":  # checked against contextCSN, which has not moved: right, so no "As of"
        assert "As of" not in body
        slapd.ldap_tool("ldapmodify", input_text=_new_account("zed", "other.test"))
        body = superadmin.get("/domains/").content.decode()
    assert re.search(r"As of \d\d:\d\d:\d\d", body)


def test_mailadmins_own_change_shows_at_once_whatever_the_stated_time(superadmin, slapd, settings):
    settings.DIRECTORY_CACHE_SECONDS = 3600
    assert superadmin.get("/domains/").context["domains"][0].account_count == 5  # example.test
    r = superadmin.post("/accounts/bob@example.test/remove/")
    assert r.status_code == 302, r.content.decode()
    assert superadmin.get("/domains/").context["domains"][0].account_count == 4
    assert "bob@example.test" not in _addresses(superadmin.get("/domains/example.test/").content.decode())


def test_an_import_in_the_same_process_shows_at_once(superadmin, settings, tmp_path):
    settings.DIRECTORY_CACHE_SECONDS = 3600
    assert superadmin.get("/domains/example.test/").context["accounts"].total == 5
    rows = tmp_path / "accounts.csv"
    rows.write_text("address,name,first_name,last_name,uid,quota,aliases,forwards,keep_copy,enabled\n"
                    "yann@example.test,,Yann,,,,,,,yes\n")
    call_command("import", str(rows), stdout=io.StringIO(), stderr=io.StringIO())  # adds through bulk.Pipeline
    assert "yann@example.test" in _addresses(superadmin.get("/domains/example.test/").content.decode())


def test_pages_read_across_chunks_and_after_an_evicted_chunk_keep_the_order(superadmin, slapd, monkeypatch):
    monkeypatch.setattr(sequences, "CHUNK", 7)  # every page of 50 spans several chunks
    slapd.add_ldif(big_domain_ldif(120))
    listed = [a for page in (1, 2, 3) for a in _addresses(
        superadmin.get("/domains/big.test/", {"page": page}).content.decode())]
    assert listed == [f"u{n:04d}@big.test" for n in range(120)]
    chunks = [key for key in cache._cache if "chunk" in key]  # LocMemCache's own keys
    assert len(chunks) == -(-120 // 7)
    cache.delete_many([key.split(":", 2)[-1] for key in chunks])
    assert _addresses(superadmin.get("/domains/big.test/", {"page": 3}).content.decode()) == [
        f"u{n:04d}@big.test" for n in range(100, 120)
    ]


def test_off_every_page_reads_the_directory_as_it_is(directory, slapd, settings):
    settings.DIRECTORY_CACHE_SECONDS = 0
    assert ldap_accounts.list_domain_accounts(directory, "example.test").total == 5
    slapd.ldap_tool("ldapmodify", input_text=_new_account("zed"))
    assert ldap_accounts.list_domain_accounts(directory, "example.test").total == 6
