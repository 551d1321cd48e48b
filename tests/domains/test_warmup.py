"""The warm-up (mailadmin/directory/warmup.py): after a worker starts, or after `manage.py warmcache` filled a shared
cache, the first dashboard, domain list and big domain page compute nothing themselves; a directory that is down or
hangs at that moment costs a logged warning, never the worker's start, and the pages still work."""

import io
import runpy
import threading
import time

import pytest
from django.core.management import CommandError, call_command

from devtools.slapd import free_port
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory import domains as ldap_domains
from mailadmin.directory import refresh, stats, warmup
from tests.apphost import ROOT, AppHost
from tests.conftest import SUFFIX, big_domain_ldif
from tests.hung import HungServer

pytestmark = pytest.mark.both_profiles

BIG = 120  # accounts of big.test: over the WARM_FROM the tests set, unlike example.test's 5


@pytest.fixture
def computations(monkeypatch) -> list[tuple[str, str]]:
    """(what, thread name) of every computation of a domain's order, the dashboard's or the domain list's counts."""
    made: list[tuple[str, str]] = []

    def spied(what, real):
        def spy(*args, **kwargs):
            made.append((what, threading.current_thread().name))
            return real(*args, **kwargs)
        return spy

    monkeypatch.setattr(ldap_accounts, "_addresses", spied("order", ldap_accounts._addresses))
    monkeypatch.setattr(stats, "directory_counts", spied("dashboard", stats.directory_counts))
    monkeypatch.setattr(ldap_domains, "with_account_counts", spied("domain list", ldap_domains.with_account_counts))
    return made


def _in_views(made: list[tuple[str, str]]) -> list[str]:
    return [what for what, thread in made if not thread.startswith("refresh ")]


@pytest.fixture
def big(slapd, monkeypatch) -> str:
    monkeypatch.setattr(warmup, "WARM_FROM", 100)
    slapd.add_ldif(big_domain_ldif(BIG))
    return "big.test"


def _worker_started() -> None:
    """What gunicorn does once a worker has loaded the app: the hook of the config scripts/run.sh gives it."""
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    hooks["post_worker_init"](worker=None)


def _first_views(client, domain: str) -> dict:
    dashboard, listed = client.get("/"), client.get("/domains/")
    page = client.get(f"/domains/{domain}/")
    assert {dashboard.status_code, listed.status_code, page.status_code} == {200}
    return {"accounts": dashboard.context["counts"].accounts,
            "listed": {d.name: d.account_count for d in listed.context["domains"]},
            "page": page.context["accounts"]}


def test_after_a_workers_warm_up_its_first_views_compute_nothing(superadmin, big, computations):
    _worker_started()
    refresh.join()
    assert sorted(what for what, _thread in computations) == ["dashboard", "domain list", "order"]  # in the background

    seen = _first_views(superadmin, big)
    assert _in_views(computations) == []
    assert seen["accounts"] == 6 + BIG
    assert seen["listed"] == {"big.test": BIG, "example.test": 5, "other.test": 1}
    assert seen["page"].total == BIG and seen["page"].accounts[0].mail == "u0000@big.test"
    superadmin.get("/domains/example.test/")  # below WARM_FROM: sorted by its first view, as before
    assert _in_views(computations) == ["order"]


def test_the_biggest_domains_are_warmed_largest_first_within_the_bound(settings):
    sizes = {"huge.test": 400_000, "big.test": 150_000, "mid.test": 90_000, "small.test": 4_999, "b.test": 90_000}
    settings.DIRECTORY_WARMUP_ACCOUNTS = 500_000
    assert warmup.biggest(sizes, settings.DIRECTORY_WARMUP_ACCOUNTS) == [
        ("huge.test", 400_000), ("b.test", 90_000)]  # big.test does not fit; mid.test would pass the bound
    assert warmup.biggest(sizes, 0) == []


def test_a_directory_down_at_a_workers_start_logs_a_warning_and_the_pages_still_work(
    superadmin, slapd, settings, caplog, computations
):
    settings.LDAP_URL = ["ldap://127.0.0.1:1"]
    _worker_started()
    refresh.join()
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(m.startswith("cache warm-up not done (each first view computes what it needs): ") for m in warnings)
    assert computations == []

    settings.LDAP_URL = [slapd.uri]  # back up
    seen = _first_views(superadmin, "example.test")
    assert seen["accounts"] == 6 and seen["page"].total == 5
    assert sorted(_in_views(computations)) == ["dashboard", "domain list", "order"]  # each view computed its own


def test_a_hung_directory_does_not_hold_the_workers_start(settings, caplog):
    hung = HungServer()
    try:
        settings.LDAP_URL = [hung.url]
        settings.LDAP_TIMEOUT = 1
        _worker_started()
        warming = [t for t in threading.enumerate() if t.name.startswith("refresh ") and t.is_alive()]
        assert len(warming) == 1  # the hook returned while its thread still waits for the directory
        refresh.join()
        assert "cache warm-up not done" in caplog.text
    finally:
        hung.close()


def test_the_warm_up_runs_once_per_half_the_stated_time_across_workers_sharing_the_cache(superadmin, big, computations):
    _worker_started()
    _worker_started()  # a second worker of the same cache, at once
    refresh.join()
    assert len(computations) == 3


# --- manage.py warmcache


@pytest.fixture
def shared_cache(settings, tmp_path):
    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "mailadmin.filecache.FileCache", "LOCATION": str(tmp_path / "shared")}}


def _warmcache() -> list[str]:
    out = io.StringIO()
    call_command("warmcache", stdout=out)
    return out.getvalue().splitlines()


def test_warmcache_fills_a_shared_cache_and_says_what_it_computed_and_how_long_it_took(
    superadmin, big, shared_cache, computations
):
    lines = _warmcache()
    assert [line.split()[:-2] for line in lines[:-1]] == [
        ["dashboard:", "counts", "over", "every", "domain", "computed"],
        ["domain", "list:", "page", "1,", "3", "domains", "computed"],
        ["order", "of", "big.test:", f"{BIG}", "accounts", "computed"],
    ]
    assert all(line.endswith(" s") and float(line.split()[-2]) >= 0 for line in lines[:-1])
    assert lines[-1].startswith("Warmed in ") and lines[-1].endswith(": 3 values computed, 0 remembered already.")

    assert sorted(what for what, _thread in computations) == ["dashboard", "domain list", "order"]
    computations.clear()
    assert _first_views(superadmin, big)["page"].total == BIG
    again = _warmcache()
    assert [line.split()[-4:-2] for line in again[:-1]] == [["remembered", "already"]] * 3
    assert again[-1].endswith(": 0 values computed, 3 remembered already.")
    assert computations == []  # neither the views nor the second run computed anything


def test_warmcache_refuses_a_cache_of_its_own_process_or_remembering_turned_off(settings, shared_cache):
    settings.DIRECTORY_CACHE_SECONDS = 0
    with pytest.raises(CommandError, match="DIRECTORY_CACHE_SECONDS is 0"):
        _warmcache()
    settings.DIRECTORY_CACHE_SECONDS = 60
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with pytest.raises(CommandError, match="CACHE_URL is each process's memory"):
        _warmcache()


def test_warmcache_with_the_directory_down_says_so_in_one_line(settings, shared_cache, directory_down):
    with pytest.raises(CommandError, match="^The directory cannot be used: "):
        _warmcache()


# --- gunicorn as scripts/run.sh starts it


@pytest.mark.project_profile
def test_scripts_run_sh_starts_gunicorn_with_the_warm_up(superadmin, slapd, settings, tmp_path, computations):
    """One worker of `make run`'s gunicorn, sharing a file cache with this test: once its log says the warm-up is
    done, this process's first views find everything remembered. The project's profile only: the wiring is under test
    here, the warm-up's work on both profiles above."""
    cache_dir = tmp_path / "shared"
    host = AppHost(free_port(), {
        "LDAP_URL": slapd.uri, "LDAP_BIND_DN": slapd.service_dn, "LDAP_BIND_PASSWORD_FILE": str(slapd.service_password_file),
        "LDAP_BASE_DN": SUFFIX, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}", "CACHE_DIR": str(tmp_path),
        "CACHE_URL": f"filecache://{cache_dir}", "SUPERADMIN_PASSWORD_FILE": str(tmp_path / "admin.pw"),
        "GUNICORN_WORKERS": "1", "GUNICORN_ACCESS_LOG": "/dev/null", "LOG_LEVEL": "INFO",
    }, tmp_path / "host.log")
    host.start()
    try:
        deadline = time.monotonic() + 60
        while "cache warm-up done" not in (log := host.log.read_text()):
            assert time.monotonic() < deadline, log[-3000:]
            time.sleep(0.2)
    finally:
        host.stop()
    assert "2 values computed, 0 remembered already" in log  # the counts of the dashboard and of the domain list

    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "mailadmin.filecache.FileCache", "LOCATION": str(cache_dir)}}
    assert superadmin.get("/").context["counts"].accounts == 6
    assert [d.account_count for d in superadmin.get("/domains/").context["domains"]] == [5, 1]
    assert computations == []
