"""Counts and domain orders remembered between requests (mailadmin/directory/remembered.py): after another tool's
change, right within the stated time and saying "As of" until then; right at once after mailadmin's own."""

import io
import re
import threading
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command

from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory import ownwrites, refresh, remembered, sequences, stats
from mailadmin.directory.connection import connect
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


# --- mailadmin's own writes adjust what is remembered (ownwrites.py); others' are computed again in the background


@pytest.fixture
def computations(monkeypatch) -> list[str]:
    """The name of the thread of every computation of a domain's order or of the dashboard's counts."""
    made: list[str] = []

    def spied(real):
        def spy(*args, **kwargs):
            made.append(threading.current_thread().name)
            return real(*args, **kwargs)
        return spy

    monkeypatch.setattr(ldap_accounts, "_addresses", spied(ldap_accounts._addresses))
    monkeypatch.setattr(stats, "directory_counts", spied(stats.directory_counts))
    return made


def _in_views(made: list[str]) -> list[str]:
    return [name for name in made if not name.startswith("refresh ")]


ADD = {"first_name": "", "last_name": "", "password": "ab-password-1", "password2": "ab-password-1", "quota": "",
       "aliases": "", "forwards": ""}


def test_an_account_created_in_the_console_shows_at_once_in_its_place_without_sorting_the_domain_again(
    superadmin, slapd, settings, monkeypatch, computations
):
    settings.DIRECTORY_CACHE_SECONDS = 3600
    monkeypatch.setattr(sequences, "CHUNK", 7)  # 120 accounts in 18 chunks; 17 more in one of them split it
    slapd.add_ldif(big_domain_ldif(120))
    assert superadmin.get("/domains/big.test/").context["accounts"].total == 120
    dashboard = superadmin.get("/").context["counts"]
    assert len(_in_views(computations)) == 2  # the order and the counts, computed once
    added = [f"u0050.{n:02d}" for n in range(17)]  # all in one chunk
    for local in added:
        r = superadmin.post("/domains/big.test/accounts/add/", {**ADD, "local_part": local, "uid": local})
        assert r.status_code == 302, r.content.decode()

    page = superadmin.get("/domains/big.test/", {"page": 2}).context["accounts"]
    assert page.total == 137
    everyone = sorted([f"u{n:04d}@big.test" for n in range(120)] + [f"{local}@big.test" for local in added])
    assert [a.mail for a in page.accounts] == everyone[50:100]
    assert everyone[50:68] == [*(f"{local}@big.test" for local in added), "u0050@big.test"]  # "." sorts before "@"
    counts = superadmin.get("/").context["counts"]
    assert (counts.accounts, counts.disabled) == (dashboard.accounts + 17, dashboard.disabled)
    assert len(_in_views(computations)) == 2  # neither computed again by a view


def test_an_address_changed_or_an_account_removed_in_the_console_moves_it_at_once(
    superadmin, directory, settings, computations
):
    settings.DIRECTORY_CACHE_SECONDS = 3600
    before = _addresses(superadmin.get("/domains/example.test/").content.decode())
    bob = ldap_accounts.get_account(directory, "bob@example.test")
    ldap_accounts.update_account(directory, bob, ldap_accounts.renamed_fields(
        bob, "zz-bob@example.test", keep_old=False, move_mailbox=False))
    after = _addresses(superadmin.get("/domains/example.test/").content.decode())
    assert after == sorted([a for a in before if a != "bob@example.test"] + ["zz-bob@example.test"])
    superadmin.post("/accounts/zz-bob@example.test/remove/")
    assert _addresses(superadmin.get("/domains/example.test/").content.decode()) == after[:-1]
    assert len(_in_views(computations)) == 1


def test_an_order_kept_just_as_a_write_begins_is_adjusted_by_it_not_computed_again(
    superadmin, directory, settings, monkeypatch, computations
):
    settings.DIRECTORY_CACHE_SECONDS = 3600
    assert superadmin.get("/domains/example.test/").context["accounts"].total == 5
    real = remembered.writing

    def kept_meanwhile(busy: bool) -> None:  # another view sorts the domain again and keeps it as the write begins
        monkeypatch.setattr(remembered, "writing", real)
        cache.delete(remembered.key(remembered.order_of("example.test")))
        assert ldap_accounts.list_domain_accounts(directory, "example.test").total == 5
        real(busy)

    monkeypatch.setattr(remembered, "writing", kept_meanwhile)
    assert superadmin.post("/accounts/bob@example.test/remove/").status_code == 302
    assert "bob@example.test" not in _addresses(superadmin.get("/domains/example.test/").content.decode())
    assert len(_in_views(computations)) == 2  # the first view's and the one made as the write began; none after


def test_an_order_computed_while_a_write_is_under_way_is_not_kept(superadmin, directory, settings, computations):
    settings.DIRECTORY_CACHE_SECONDS = 3600
    with ownwrites.changing(directory):  # it may have read part of the write's changes
        assert ldap_accounts.list_domain_accounts(directory, "example.test").total == 5
    assert ldap_accounts.list_domain_accounts(directory, "example.test").total == 5
    assert len(_in_views(computations)) == 2


def test_a_view_waits_for_the_order_its_process_is_sorting_already_rather_than_sorting_it_too(
    superadmin, settings, monkeypatch, computations
):
    settings.DIRECTORY_CACHE_SECONDS = 3600
    sorting, release = threading.Event(), threading.Event()
    spy = ldap_accounts._addresses

    def slow_off_the_view(*args, **kwargs):  # the warm-up or a refresh, still sorting when the view comes
        if threading.current_thread() is not threading.main_thread():
            sorting.set()
            release.wait(10)
        return spy(*args, **kwargs)

    def warm() -> None:
        with connect(check=False) as own:
            ldap_accounts.list_domain_accounts(own, "example.test")

    monkeypatch.setattr(ldap_accounts, "_addresses", slow_off_the_view)
    background = threading.Thread(target=warm)
    background.start()
    assert sorting.wait(10)
    threading.Timer(0.5, release.set).start()  # the view is usually waiting by then; if not, it finds the order kept
    assert superadmin.get("/domains/example.test/").context["accounts"].total == 5
    background.join()
    assert computations == [background.name]


def test_a_write_that_cannot_take_the_lock_drops_what_is_remembered(superadmin, settings, computations):
    settings.DIRECTORY_CACHE_SECONDS = 3600
    assert superadmin.get("/").context["counts"].accounts == 6
    cache.add(remembered.counts_key() + ":lock", 1, 60)  # another worker holds it
    r = superadmin.post("/domains/example.test/accounts/add/", {**ADD, "local_part": "zed", "uid": "zed"})
    assert r.status_code == 302
    cache.delete(remembered.counts_key() + ":lock")
    assert superadmin.get("/").context["counts"].accounts == 7
    assert len(_in_views(computations)) == 2  # computed again by the view, as before


def test_after_another_tools_write_the_value_is_computed_again_in_the_background(superadmin, slapd, stated,
                                                                                 computations):
    assert superadmin.get("/domains/example.test/").context["accounts"].total == 5
    slapd.ldap_tool("ldapmodify", input_text=_new_account("zed"))
    if slapd.profile == "stock":  # no contextCSN: a value is computed again once it is half the stated time old
        time.sleep(stated / 2)
    lagging = superadmin.get("/domains/example.test/")  # served as it is, saying so; starts the refresh
    assert lagging.context["accounts"].total == 5 and "As of" in lagging.content.decode()
    refresh.join()
    fresh = superadmin.get("/domains/example.test/")
    assert fresh.context["accounts"].total == 6
    assert "zed@example.test" in _addresses(fresh.content.decode())
    assert len(_in_views(computations)) == 1 and len(computations) == 2  # the second one in the background


def test_a_directory_written_all_the_time_is_refreshed_once_per_half_the_stated_time(superadmin, slapd, settings,
                                                                                    computations):
    settings.DIRECTORY_CACHE_SECONDS = 3600
    superadmin.get("/domains/example.test/")
    for uid in ("zed", "zoe", "zak"):  # three writes by another tool, each followed by a view
        slapd.ldap_tool("ldapmodify", input_text=_new_account(uid))
        superadmin.get("/domains/example.test/")
        refresh.join()
    background = len(computations) - len(_in_views(computations))
    assert background == (1 if slapd.profile == "project" else 0)  # stock: the value is not 1,800 s old yet
    assert len(_in_views(computations)) == 1


def test_an_exact_value_older_than_the_stated_time_is_adjusted_by_a_console_write_and_used(
    superadmin, slapd, settings, computations
):
    settings.DIRECTORY_CACHE_SECONDS = 1
    superadmin.get("/domains/example.test/")
    time.sleep(1.2)  # older than the stated time, still exact: nobody wrote
    r = superadmin.post("/domains/example.test/accounts/add/", {**ADD, "local_part": "zed", "uid": "zed"})
    assert r.status_code == 302
    page = superadmin.get("/domains/example.test/")
    assert "zed@example.test" in _addresses(page.content.decode()) and page.context["accounts"].total == 6
    # Without contextCSN (stock) a value older than the stated time is never used: the view computed it again.
    assert len(_in_views(computations)) == (1 if slapd.profile == "project" else 2)
