from mailadmin.models import AuditEntry

from .conftest import user_password

URL = "/accounts/dave@example.test/password/"


def test_it_sets_a_typed_password_hashed_by_the_server(domain_admin, slapd):
    r = domain_admin.post(URL, {"password": "new-password-9", "password2": "new-password-9"})
    assert r.status_code == 302
    assert user_password(slapd, "dave").startswith(b"{SSHA}")
    assert "new-password-9" not in str(AuditEntry.objects.values())


def test_it_shows_a_generated_password_once(helpdesk):
    r = helpdesk.post(URL, {"generate": "on"})
    assert r.status_code == 200 and r.context["password"] in r.content.decode()
    assert "no-store" in r["Cache-Control"]


def test_it_refuses_different_or_weak_passwords(domain_admin):
    r = domain_admin.post(URL, {"password": "new-password-9", "password2": "new-password-8"})
    assert r.status_code == 422 and "differ" in r.content.decode()
    r = domain_admin.post(URL, {"password": "short", "password2": "short"})
    assert r.status_code == 422 and "refused this password" in r.content.decode()


def test_it_hides_other_domains(outsider):
    assert outsider.post(URL, {"generate": "on"}).status_code == 404


def test_a_get_goes_back_to_the_account_page(domain_admin):
    r = domain_admin.get(URL)
    assert r.status_code == 302 and r["Location"] == "/accounts/dave@example.test/"


def test_it_shows_error_when_directory_down(domain_admin, directory_down):
    assert domain_admin.post(URL, {"generate": "on"}).status_code == 503
