import pytest

from mailadmin.models import AuditEntry

from .helpers import account, refused, run

pytestmark = pytest.mark.django_db


def test_it_disables_and_enables_an_account():
    assert "Disabled bob@example.test" in run("disable", "bob@example.test")
    assert not account("bob@example.test").enabled
    assert "Enabled bob@example.test." in run("enable", "bob@example.test")
    assert account("bob@example.test").enabled
    assert list(AuditEntry.objects.order_by("id").values_list("action", "ok")) == [
        ("account.disable", True), ("account.enable", True)]


def test_it_says_when_nothing_is_to_change():
    assert run("enable", "alice@example.test").strip() == "alice@example.test is enabled already."
    assert run("disable", "dave@example.test").strip() == "dave@example.test is disabled already."
    assert not AuditEntry.objects.exists()


def test_it_refuses_an_unknown_account():
    assert refused("disable", "nobody@example.test") == "There is no account nobody@example.test."
    assert "is not an e-mail address" in refused("enable", "nobody")


def test_dry_run_changes_nothing():
    assert "Would disable bob@example.test." in run("disable", "bob@example.test", "--dry-run")
    assert account("bob@example.test").enabled
