from domains.forms import DomainForm
from mailadmin.directory import domains as ldap_domains
from mailadmin.models import AuditEntry
from tests.domains.conftest import set_description

URL = "/domains/example.test/edit/"


def _version(response) -> str:
    return response.context["form"]["version"].value()


def _post(client, version: str, description: str = "", default_quota: str = "", url: str = URL):
    return client.post(url, {"description": description, "default_quota": default_quota, "version": version})


def test_it_shows_the_current_values(superadmin):
    body = superadmin.get(URL).content.decode()
    assert 'value="The test company"' in body
    assert 'value="500M"' in body


def test_it_saves_description_and_quota(superadmin, directory):
    version = _version(superadmin.get(URL))
    r = _post(superadmin, version, "New", "1G")
    assert r.status_code == 302
    assert r["Location"] == "/domains/example.test/"
    domain = ldap_domains.get_domain(directory, "example.test")
    assert (domain.description, domain.default_quota_kb) == ("New", 1048576)
    entry = AuditEntry.objects.get()
    assert entry.action == "domain.change"
    assert (entry.old["description"], entry.new["description"]) == ("The test company", "New")


def test_it_removes_the_default_quota_when_left_empty(superadmin, directory):
    version = _version(superadmin.get(URL))
    _post(superadmin, version, "x", "")
    assert ldap_domains.get_domain(directory, "example.test").default_quota_kb is None


def test_it_does_not_apply_a_stale_form_and_shows_current_values(superadmin, directory):
    version = _version(superadmin.get(URL))
    set_description(directory, "example.test", "Changed by a colleague")
    r = _post(superadmin, version, "Mine", "1G")
    body = r.content.decode()
    assert r.status_code == 200
    assert "Someone else changed this entry since you opened it." in body
    assert "Changed by a colleague" in body  # the current values
    assert 'value="Mine"' in body and 'value="1G"' in body  # what the user typed
    assert ldap_domains.get_domain(directory, "example.test").description == "Changed by a colleague"
    assert AuditEntry.objects.get().ok is False


def test_saving_again_after_a_conflict_applies(superadmin, directory):
    version = _version(superadmin.get(URL))
    set_description(directory, "example.test", "Changed by a colleague")
    r = _post(superadmin, version, "Mine", "")
    r = _post(superadmin, _version(r), "Mine", "")
    assert r.status_code == 302
    assert ldap_domains.get_domain(directory, "example.test").description == "Mine"


def test_it_says_when_the_domain_was_removed_meanwhile(superadmin, directory):
    ldap_domains.create_domain(directory, "gone.test")
    version = _version(superadmin.get("/domains/gone.test/edit/"))
    # The entry goes between the view's read and the save: a form bound to the copy read before.
    domain = ldap_domains.get_domain(directory, "gone.test")
    ldap_domains.remove_domain(directory, domain)
    form = DomainForm({"description": "x", "default_quota": "", "version": version}, domain=domain)
    assert form.is_valid()
    assert form.save(directory, actor="test") is None
    assert "Someone else removed this domain" in str(form.non_field_errors())


def test_it_refuses_bad_input(superadmin):
    version = _version(superadmin.get(URL))
    r = _post(superadmin, version, "a\x01b", "-5")
    body = r.content.decode()
    assert "Control characters are not allowed." in body
    assert "is not a quota" in body


def test_it_lets_the_domain_admin_edit_its_own_domain(domain_admin, directory):
    version = _version(domain_admin.get(URL))
    r = _post(domain_admin, version, "Ours", "")
    assert r.status_code == 302


def test_it_hides_other_domains(outsider):
    assert outsider.get("/domains/example.test/edit/").status_code == 404
    assert outsider.post("/domains/example.test/edit/", {"description": "x"}).status_code == 404


def test_it_requires_write_role(helpdesk):
    assert helpdesk.get("/domains/example.test/edit/").status_code == 403


def test_it_escapes_directory_values(superadmin, directory):
    set_description(directory, "example.test", "<script>alert(1)</script>")
    body = superadmin.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in body


def test_it_requires_login(client):
    assert client.get("/domains/example.test/edit/")["Location"].startswith("/login/")


def test_it_shows_error_when_directory_down(superadmin, directory_down):
    assert superadmin.get(URL).status_code == 503
