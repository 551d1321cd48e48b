from mailadmin.directory import domains as ldap_domains
from mailadmin.models import AuditEntry


def test_it_asks_for_confirmation_on_get(superadmin, directory):
    r = superadmin.get("/domains/example.test/delete/")
    assert r.status_code == 200
    assert "Remove example.test?" in r.content.decode()
    assert ldap_domains.get_domain(directory, "example.test") is not None


def test_it_removes_an_unused_domain(superadmin, directory):
    ldap_domains.create_domain(directory, "empty.test")
    r = superadmin.post("/domains/empty.test/delete/")
    assert r.status_code == 302
    assert r["Location"] == "/domains/"
    assert ldap_domains.get_domain(directory, "empty.test") is None
    assert "Removed the domain empty.test." in superadmin.get("/domains/").content.decode()
    assert AuditEntry.objects.get().action == "domain.remove"


def test_it_refuses_while_the_domain_is_used_and_lists_by_what(superadmin, directory):
    r = superadmin.post("/domains/example.test/delete/")
    body = r.content.decode()
    assert r.status_code == 200
    assert "is still used by the addresses listed below" in body
    assert "<li>alice@example.test</li>" in body
    assert "<li>team@example.test</li>" in body
    assert ldap_domains.get_domain(directory, "example.test") is not None


def test_it_is_for_superadmins_only(domain_admin, directory):
    assert domain_admin.get("/domains/example.test/delete/").status_code == 403
    assert domain_admin.post("/domains/example.test/delete/").status_code == 403
    assert ldap_domains.get_domain(directory, "example.test") is not None


def test_it_hides_other_domains(outsider):
    assert outsider.get("/domains/example.test/delete/").status_code == 404


def test_it_answers_404_for_a_missing_domain(superadmin):
    assert superadmin.post("/domains/missing.test/delete/").status_code == 404


def test_it_escapes_directory_values(superadmin, directory):
    ldap_domains.create_domain(directory, "xss.test", "<script>alert(1)</script>")
    assert "<script>" not in superadmin.get("/domains/xss.test/delete/").content.decode()


def test_it_requires_login(client, directory):
    ldap_domains.create_domain(directory, "empty.test")
    assert client.post("/domains/empty.test/delete/")["Location"].startswith("/login/")
    assert ldap_domains.get_domain(directory, "empty.test") is not None


def test_it_shows_error_when_directory_down(superadmin, directory_down):
    assert superadmin.get("/domains/example.test/delete/").status_code == 503
