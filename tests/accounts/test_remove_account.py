import pytest

from mailadmin.directory import accounts, aliases
from mailadmin.models import AuditEntry

pytestmark = pytest.mark.both_profiles

URL = "/accounts/alice@example.test/remove/"


def test_it_asks_for_confirmation_on_get(domain_admin, directory):
    r = domain_admin.get(URL)
    assert r.status_code == 200 and "alice.martin@example.test" in r.content.decode()
    assert accounts.get_account(directory, "alice@example.test") is not None


def test_it_removes_the_account_and_its_list_memberships(domain_admin, directory):
    r = domain_admin.post(URL)
    assert r.status_code == 302 and r["Location"] == "/domains/example.test/"
    assert accounts.get_account(directory, "alice@example.test") is None
    team = aliases.get_valias(directory, "team@example.test")
    assert team.members == ("uid=dave,ou=Users,dc=example,dc=org",)
    assert AuditEntry.objects.get(action="account.remove").ok


def test_a_stale_confirmation_is_refused(domain_admin, directory, csn):
    old = csn("alice@example.test")
    accounts.update_account(directory, accounts.get_account(directory, "alice@example.test"), {"quota_kb": 3})
    r = domain_admin.post(URL, {"csn": old})
    assert r.status_code == 200 and "Someone else changed" in r.content.decode()
    assert accounts.get_account(directory, "alice@example.test") is not None


def test_it_escapes_the_name_on_the_confirmation_page(domain_admin, directory):
    alice = accounts.get_account(directory, "alice@example.test")
    accounts.update_account(directory, alice, {"name": '"><img src=x onerror=alert(1)>'})
    html = domain_admin.get(URL).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_helpdesk_may_not_remove(helpdesk):
    assert helpdesk.get(URL).status_code == 403


def test_a_domain_admin_cannot_remove_postmaster_or_abuse(domain_admin):
    assert domain_admin.post("/accounts/postmaster@example.test/remove/").status_code == 403
    assert domain_admin.post("/accounts/abuse@example.test/remove/").status_code == 403


def test_it_hides_other_domains(outsider):
    assert outsider.post(URL).status_code == 404


def test_it_shows_error_when_directory_down(domain_admin, directory_down):
    assert domain_admin.get(URL).status_code == 503
