import pytest

from mailadmin.directory import connect
from mailadmin.directory import domains as ldap_domains
from mailadmin.models import AuditEntry

from .helpers import refused, run

pytestmark = pytest.mark.django_db


def _exists(name: str) -> bool:
    with connect() as directory:
        return ldap_domains.get_domain(directory, name) is not None


def test_it_removes_an_unused_domain(slapd):
    run("createdomain", "empty.test")
    assert "Removed domain empty.test." in run("deletedomain", "empty.test")
    assert not _exists("empty.test")
    entry = AuditEntry.objects.get(action="domain.remove")
    assert entry.ok and entry.target == "empty.test" and entry.actor.startswith("cli:")


def test_it_refuses_a_domain_in_use_and_lists_the_addresses():
    message = refused("deletedomain", "example.test")
    assert "alice@example.test" in message and "team@example.test" in message
    assert _exists("example.test")
    assert not AuditEntry.objects.get(action="domain.remove").ok


def test_it_refuses_an_unknown_domain():
    assert refused("deletedomain", "nowhere.test") == "There is no domain nowhere.test."


def test_it_refuses_an_invalid_name_with_the_form_text():
    assert "is not a valid domain name" in refused("deletedomain", "x,ou=Users")


def test_dry_run_removes_nothing():
    run("createdomain", "empty.test")
    assert "Would remove empty.test." in run("deletedomain", "empty.test", "--dry-run")
    assert _exists("empty.test")
    assert "alice@example.test" in refused("deletedomain", "example.test", "--dry-run")
    assert not AuditEntry.objects.filter(action="domain.remove").exists()
