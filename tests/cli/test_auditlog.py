"""`manage.py auditlog` (the console's filters, --json) and `manage.py pruneaudit --older-than Nd [--dry-run]`."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from mailadmin import audit
from mailadmin.models import AuditAddress, AuditEntry

from .helpers import refused, run

pytestmark = pytest.mark.django_db


def test_it_filters_like_the_console_and_prints_json():
    run("setquota", "bob@example.test", "1G")
    audit.record("root", "account.forwards.add", "alice@example.test", old={"forwards": []},
                 new={"forwards": ["far@external.test"]})
    rows = json.loads(run("auditlog", "--address", "FAR@external.test", "--json"))
    assert [(r["target"], r["changes"], r["role"]) for r in rows] == [
        ("alice@example.test", "forwards: +far@external.test", "cli")]
    rows = json.loads(run("auditlog", "--action", "account.quota", "--outcome", "done", "--json"))
    assert [(r["target"], r["changes"]) for r in rows] == [("bob@example.test", "quota_kb: 204800 -> 1048576")]
    assert run("auditlog", "--domain", "other.test") == ""
    assert "bob@example.test" in run("auditlog", "--actor", rows[0]["actor"])


def test_it_refuses_bad_filters_with_the_forms_message():
    assert refused("auditlog", "--since", "yesterday").startswith("since: ")
    assert refused("auditlog", "--since", "2030-01-02", "--until", "2030-01-01") == (
        "until: The end date is before the start date.")


def _age(target: str, days: int) -> None:
    audit.record("root", "account.quota", target)
    AuditEntry.objects.filter(target=target).update(at=timezone.now() - timedelta(days=days))


def test_prune_deletes_old_rows_audits_itself_and_dry_runs():
    _age("old@example.test", 500)
    _age("recent@example.test", 10)
    assert "Would delete 1 audit rows" in run("pruneaudit", "--older-than", "400d", "--dry-run")
    assert AuditEntry.objects.count() == 2
    assert "Deleted 1 audit rows" in run("pruneaudit", "--older-than", "400d")
    assert set(AuditEntry.objects.values_list("target", flat=True)) == {"recent@example.test", "audit log"}
    assert not AuditAddress.objects.filter(address="old@example.test").exists()
    assert AuditEntry.objects.get(action="audit.prune").new == {"older_than_days": 400, "rows": 1}
    assert refused("pruneaudit", "--older-than", "1y") == "older-than: Give a number of days, such as 400d."


def test_only_addresses_are_indexed():
    from mailadmin.audit import named_addresses, target_domain

    assert named_addresses("Bob@Example.test", {"forwards": ["x@external.test", "not an address"]}, {"n": 3}) == {
        "bob@example.test", "x@external.test"}
    assert named_addresses("bob@example.test domain_admin example.test") == set()
    assert named_addresses("a" * 400 + "@example.test") == set()
    assert (target_domain("bob@Example.test"), target_domain("example.test"), target_domain("audit log")) == (
        "example.test", "example.test", "")
