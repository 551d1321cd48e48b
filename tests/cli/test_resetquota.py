import pytest

from mailadmin.directory import connect
from mailadmin.models import AuditEntry

from .helpers import account, refused, run, run_capture

pytestmark = pytest.mark.django_db


def test_it_resets_one_account_to_the_domain_default():
    assert "Quota of bob@example.test is now 500M (the domain default)." in run("resetquota", "bob@example.test")
    assert account("bob@example.test").quota_kb == 512000


def test_it_resets_a_whole_domain_and_counts():
    # bob (200M), carol (unlimited) and postmaster (none) differ; alice and dave have 500M already
    out = run("resetquota", "--domain", "example.test")
    assert out.strip() == "Reset 3 accounts of example.test to 500M; 2 had it already."
    for address in ("alice", "bob", "carol", "dave", "postmaster"):
        assert account(f"{address}@example.test").quota_kb == 512000
    row = AuditEntry.objects.get()  # one row for the domain, as the domain page writes
    assert (row.action, row.target, row.ok, row.actor.startswith("cli:")) == ("domain.quota_reset", "example.test",
                                                                             True, True)
    assert sorted(row.new["changed"]) == ["bob@example.test", "carol@example.test", "postmaster@example.test"]
    assert run("resetquota", "--domain", "example.test").strip() == (
        "Reset 0 accounts of example.test to 500M; 5 had it already.")


def test_it_uses_one_paged_search_and_one_modify_per_changed_account(monkeypatch):
    from mailadmin.directory.connection import Directory

    calls = []
    for name in ("search", "paged", "modify", "add", "delete"):
        original = getattr(Directory, name)
        monkeypatch.setattr(Directory, name, lambda self, *a, _o=original, _n=name, **k: (calls.append(_n), _o(
            self, *a, **k))[1])
    run("resetquota", "--domain", "example.test")
    assert calls.count("paged") == 1 and calls.count("modify") == 3
    assert calls.count("search") <= 3 + 3  # the domain lookups, and the read-back of each changed account


def test_an_account_changed_meanwhile_keeps_its_quota_and_is_named(monkeypatch):
    from mailadmin.directory import accounts as ldap_accounts

    plan = ldap_accounts.quota_resets

    def plan_then_someone_changes_bob(directory, domain):
        planned = plan(directory, domain)
        ldap_accounts.update_account(directory, account("bob@example.test"), {"name": "Bob, renamed meanwhile"})
        return planned

    monkeypatch.setattr(ldap_accounts, "quota_resets", plan_then_someone_changes_bob)
    ok, out, err = run_capture("resetquota", "--domain", "example.test")
    assert not ok and out.strip() == "Reset 2 accounts of example.test to 500M; 2 had it already."
    assert "keep their quota: bob@example.test." in err and "1 accounts could not be changed" in err
    assert account("bob@example.test").quota_kb == 204800 and account("carol@example.test").quota_kb == 512000
    assert AuditEntry.objects.get().new["failed"] == ["bob@example.test"]


def test_a_domain_without_default_uses_the_configured_one(settings):
    settings.MAIL_DEFAULT_QUOTA = 1024
    out = run("resetquota", "--domain", "other.test")
    assert out.strip() == "Reset 1 accounts of other.test to 1M; 0 had it already."


def test_it_refuses_an_unknown_domain_and_an_unknown_account():
    assert refused("resetquota", "--domain", "nowhere.test") == "There is no domain nowhere.test."
    assert refused("resetquota", "nobody@example.test") == "There is no account nobody@example.test."


def test_dry_run_counts_and_changes_nothing():
    assert run("resetquota", "--domain", "example.test", "--dry-run").strip() == (
        "Would reset 3 accounts of example.test to 500M; 2 have it already.")
    assert account("bob@example.test").quota_kb == 204800
    with connect():
        assert not AuditEntry.objects.exists()
