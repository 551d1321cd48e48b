import pytest

from mailadmin.directory import accounts

pytestmark = pytest.mark.both_profiles


def test_it_shows_quota_status_and_routing(domain_admin):
    r = domain_admin.get("/accounts/carol@example.test/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "unlimited" in html and "carol@external.test" in html and "a copy is kept" in html
    assert "/home/vmail/carol/" in html


def test_it_says_why_a_disabled_account_bounces(domain_admin):
    assert "the account is disabled" in domain_admin.get("/accounts/dave@example.test/").content.decode()


def test_an_alias_redirects_to_the_primary_address(domain_admin):
    r = domain_admin.get("/accounts/ALICE.Martin@example.test/")
    assert r.status_code == 302 and r["Location"] == "/accounts/alice@example.test/"


def test_it_escapes_directory_values(domain_admin, directory):
    alice = accounts.get_account(directory, "alice@example.test")
    accounts.update_account(directory, alice, {"name": "<script>alert(1)</script>", "mailhost": ""})
    html = domain_admin.get("/accounts/alice@example.test/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_helpdesk_sees_only_what_it_may_change(helpdesk):
    r = helpdesk.get("/accounts/alice@example.test/")
    assert r.status_code == 200
    assert r.context["may"] == {"quota": True, "status": True, "password": True, "aliases": False,
                                "forwards": False, "remove": False, "rename": False, "edit": False,
                                "vacation": False}


def test_it_hides_other_domains_and_unknown_addresses(outsider):
    assert outsider.get("/accounts/alice@example.test/").status_code == 404
    assert outsider.get("/accounts/nobody@other.test/").status_code == 404
    assert outsider.get("/accounts/not-an-address/").status_code == 404


def test_it_requires_login(client):
    assert client.get("/accounts/alice@example.test/").status_code == 302


def test_it_shows_error_when_directory_down(domain_admin, directory_down):
    r = domain_admin.get("/accounts/alice@example.test/")
    assert r.status_code == 503
