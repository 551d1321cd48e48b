"""How the console pages scale: time them on a domain of 100 accounts and on one of N (default 100,000), on the
project's directory (sssvlv: slapd sorts and counts) and on a stock MDS one (no overlays: mailadmin pages the
addresses and sorts them itself), with counts and orders remembered between requests and without (remembered.py).

    .venv/bin/python bench/console_bench.py [N ...] [--profile project|stock] [--remember on|off] [--runs R]

For each N and profile: starts a throwaway slapd (the test suite's profiles), loads the accounts offline with slapadd,
and for each remembering mode (DIRECTORY_CACHE_SECONDS 60, then 0; both unless --remember says) times each page
through Django's test client as a superadmin: the first view (which fills what is remembered), then R more (default
20) for the median and the 95th percentile, with the peak of Python memory allocated during one more (tracemalloc).
With remembering on, also the first views after a console write and after an outside one (after_writes), and after a
restart with and without the warm-up (after_restart). Prints the figures; asserts nothing.
"""

from __future__ import annotations

import runpy
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from benchdjango import ROOT, migrated_test_client_database
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from domain_ldif import domain_ldif

from devtools.slapd import Instance, free_port
from mailadmin.directory import features, refresh

STOCK_SCHEMA = ROOT / "tests/stock/mmc.schema"


def timed(client: Client, url: str, runs: int) -> tuple[float, float, float, float, int]:
    """(first view, median and 95th percentile of `runs` more in milliseconds, peak MB allocated by Python during one
    more, HTTP status)."""
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    tracemalloc.start()
    client.get(url)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    first, rest = times[0], sorted(times[1:])
    p95 = rest[min(len(rest) - 1, round(0.95 * (len(rest) - 1)))]
    return first, statistics.median(rest), p95, peak, response.status_code


def load_offline(instance: Instance, ldif: str, tmp: Path) -> None:
    """Add the entries with slapadd while slapd is stopped (-q: no checks; -w: contextCSN from the entries' CSNs)."""
    path = tmp / "load.ldif"
    path.write_text(ldif)
    instance.stop()
    subprocess.run(["/usr/sbin/slapadd", "-F", str(instance.root / "slapd.d"), "-b", instance.suffix, "-q", "-w",
                    "-l", str(path)], check=True, capture_output=True)
    path.unlink()
    instance.start()


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


def bench(big: int, profile: str, modes: list[int], runs: int, tmp: Path) -> None:
    extra = STOCK_SCHEMA if profile == "stock" else None
    instance = Instance(tmp / f"ldap-{profile}-{big}", free_port(), profile=profile, extra_schema=extra)
    instance.create()
    try:
        start = time.perf_counter()
        load_offline(instance, domain_ldif("small.test", 100) + domain_ldif("big.test", big), tmp)
        print(f"\n{profile}: loaded {big + 100} accounts in {time.perf_counter() - start:.1f} s (slapadd)")
        print(f"{'profile':<8} {'remembered':<10} {'page':<48} {'first':>9} {'median':>9} {'p95':>9} {'peak':>9}")
        features.forget()
        settings.LDAP_URL = [instance.uri]
        settings.LDAP_BIND_DN = instance.bind_dn
        settings.LDAP_BIND_PASSWORD = instance.bind_password_file.read_text().strip()
        client = Client()
        client.force_login(get_user_model().objects.get(username="bench"))
        for seconds in modes:
            settings.DIRECTORY_CACHE_SECONDS = seconds
            cache.clear()
            mode = f"{seconds} s" if seconds else "off"
            for name, url in pages(big):
                first, median, p95, peak, status = timed(client, url, runs)
                print(f"{profile:<8} {mode:<10} {name:<48} {first:9.1f} {median:9.1f} {p95:9.1f} {peak:7.1f} MB"
                      f"  (HTTP {status})", flush=True)
            if seconds:
                after_writes(client, instance, profile, mode, big)
                after_restart(client, profile, mode)
    finally:
        instance.destroy()


WRITE_ROUNDS = 5
AFTER_WRITE = [("domain page", "/domains/big.test/"), ("domain list", "/domains/"), ("dashboard", "/")]


def after_writes(client: Client, instance: Instance, profile: str, mode: str, big: int) -> None:
    """The first view of each page after a write made through the console (the admin who saved goes back to the
    domain page), and after one made by another tool (ldapmodify), WRITE_ROUNDS times each: median and worst in ms.
    After the outside write, also how long the background refresh (refresh.py) took to have a fresh value ready."""
    console: dict[str, list[float]] = {name: [] for name, _url in AFTER_WRITE}
    outside: dict[str, list[float]] = {name: [] for name, _url in AFTER_WRITE}
    ready = []
    for n in range(WRITE_ROUNDS):
        local = f"bench{n}"
        response = client.post("/domains/big.test/accounts/add/", {
            "local_part": local, "uid": local, "first_name": "", "last_name": "", "password": "bench-password-1",
            "password2": "bench-password-1", "quota": "", "aliases": "", "forwards": ""})
        assert response.status_code == 302, response.content.decode()[:2000]
        for name, url in AFTER_WRITE:
            console[name].append(once(client, url))
        refresh.join()  # the console's write moved contextCSN too: let that refresh end before the next round
        forget_refreshes()
        instance.ldap_tool("ldapmodify", input_text=(
            f"dn: uid=out{n},ou=Users,{instance.suffix}\nchangetype: add\nobjectClass: inetOrgPerson\n"
            f"objectClass: mailAccount\nuid: out{n}\ncn: out{n}\nsn: out{n}\nmail: out{n}@big.test\n"
            f"mailenable: OK\nmailbox: /home/vmail/out{n}/\n"))
        if profile == "stock":  # no contextCSN: values are refreshed once half the stated time old, not after a write
            time.sleep(settings.DIRECTORY_CACHE_SECONDS / 2)
        start = time.perf_counter()
        for name, url in AFTER_WRITE:
            outside[name].append(once(client, url))
        refresh.join()
        ready.append((time.perf_counter() - start) * 1000)
        forget_refreshes()
    for what, figures in (("console write", console), ("outside write", outside)):
        for name, times in figures.items():
            label = f"{name}, first view after {what}"
            print(f"{profile:<8} {mode:<10} {label:<48} {'':>9} {statistics.median(times):9.1f} {max(times):9.1f}"
                  f"  (median, worst of {WRITE_ROUNDS})", flush=True)
    print(f"{profile:<8} {mode:<10} {'outside write: fresh values ready after':<48} {'':>9} "
          f"{statistics.median(ready):9.1f} {max(ready):9.1f}  (background refresh)", flush=True)


RESTART_ROUNDS = 3


def after_restart(client: Client, profile: str, mode: str) -> None:
    """The first view of each page after a restart (the worker's cache empty), RESTART_ROUNDS times each, median and
    worst in ms: without the warm-up (each view computes what it needs); after it (gunicorn.conf.py's hook, then its
    background work done), with how long the hook took to return and the warm-up to be done; and while it is under
    way (the first requests reach the worker as it starts)."""
    figures: dict[str, list[float]] = {}

    def first_views(when: str) -> None:
        for name, url in AFTER_WRITE:
            figures.setdefault(f"{name}, first view {when}", []).append(once(client, url))

    for _ in range(RESTART_ROUNDS):
        cache.clear()  # the refresh locks with the values: a restarted worker's memory
        first_views("after a restart, no warm-up")
        cache.clear()
        start = time.perf_counter()
        worker_started()
        figures.setdefault("warm-up hook returned after", []).append((time.perf_counter() - start) * 1000)
        refresh.join()
        figures.setdefault("warm-up done after (background)", []).append((time.perf_counter() - start) * 1000)
        first_views("after the warm-up")
        cache.clear()
        worker_started()
        first_views("during the warm-up")
        refresh.join()
    for label, times in figures.items():
        print(f"{profile:<8} {mode:<10} {label:<48} {'':>9} {statistics.median(times):9.1f} {max(times):9.1f}"
              f"  (median, worst of {RESTART_ROUNDS})", flush=True)


def worker_started() -> None:
    """What gunicorn calls in a worker once it has loaded the app (scripts/run.sh's --config gunicorn.conf.py)."""
    runpy.run_path(str(ROOT / "gunicorn.conf.py"))["post_worker_init"](None)


def once(client: Client, url: str) -> float:
    start = time.perf_counter()
    client.get(url)
    return (time.perf_counter() - start) * 1000


def forget_refreshes() -> None:
    """Let the next round's views start refreshes again (refresh.py allows one per value and half the stated time):
    the locks are found among LocMemCache's own keys ("prefix:version:key")."""
    cache.delete_many([key.split(":", 2)[-1] for key in list(cache._cache) if key.endswith(":refreshing")])


def option(args: list[str], name: str, default: str) -> str:
    """The value after `name` in `args` (both removed from them), or `default`."""
    if name not in args:
        return default
    at = args.index(name)
    value = args[at + 1]
    del args[at:at + 2]
    return value


def main() -> None:
    args = sys.argv[1:]
    profile = option(args, "--profile", "")
    profiles = [profile] if profile else ["project", "stock"]
    modes = {"on": [60], "off": [0], "": [60, 0]}[option(args, "--remember", "")]
    runs = int(option(args, "--runs", "20"))
    sizes = [int(n) for n in args] or [100_000]
    with tempfile.TemporaryDirectory() as tmp:
        migrated_test_client_database(Path(tmp) / "bench.sqlite3")
        get_user_model().objects.create_superuser("bench", password="bench-password-1")
        for big in sizes:
            for name in profiles:
                bench(big, name, modes, runs, Path(tmp))


if __name__ == "__main__":
    main()
