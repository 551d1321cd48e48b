"""N concurrent console users for a bounded time, against gunicorn started as `make run` starts it (scripts/run.sh),
over a directory of 100,000 accounts.

    .venv/bin/python bench/load_bench.py [--clients 20] [--seconds 60] [--accounts 100000] [--workers W --threads T]

Loads the accounts offline with slapadd into a throwaway slapd of the project's config, starts the app host on a
SQLite database of its own, signs in one session per client, and lets each client loop over a mix of page views
(dashboard, domain page, account page), searches, quota changes, alias adds and alias removes. Each client writes
only its own accounts, so what each account must hold at the end is known: every write is verified afterwards with
one ldapsearch of the accounts written. Prints requests per second, p50/p95/p99 per kind, errors and lost writes.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from domain_ldif import SUFFIX, domain_ldif  # noqa: E402

from devtools.slapd import Instance, free_port  # noqa: E402
from tests.apphost import AppHost, Console  # noqa: E402

DOMAIN = "load.test"
KB_PER_MB = 1024
ACCOUNTS_PER_PAGE = 50  # domains.views' (importing it would set Django up in this process, which only speaks HTTP)
# kind: weight. Reads dominate a console's use; writes are a third.
MIX = {"dashboard": 10, "domain page": 15, "account page": 20, "search": 15, "quota": 15, "alias add": 13,
       "alias remove": 12}
EXPECTED = {"dashboard": (200,), "domain page": (200,), "account page": (200,), "search": (200, 302),
            "quota": (302,), "alias add": (302,), "alias remove": (302,)}


def _directory(root: Path, accounts: int) -> Instance:
    """A slapd of the project's config with `accounts` accounts in DOMAIN, loaded offline (slapadd: minutes faster
    than ldapadd at 100,000)."""
    instance = Instance(root, free_port())
    instance.create()
    instance.stop()
    ldif = root / "accounts.ldif"
    ldif.write_text(domain_ldif(DOMAIN, accounts))
    subprocess.run(["/usr/sbin/slapadd", "-q", "-F", str(root / "slapd.d"), "-b", SUFFIX, "-l", str(ldif)],
                   check=True, capture_output=True)
    instance.start()
    return instance


class Client(threading.Thread):
    """One signed-in user; owns the accounts whose number is `index` modulo the number of clients."""

    def __init__(self, index: int, clients: int, accounts: int, session: Console, deadline: float):
        super().__init__(daemon=True)
        self.index, self.clients, self.accounts = index, clients, accounts
        self.session, self.deadline = session, deadline
        self.random = random.Random(index)
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.quota: dict[str, int] = {}  # address -> kB it must hold
        self.aliases: dict[str, set[str]] = defaultdict(set)  # address -> aliases it must hold
        self.written: set[str] = set()
        self.serial = 0

    def _mine(self) -> str:
        number = self.random.randrange(self.index, self.accounts, self.clients)
        return f"u{number:06d}@{DOMAIN}"

    def run(self) -> None:
        kinds, weights = list(MIX), list(MIX.values())
        while time.monotonic() < self.deadline:
            kind = self.random.choices(kinds, weights)[0]
            if kind == "alias remove" and not any(self.aliases.values()):
                kind = "alias add"  # nothing of this client's to remove yet
            start = time.perf_counter()
            status = self._do(kind)
            self.times[kind].append(time.perf_counter() - start)
            if status not in EXPECTED[kind]:
                self.errors.append(f"{kind}: {status}")

    def _do(self, kind: str) -> int:
        address = self._mine()
        if kind == "dashboard":
            return self.session.get("/").status
        if kind == "domain page":
            page = self.random.randrange(1, self.accounts // ACCOUNTS_PER_PAGE + 1)
            return self.session.get(f"/domains/{DOMAIN}/?page={page}").status
        if kind == "account page":
            return self.session.get(f"/accounts/{address}/").status
        if kind == "search":
            return self.session.get(f"/search/?q=u{self.random.randrange(self.accounts):06d}"[:-2]).status
        if kind == "quota":
            megabytes = self.random.randrange(100, 5000)
            status = self.session.post(f"/accounts/{address}/quota/", {"quota": f"{megabytes}M"}).status
            if status == 302:
                self.quota[address] = megabytes * KB_PER_MB
            return self._wrote(address, status)
        if kind == "alias remove":
            address = self.random.choice([a for a, held in self.aliases.items() if held])
            alias = self.aliases[address].pop()
            return self._wrote(address, self.session.post(f"/accounts/{address}/aliases/remove/",
                                                          {"address": alias}).status)
        self.serial += 1
        alias = f"c{self.index}-{self.serial}@{DOMAIN}"
        status = self.session.post(f"/accounts/{address}/aliases/add/", {"address": alias}).status
        if status == 302:
            self.aliases[address].add(alias)
        return self._wrote(address, status)

    def _wrote(self, address: str, status: int) -> int:
        self.written.add(address)
        return status


def _held(instance: Instance, addresses: set[str]) -> dict[str, tuple[int | None, set[str]]]:
    """What the directory holds for `addresses`: (quota kB, aliases), read with ldapsearch in batches."""
    held: dict[str, tuple[int | None, set[str]]] = {}
    ordered = sorted(addresses)
    for start in range(0, len(ordered), 200):
        flt = "(|" + "".join(f"(mail={a})" for a in ordered[start:start + 200]) + ")"
        out = instance.ldap_tool("ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-b", f"ou=Users,{SUFFIX}", flt, "mail",
                                 "mailuserquota", "mailalias").stdout
        for entry in out.strip().split("\n\n"):
            values = defaultdict(list)
            for line in entry.splitlines():
                name, _sep, value = line.partition(": ")
                values[name].append(value)
            quota = int(values["mailuserquota"][0]) if values["mailuserquota"] else None
            held[values["mail"][0]] = (quota, set(values["mailalias"]))
    return held


def _lost(clients: list[Client], held: dict[str, tuple[int | None, set[str]]]) -> list[str]:
    lost = []
    for client in clients:
        for address in client.written:
            quota, aliases = held.get(address, (None, set()))
            if address in client.quota and client.quota[address] != quota:
                lost.append(f"{address}: quota {quota}, expected {client.quota[address]}")
            if aliases != client.aliases[address]:
                lost.append(f"{address}: aliases {sorted(aliases)}, expected {sorted(client.aliases[address])}")
    return lost


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else values[0] * 1000


def _causes(log: Path) -> list[str]:
    """Why the app answered 503: the distinct "directory unavailable" causes it logged, most frequent first."""
    causes = defaultdict(int)
    for line in log.read_text(errors="replace").splitlines():
        if "directory unavailable:" in line:
            causes[line.split("directory unavailable:", 1)[1].strip()] += 1
    return [f"{count} x {cause}" for cause, count in sorted(causes.items(), key=lambda item: -item[1])]


def _report(clients: list[Client], seconds: float, lost: list[str]) -> None:
    times: dict[str, list[float]] = defaultdict(list)
    for client in clients:
        for kind, values in client.times.items():
            times[kind].extend(values)
    total = sum(len(v) for v in times.values())
    print(f"{total} requests in {seconds:.0f} s: {total / seconds:.1f} req/s")
    print(f"{'kind':<14}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for kind in MIX:
        values = times[kind]
        if values:
            print(f"{kind:<14}{len(values):>7}{_percentile(values, 50):>9.0f}{_percentile(values, 95):>9.0f}"
                  f"{_percentile(values, 99):>9.0f}")
    errors = [e for client in clients for e in client.errors]
    print(f"errors: {len(errors)}" + (f" (first: {errors[:5]})" if errors else ""))
    print(f"lost writes: {len(lost)}" + (f" (first: {lost[:5]})" if lost else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--workers", help="GUNICORN_WORKERS (default: scripts/run.sh's)")
    parser.add_argument("--threads", help="GUNICORN_THREADS (default: scripts/run.sh's)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        instance = _directory(work / "ldap", args.accounts)
        print(f"directory of {args.accounts} accounts loaded in {time.perf_counter() - start:.0f} s")
        env = {
            "LDAP_URL": instance.uri, "LDAP_BIND_DN": instance.service_dn,
            "LDAP_BIND_PASSWORD_FILE": str(instance.service_password_file), "LDAP_BASE_DN": SUFFIX,
            "DATABASE_URL": f"sqlite:///{work / 'app.sqlite3'}", "SUPERADMIN_PASSWORD_FILE": str(work / "admin.pw"),
            "CACHE_DIR": str(work / "cache"), "GUNICORN_ACCESS_LOG": "/dev/null",
        }
        env |= {name: value for name, value in (("GUNICORN_WORKERS", args.workers),
                                                ("GUNICORN_THREADS", args.threads)) if value}
        host = AppHost(free_port(), env, work / "host.log")
        try:
            host.start()
            password = (work / "admin.pw").read_text().strip()
            sessions = []
            for _ in range(args.clients):
                session = Console(host.url)
                session.sign_in("admin", password)
                sessions.append(session)
            print(f"{args.clients} clients for {args.seconds:.0f} s, gunicorn workers={args.workers or 'default'} "
                  f"threads={args.threads or 'default'}")
            began = time.monotonic()
            clients = [Client(i, args.clients, args.accounts, s, began + args.seconds) for i, s in enumerate(sessions)]
            for client in clients:
                client.start()
            for client in clients:
                client.join()
            elapsed = time.monotonic() - began
            written = {address for client in clients for address in client.written}
            _report(clients, elapsed, _lost(clients, _held(instance, written)))
            for cause in _causes(host.log)[:5]:
                print(f"  503 because: {cause}")
        finally:
            host.stop()
            instance.destroy()


if __name__ == "__main__":
    main()
