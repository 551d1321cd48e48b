"""My account: a plain mail user signs in with its address or an alias, sees its quota and where its mail goes, and
changes its password (Password Modify bound as itself) and forwards; nothing else of the console."""

from __future__ import annotations

import pytest
from django.test import Client

from mailadmin.directory.connection import password_matches
from mailadmin.models import AuditEntry
from mailadmin.self_service import set_self_service
from tests.conftest import _client

from .conftest import BOB, BOB_DN, BOB_PASSWORD, sign_in

NEW_PASSWORD = "a-new-Passw0rd-for-bob"
pytestmark = pytest.mark.both_profiles  # a stock MDS directory too: self-service needs only `by self write`


def test_a_mail_user_signs_in_and_lands_on_my_account(db):
    client = Client()
    assert sign_in(client)["Location"] == "/"
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/me/"
    page = response.content.decode()
    assert "My account" in page and "200M" in page and "Mail is forwarded to" in page and "bob@external.test" in page
    assert "/domains/" not in page  # no console menu


def test_an_alias_signs_in_as_its_account(db):
    client = Client()
    assert sign_in(client, "Alice.Martin@example.test", "alice-password-1").status_code == 302
    assert "alice@example.test" in client.get("/me/").content.decode()


def test_a_disabled_account_or_a_wrong_password_cannot_sign_in(db):
    assert sign_in(Client(), "dave@example.test", "bob-password-22").status_code == 200
    assert sign_in(Client(), BOB, "wrong-password").status_code == 200


def test_console_pages_are_hidden_from_a_mail_user(mail_user):
    for url in ("/domains/", "/accounts/bob@example.test/", "/search/?q=bob", "/route/?address=bob@example.test"):
        assert mail_user.get(url).status_code == 404, url


def test_it_changes_the_password_bound_as_the_user_with_the_old_one(mail_user, test_directory):
    response = mail_user.post("/me/password/", {"old_password": BOB_PASSWORD, "password": NEW_PASSWORD,
                                                "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert password_matches(BOB_DN, NEW_PASSWORD) and not password_matches(BOB_DN, BOB_PASSWORD)
    assert mail_user.get("/me/").status_code == 200  # this session goes on
    row = AuditEntry.objects.get(action="account.password")
    assert row.actor == f"self:{BOB}" and row.ok


@pytest.mark.project_profile  # the accesslog overlay
def test_the_change_is_made_by_the_users_own_entry(mail_user, test_directory):
    """The accesslog (project profile) records who changed the password: bob himself, not the service account."""
    mail_user.post("/me/password/", {"old_password": BOB_PASSWORD, "password": NEW_PASSWORD,
                                     "password2": NEW_PASSWORD})
    log = test_directory.ldap_tool("ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-b", "cn=accesslog",
                                   f"(&(reqDN={BOB_DN})(reqMod=userPassword:*))", "reqStart", "reqAuthzID")
    writes = sorted(tuple(line.split(": ", 1)[1] for line in entry.splitlines()[1:])
                    for entry in log.stdout.strip().split("\n\n"))
    assert writes[-1][1] == BOB_DN  # (reqStart, reqAuthzID) of the latest change of bob's password


def test_a_wrong_old_password_changes_nothing(mail_user):
    response = mail_user.post("/me/password/", {"old_password": "not-my-password", "password": NEW_PASSWORD,
                                                "password2": NEW_PASSWORD})
    assert response.status_code == 422 and "The current password is wrong." in response.content.decode()
    assert password_matches(BOB_DN, BOB_PASSWORD)
    assert AuditEntry.objects.get(action="account.password").ok is False


@pytest.mark.project_profile  # ppolicy
def test_the_directorys_password_policy_judges_the_new_password(mail_user):
    response = mail_user.post("/me/password/", {"old_password": BOB_PASSWORD, "password": "short",
                                                "password2": "short"})
    assert response.status_code == 422 and "The directory refused this password" in response.content.decode()
    assert password_matches(BOB_DN, BOB_PASSWORD)


def test_it_adds_and_removes_a_forward_with_a_copy(mail_user, directory):
    response = mail_user.post("/me/forwards/add/", {"address": "me@elsewhere.test", "keep_copy": "on"})
    assert response.status_code == 302
    forwards = set(directory.read(BOB_DN, ("maildrop",)).values("maildrop"))
    assert forwards == {"bob@external.test", "me@elsewhere.test", BOB}
    assert mail_user.post("/me/forwards/remove/", {"address": "bob@external.test"}).status_code == 302
    assert set(directory.read(BOB_DN, ("maildrop",)).values("maildrop")) == {"me@elsewhere.test", BOB}
    assert set(AuditEntry.objects.values_list("actor", flat=True)) == {f"self:{BOB}"}


def test_removing_a_forward_is_confirmed_on_a_page_of_its_own(mail_user, directory):
    response = mail_user.get("/me/forwards/remove/", {"address": "bob@external.test"})
    page = response.content.decode()
    assert response.status_code == 200 and "Stop forwarding to bob@external.test?" in page
    assert 'name="address" value="bob@external.test"' in page and 'href="/me/"' in page  # posts it; Cancel goes back
    assert "bob@external.test" in directory.read(BOB_DN, ("maildrop",)).values("maildrop")  # nothing removed yet


def test_confirming_a_forward_it_does_not_have_goes_back_to_my_account(mail_user):
    assert mail_user.get("/me/forwards/remove/", {"address": "someone@else.test"})["Location"] == "/me/"


def test_a_stale_form_says_someone_else_changed_it(mail_user, directory, test_directory):
    csn = directory.read(BOB_DN, ("entryCSN",)).first("entryCSN")
    test_directory.ldap_tool("ldapmodify", input_text=f"dn: {BOB_DN}\nchangetype: modify\nreplace: cn\ncn: Bobby\n")
    response = mail_user.post("/me/forwards/add/", {"address": "me@elsewhere.test", "csn": csn})
    assert response.status_code == 422 and "Someone else changed" in response.content.decode()


def test_posted_data_never_reaches_another_entry(mail_user, directory):
    """Whatever is posted, the account is the session's: an `account` or address field of someone else is ignored."""
    mail_user.post("/me/forwards/add/", {"address": "x@elsewhere.test", "account": "alice@example.test",
                                          "mail": "alice@example.test"})
    assert "x@elsewhere.test" not in directory.read("uid=alice,ou=Users,dc=example,dc=org",
                                                    ("maildrop",)).values("maildrop")


def test_self_service_off_for_the_domain_refuses_sign_in_and_ends_the_pages(mail_user, db):
    set_self_service("example.test", False, actor="test")
    assert mail_user.get("/me/").status_code == 403
    assert sign_in(Client()).status_code == 200
    set_self_service("example.test", True, actor="test")
    set_self_service("", False, actor="test")  # everywhere
    assert sign_in(Client()).status_code == 200


def test_console_users_have_no_my_account(superadmin):
    assert superadmin.get("/me/").status_code == 404


def test_domain_admins_switch_self_service_for_their_domain(db):
    domain_admin = _client(Client(), "dadmin", roles=[("domain_admin", "example.test")])
    outsider = _client(Client(), "outsider", roles=[("domain_admin", "other.test")])
    helpdesk = _client(Client(), "helper", roles=[("helpdesk", "")])
    assert domain_admin.post("/domains/example.test/self-service/", {}).status_code == 302
    assert sign_in(Client()).status_code == 200  # off: bob cannot sign in
    assert domain_admin.post("/domains/example.test/self-service/", {"enabled": "on"}).status_code == 302
    assert sign_in(Client()).status_code == 302
    assert outsider.post("/domains/example.test/self-service/", {}).status_code == 404
    assert helpdesk.post("/domains/example.test/self-service/", {}).status_code == 403


def test_sign_in_is_throttled_like_the_consoles(db, settings):
    """django-axes counts a mail user's failures under the normalised address: the right password is then refused."""
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "Bob@Example.test ", "wrong-password")
    assert sign_in(Client()).status_code == 429
    assert password_matches(BOB_DN, BOB_PASSWORD)  # the mailbox itself is not locked


def test_signing_in_gives_a_new_session_key(db, settings):
    """A session planted before sign-in (session fixation) is not the one that signs in."""
    client = Client()
    planted = client.session
    planted["planted"] = True
    planted.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert sign_in(client).status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != planted.session_key
    assert client.session.get("planted") is True and client.session.get("_auth_user_id")  # same data, new key
