from mailadmin.directory import domains as ldap_domains
from mailadmin.models import AuditEntry


def test_it_shows_the_form(superadmin):
    r = superadmin.get("/domains/add/")
    assert r.status_code == 200
    assert 'name="name"' in r.content.decode()


def test_it_adds_a_domain_and_says_so(superadmin, directory):
    r = superadmin.post("/domains/add/", {"name": "Bücher.Test", "description": "Books", "default_quota": "1.5G"})
    assert r.status_code == 302
    assert r["Location"] == "/domains/xn--bcher-kva.test/"
    domain = ldap_domains.get_domain(directory, "xn--bcher-kva.test")
    assert (domain.description, domain.default_quota_kb) == ("Books", 1572864)
    assert "Added the domain bücher.test." in superadmin.get(r["Location"]).content.decode()


def test_it_records_the_change_in_the_audit_log(superadmin):
    superadmin.post("/domains/add/", {"name": "new.test", "description": "", "default_quota": ""})
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target, entry.ok) == ("root", "domain.add", "new.test", True)


def test_it_refuses_an_existing_domain(superadmin):
    r = superadmin.post("/domains/add/", {"name": "EXAMPLE.test", "description": "", "default_quota": ""})
    assert r.status_code == 200
    assert "The domain example.test exists already." in r.content.decode()


def test_it_refuses_bad_input_and_keeps_it(superadmin, directory):
    r = superadmin.post("/domains/add/", {"name": "x,ou=Users", "description": "kept", "default_quota": "10 bananas"})
    body = r.content.decode()
    assert r.status_code == 200
    assert "is not a valid domain name" in body
    assert "is not a quota" in body
    assert 'value="kept"' in body
    assert len(ldap_domains.list_domains(directory, with_counts=False)) == 2


def test_it_escapes_what_was_typed(superadmin):
    body = superadmin.post("/domains/add/", {"name": "<script>x</script>", "description": "<b>hi</b>"}).content.decode()
    assert "<script>x</script>" not in body
    assert "<b>hi</b>" not in body


def test_it_is_for_superadmins_only(domain_admin):
    assert domain_admin.get("/domains/add/").status_code == 403
    assert domain_admin.post("/domains/add/", {"name": "mine.test"}).status_code == 403


def test_it_requires_login(client):
    r = client.post("/domains/add/", {"name": "anon.test"})
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")


def test_it_shows_error_when_directory_down(superadmin, directory_down):
    r = superadmin.post("/domains/add/", {"name": "new.test"}, HTTP_REFERER="http://testserver/domains/add/")
    assert r.status_code == 302
    page = superadmin.get("/domains/add/")
    assert "The directory is not reachable right now; nothing was changed." in page.content.decode()


def test_it_answers_503_when_directory_down_without_a_form_to_return_to(superadmin, directory_down):
    assert superadmin.post("/domains/add/", {"name": "new.test"}).status_code == 503
