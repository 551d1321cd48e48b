"""The 503 page tells superadmins why the directory cannot be used, per server; everyone else gets a generic text."""

import html

from django.conf import settings

WRONG = "Wrong-Secret-4711"


def _page(client) -> str:
    r = client.get("/domains/")
    assert r.status_code == 503
    return html.unescape(r.content.decode())


def test_a_superadmin_sees_the_cause_for_each_server(superadmin, directory_down):
    page = _page(superadmin)
    assert "ldap://127.0.0.1:1: connection refused by 127.0.0.1 port 1: no LDAP server listens there" in page
    assert "manage.py checkconnection" in page


def test_a_superadmin_sees_a_wrong_password_named_but_never_the_password(superadmin):
    settings.LDAP_BIND_PASSWORD = WRONG
    page = _page(superadmin)
    assert f"invalid credentials for LDAP_BIND_DN {settings.LDAP_BIND_DN}: check LDAP_BIND_PASSWORD" in page
    assert WRONG not in page


def test_a_superadmin_sees_a_missing_base_dn(superadmin):
    settings.LDAP_BASE_DN = "dc=nowhere,dc=org"
    assert "LDAP_BASE_DN dc=nowhere,dc=org does not exist" in _page(superadmin)


def test_a_domain_admin_sees_only_the_generic_text(domain_admin, directory_down):
    page = _page(domain_admin)
    assert "mailadmin could not reach the LDAP directory in time." in page
    assert "tell an administrator of this console" in page
    assert "127.0.0.1" not in page and "refused" not in page and "checkconnection" not in page


def test_a_helpdesk_sees_no_dn_of_the_service_account(helpdesk):
    settings.LDAP_BIND_PASSWORD = WRONG
    page = _page(helpdesk)
    assert settings.LDAP_BIND_DN not in page and WRONG not in page and "invalid credentials" not in page
