import pytest

from accounts.forms import QuotaForm
from mailadmin.models import AuditEntry

from .helpers import account, refused, run

pytestmark = pytest.mark.django_db


def test_it_sets_a_quota_in_human_units():
    assert "Quota of bob@example.test is now 1.5G." in run("setquota", "bob@example.test", "1.5G")
    assert account("bob@example.test").quota_kb == 1572864
    entry = AuditEntry.objects.get(action="account.quota")
    assert (entry.old["quota_kb"], entry.new["quota_kb"]) == (204800, 1572864)


def test_it_refuses_what_the_form_refuses_with_the_same_text():
    bob = account("bob@example.test")
    form = QuotaForm({"quota": "-5", "csn": bob.csn}, account=bob)
    assert not form.is_valid()
    assert refused("setquota", "bob@example.test", "-5") == f"quota: {form.errors['quota'][0]}"
    assert account("bob@example.test").quota_kb == 204800


def test_it_refuses_an_unknown_account_and_an_alias():
    assert refused("setquota", "nobody@example.test", "1G") == "There is no account nobody@example.test."
    assert "is an alias of alice@example.test" in refused("setquota", "alice.martin@example.test", "1G")


def test_dry_run_changes_nothing():
    assert "Would set the quota of bob@example.test to 1G." in run("setquota", "bob@example.test", "1G", "--dry-run")
    assert account("bob@example.test").quota_kb == 204800


def test_an_empty_quota_removes_the_rule():
    assert "bob@example.test now has no quota rule of its own." in run("setquota", "bob@example.test", "")
    assert account("bob@example.test").quota_kb is None
