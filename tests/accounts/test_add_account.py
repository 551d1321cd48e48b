import pytest

from mailadmin.directory import accounts
from mailadmin.models import AuditEntry

from .conftest import user_password

URL = "/domains/example.test/accounts/add/"
FORM = {"local_part": "zoe", "first_name": "Zoé", "last_name": "Zola", "uid": "zoe",
        "password": "zoe-password-1", "password2": "zoe-password-1", "quota": "", "aliases": "", "forwards": ""}


def test_it_prefills_the_domain_default_quota(domain_admin):
    r = domain_admin.get(URL)
    assert r.status_code == 200
    assert 'value="500M"' in r.content.decode()


def test_it_creates_an_account_with_a_hashed_password(domain_admin, directory, slapd):
    r = domain_admin.post(URL, {**FORM, "aliases": "z.zola@example.test", "forwards": "zoe@external.test",
                                "keep_copy": "on"})
    assert r.status_code == 302 and r["Location"] == "/accounts/zoe@example.test/"
    account = accounts.get_account(directory, "zoe@example.test")
    assert account.quota_kb == 512000 and account.aliases == ("z.zola@example.test",) and account.keeps_copy
    assert user_password(slapd, "zoe").startswith(b"{SSHA}")
    entry = AuditEntry.objects.get(action="account.create")
    assert entry.actor == "dadmin" and "zoe-password-1" not in str(entry.new)


def test_it_shows_a_generated_password_once_and_stores_it_nowhere(domain_admin, client):
    r = domain_admin.post(URL, {**FORM, "password": "", "password2": "", "generate": "on"})
    assert r.status_code == 200
    password = r.context["password"]
    assert password and password in r.content.decode()
    assert password not in str(dict(client.session)) and password not in str(AuditEntry.objects.values())


def test_it_refuses_an_address_in_use_and_names_where(domain_admin):
    r = domain_admin.post(URL, {**FORM, "local_part": "d.thomas", "uid": "dt"})
    assert r.status_code == 200
    assert "already an alias of the account dave@example.test" in r.content.decode()
    r = domain_admin.post(URL, {**FORM, "aliases": "team@example.test"})
    assert "already a virtual alias" in r.content.decode()


def test_it_refuses_aliases_outside_the_users_domains(domain_admin):
    r = domain_admin.post(URL, {**FORM, "aliases": "zoe@other.test\nzoe@nowhere.test"})
    html = r.content.decode()
    assert "You do not administer the domain of zoe@other.test" in html
    # The same answer for a domain not hosted here: the form does not tell a domain admin which domains are hosted.
    assert "You do not administer the domain of zoe@nowhere.test" in html


def test_it_tells_a_superadmin_that_a_domain_is_not_hosted(superadmin):
    html = superadmin.post(URL, {**FORM, "aliases": "zoe@nowhere.test"}).content.decode()
    assert "zoe@nowhere.test is not in a domain hosted here" in html


@pytest.mark.parametrize("data, field", [
    ({"local_part": "a/b"}, "local_part"), ({"uid": "../x"}, "uid"), ({"password2": "other-pass-1"}, "password2"),
    ({"quota": "lots"}, "quota"), ({"forwards": "not-an-address"}, "forwards"),
])
def test_it_refuses_bad_input(domain_admin, data, field):
    r = domain_admin.post(URL, {**FORM, **data})
    assert r.status_code == 200 and field in r.context["form"].errors


def test_the_directory_refuses_a_weak_password(domain_admin):
    r = domain_admin.post(URL, {**FORM, "password": "short", "password2": "short"})
    assert "password" in r.context["form"].errors


def test_it_hides_other_domains(outsider):
    assert outsider.get(URL).status_code == 404


def test_helpdesk_may_not_create(helpdesk):
    assert helpdesk.get(URL).status_code == 403


def test_it_requires_login(client):
    r = client.get(URL)
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_it_shows_error_when_directory_down(domain_admin, directory_down):
    assert domain_admin.get(URL).status_code == 503
