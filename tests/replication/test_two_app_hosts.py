"""Two app hosts, as `make run` starts them (scripts/run.sh: migrate, then gunicorn with several workers), share one
PostgreSQL database and a replicated directory; each host writes to its own provider first (host 1: A then B, host 2:
B then A). An address is claimed once, whichever host or process claims it, and every write reaches both providers."""

from __future__ import annotations

import os
import secrets
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from devtools.slapd import free_port
from tests.apphost import ROOT, AppHost, Console
from tests.conftest import SUFFIX
from tests.hung import HungServer
from tests.postgres import Cluster

from .conftest import wait_until_same

ROUNDS = 100
SECRET_KEY = secrets.token_urlsafe(50)  # the same on both hosts, as in production


@pytest.fixture(scope="module")
def postgres():
    cluster = Cluster()
    try:
        cluster.start()
    except RuntimeError as e:
        pytest.fail(str(e))
    yield cluster
    cluster.stop()


def host_env(pair, postgres, tmp: Path, urls: list[str], name: str) -> dict[str, str]:
    """What an app host's environment holds: the shared database and key, its own order of the providers and its own
    CACHE_DIR (hosts do not share their notes of failed servers)."""
    first = pair[0]
    return {
        "DATABASE_URL": postgres.url, "SECRET_KEY": SECRET_KEY, "LDAP_URL": " ".join(urls),
        "LDAP_BIND_DN": first.service_dn, "LDAP_BIND_PASSWORD_FILE": str(first.service_password_file),
        "LDAP_BASE_DN": SUFFIX, "LDAP_TIMEOUT": "2", "CACHE_DIR": str(tmp / name / "cache"),
        "SUPERADMIN_PASSWORD_FILE": str(tmp / "superadmin.pw"), "GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "2",
        "GUNICORN_ACCESS_LOG": "/dev/null", "AXES_FAILURE_LIMIT": "3",
    }


@pytest.fixture(scope="module")
def hosts(pair, postgres, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hosts")
    a, b = (instance.uri for instance in pair)
    envs = [host_env(pair, postgres, tmp, [a, b], "one"), host_env(pair, postgres, tmp, [b, a], "two")]
    started = []
    try:
        for name, env in zip(("one", "two"), envs, strict=True):
            (tmp / name).mkdir()
            host = AppHost(free_port(), env, tmp / name / "log")
            host.start()  # one after the other: the first one migrates the new database
            started.append(host)
        yield started
    finally:
        for host in started:
            host.stop()


@pytest.fixture(scope="module")
def console(hosts):
    """The superadmin, signed in on host one; the same session cookie serves host two."""
    password = Path(hosts[0].env["SUPERADMIN_PASSWORD_FILE"]).read_text().strip()
    session = Console(hosts[0].url)
    session.sign_in("admin", password)
    return session


def test_migrations_ran_on_postgresql(hosts, postgres):
    applied = set(postgres.sql("SELECT app, name FROM django_migrations"))
    assert {("sessions", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")} <= applied
    assert any(app == "mailadmin" and name.endswith("_claimlock_seen") for app, name in applied)
    assert any(app == "axes" for app, _name in applied)
    assert postgres.sql("SELECT name FROM mailadmin_claimlock") == [("addresses",)]


def test_a_session_signed_in_on_one_host_is_valid_on_the_other(console, hosts, postgres):
    assert console.get("/").status == 200
    assert console.on(hosts[1].url).get("/domains/example.test/").status == 200
    assert postgres.sql("SELECT count(*) FROM django_session")[0][0] >= 1
    assert Console(hosts[1].url).get("/").status == 302  # no cookie, no console


def _claim(session: Console, account: str, address: str) -> int:
    return session.post(f"/accounts/{account}/aliases/add/", {"address": address}).status


def test_two_hosts_claiming_one_address_at_once_give_it_to_one_account(console, hosts, pair, postgres):
    one, two = console, console.on(hosts[1].url)
    winners = {"alice@example.test": 0, "bob@example.test": 0}
    with ThreadPoolExecutor(2) as pool:
        for i in range(ROUNDS):
            address = f"race{i}@example.test"
            start = threading.Barrier(2)

            def claim(session, account, address=address, start=start):
                start.wait()
                return _claim(session, account, address)

            statuses = [f.result() for f in (pool.submit(claim, one, "alice@example.test"),
                                             pool.submit(claim, two, "bob@example.test"))]
            assert sorted(statuses) == [302, 422], (i, statuses)  # one added it, the other was told it is taken
            winners["alice@example.test" if statuses[0] == 302 else "bob@example.test"] += 1
    entries = wait_until_same(*pair)
    for i in range(ROUNDS):
        holders = [e for e in entries if f"mailalias: race{i}@example.test" in e.splitlines()]
        assert len(holders) == 1, (i, holders)
    audited = postgres.sql("SELECT count(*) FROM mailadmin_auditentry WHERE action = 'account.aliases.add' AND ok "
                           "AND new::text LIKE '%%race%%'")[0][0]
    assert audited == ROUNDS
    print(f"winners per host over {ROUNDS} rounds: {winners}")


def _waiting_for_the_lock(postgres) -> int:
    return postgres.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'mailadmin' AND wait_event_type = "
                        "'Lock'")[0][0]


def test_a_console_request_and_a_createaccount_command_race_for_one_address(console, hosts, pair, postgres):
    """The test holds the address lock while both start, so both wait for it at the same moment; then lets go."""
    import psycopg

    env = {**hosts[1].env}
    for i in range(10):
        address = f"cmdrace{i}@example.test"
        with psycopg.connect(host="127.0.0.1", port=postgres.port, user="postgres", password=postgres.password,
                             dbname="mailadmin") as lock:
            lock.execute("UPDATE mailadmin_claimlock SET taken = taken + 1")  # held until this transaction ends
            command = subprocess.Popen(
                [str(ROOT / ".venv/bin/python"), "manage.py", "createaccount", address, "--uid", f"cmdrace{i}",
                 "--password-stdin"], cwd=ROOT, env={**os.environ, **env}, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            command.stdin.write("a-Passw0rd-long\n")
            command.stdin.close()
            with ThreadPoolExecutor(1) as pool:
                request = pool.submit(_claim, console, "alice@example.test", address)
                for _ in range(600):
                    if _waiting_for_the_lock(postgres) == 2:
                        break
                    time.sleep(0.05)
                else:
                    raise AssertionError("the request and the command did not both wait for the lock")
                lock.rollback()  # both go for it now
                status = request.result()
            command.wait(60)
        outcomes = sorted([status == 302, command.returncode == 0])
        assert outcomes == [False, True], (i, status, command.returncode, command.stderr.read())
    entries = wait_until_same(*pair)
    for i in range(10):
        assert sum(f"cmdrace{i}@example.test" in e for e in entries) == 1


def test_a_hung_first_server_costs_one_request_of_all_the_workers_of_a_host(console, pair, postgres, tmp_path):
    """A third host, with two workers of two threads, lists a server that accepts and never answers first: of twelve
    pages, one pays the timeout; the other workers know from the host's shared CACHE_DIR."""
    hung = HungServer()
    env = {**host_env(pair, postgres, tmp_path, [hung.url, pair[0].uri], "three"), "LDAP_RETRY_AFTER": "600"}
    host = AppHost(free_port(), env, tmp_path / "three.log")
    try:
        host.start()
        session = console.on(host.url)
        assert [session.get("/domains/example.test/").status for _ in range(12)] == [200] * 12
        assert hung.new_connections() == 1
    finally:
        host.stop()
        hung.close()


def test_sign_in_failures_on_one_host_lock_the_sign_in_on_the_other(hosts, postgres):
    """django-axes counts in the shared database (last in this module: it locks 127.0.0.1 out)."""
    one, two = Console(hosts[0].url), Console(hosts[1].url)
    one.get("/login/")
    statuses = [one.post("/login/", {"username": "admin", "password": "wrong-password-1"}).status for _ in range(3)]
    assert statuses == [200, 200, 429]  # the third failure (AXES_FAILURE_LIMIT) locks
    assert postgres.sql("SELECT failures_since_start FROM axes_accessattempt WHERE username = 'admin'") == [(3,)]
    two.get("/login/")
    password = Path(hosts[0].env["SUPERADMIN_PASSWORD_FILE"]).read_text().strip()
    assert two.post("/login/", {"username": "admin", "password": password}).status == 429
