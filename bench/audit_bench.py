"""How the audit log page scales: fill a throwaway SQLite database with N audit rows (default 1,000,000) spread over
200 domains, 50 actors and every event, then time the log page, filtered each way, and a filtered CSV export, through
Django's test client as a superadmin (median of three runs). Prints the figures and the query plan of a filtered page;
asserts nothing.

    .venv/bin/python bench/audit_bench.py [N] [--database PATH]

`--database PATH` keeps the SQLite file there, and times it again without refilling when it already holds rows.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

ARGS = [a for a in sys.argv[1:] if not a.startswith("--database")]
DATABASE = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--database=")),
                f"{tempfile.mkdtemp(prefix='audit-bench-')}/audit.sqlite3")
os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
os.environ.setdefault("MFA_REQUIRED_FOR", "")

from benchdjango import migrated_test_client_database  # noqa: E402  (the log never reads the directory)
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from mailadmin import auditlog  # noqa: E402
from mailadmin.models import ACTION_LABELS, AuditEntry  # noqa: E402

BATCH = 20_000


def fill(total: int) -> None:
    """N rows over the last 400 days, each naming its target and, for a third of them, a forward address."""
    rng = random.Random(12)
    actions = sorted(ACTION_LABELS)
    start = datetime.now(UTC) - timedelta(days=400)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous = OFF")  # a throwaway database: no fsync
    with connection.cursor() as cursor, transaction.atomic():
        for first in range(1, total + 1, BATCH):
            rows, addresses = [], []
            for pk in range(first, min(first + BATCH, total + 1)):
                domain = f"d{rng.randrange(200)}.test"
                target = f"user{rng.randrange(5000)}@{domain}"
                forward = f"fwd{pk}@external.test" if pk % 3 == 0 else ""
                new = {"forwards": [forward]} if forward else {"quota_kb": rng.randrange(10**6)}
                at = start + timedelta(seconds=pk * 400 * 86400 // total)
                rows.append((pk, at.isoformat(sep=" "), f"admin{rng.randrange(50)}", rng.choice(actions), target,
                             domain, "{}", json.dumps(new), pk % 50 != 0, "", "[]", "192.0.2.1", "domain_admin"))
                addresses.append((target, pk))
                if forward:
                    addresses.append((forward, pk))
            cursor.executemany(
                "INSERT INTO mailadmin_auditentry (id, at, actor, action, target, domain, old, new, ok, detail, messages,"
                " client, role) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            cursor.executemany("INSERT INTO mailadmin_auditaddress (address, entry_id) VALUES (?, ?)", addresses)
            if first % 100_000 < BATCH:
                print(f"  {first + len(rows) - 1:,} rows", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(client: Client, url: str, runs: int = 3) -> tuple[float, int]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, len(body)


def plan(query: dict) -> str:
    form = auditlog.AuditFilterForm(query)
    form.is_valid()
    sql, params = form.rows(AuditEntry.objects.all())[:51].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "; ".join(row[-1] for row in cursor.fetchall())


def main() -> None:
    total = int(ARGS[0]) if ARGS else 1_000_000
    migrated_test_client_database()
    if AuditEntry.objects.exists():
        total = AuditEntry.objects.count()
        print(f"{total:,} audit rows already in {DATABASE}")
    else:
        started = time.perf_counter()
        fill(total)
        print(f"{total:,} audit rows written in {time.perf_counter() - started:.0f} s ({DATABASE})")
    client = Client()
    user, _created = get_user_model().objects.get_or_create(username="bench", is_superuser=True)
    client.force_login(user)
    last = f"fwd{total - total % 3}@external.test"  # the newest forward: one row
    views = [
        ("newest page", "/audit/"),
        ("actor", "/audit/?actor=admin7"),
        ("domain", "/audit/?domain=d42.test"),
        ("domain, page 20", "/audit/?domain=d42.test&page=20"),
        ("address (a forward)", f"/audit/?address={last}"),
        ("action + refused", "/audit/?action=account.quota&outcome=refused"),
        ("domain + date range", "/audit/?domain=d42.test&since=2026-01-01&until=2026-03-31"),
        ("CSV of one domain", "/audit/export.csv?domain=d42.test"),
    ]
    print(f"{'view':<24}{'ms':>9}{'bytes':>12}")
    for name, url in views:
        ms, size = timed(client, url)
        print(f"{name:<24}{ms:>9.1f}{size:>12,}")
    print("plan, domain filter:", plan({"domain": "d42.test"}))
    print("plan, address filter:", plan({"address": last}))


if __name__ == "__main__":
    main()
