"""Signing in with a mailbox (LDAP bind) and the session, CSRF, header and deployment protections around it."""

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory

from mailadmin.directory import connect
from mailadmin.directory.connection import password_matches
from mailadmin.models import AuditEntry, Role
from mailadmin.roles import tie_identity
from tests.cli.helpers import run
from tests.conftest import BASE_LDIF, OUS, start_instance, use_instance

ROOT = Path(__file__).resolve().parent.parent
ALICE, ALICE_PASSWORD = "alice@example.test", "alice-password-1"
ALICE_DN = "uid=alice,ou=Users,dc=example,dc=org"


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    """ModelBackend hashes the password of every unknown user (timing parity): cheaply in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _console_user(username: str, kind: str | None = Role.DOMAIN_ADMIN):
    user = get_user_model().objects.create_user(username=username)  # no usable Django password: LDAP only
    if kind:
        Role.objects.create(user=user, kind=kind, domain="example.test")
    _tie(user)
    return user


def _tie(user) -> None:
    """What `adminrole grant` does: record the entry holding the user's address as the one it signs in as."""
    with connect() as directory:
        tie_identity(directory, user)


@pytest.fixture
def alice(db):
    return _console_user(ALICE)


def _login(client, username: str, password: str, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _authenticate(username: str, password: str):
    return authenticate(RequestFactory().post("/login/"), username=username, password=password)


def test_the_right_mailbox_password_signs_in(client, alice):
    response = _login(client, ALICE, ALICE_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == alice.pk


def test_the_address_is_normalised_before_the_lookup(client, alice):
    assert _authenticate("  ALICE@Example.Test ", ALICE_PASSWORD) == alice


def test_a_wrong_password_is_refused(client, alice):
    assert _login(client, ALICE, "wrong-password").status_code == 200
    assert not _signed_in(client)


@pytest.mark.parametrize("password", ["", " ", "   \t"])
def test_an_empty_or_blank_password_is_refused(client, alice, password):
    assert _authenticate(ALICE, password) is None
    _login(client, ALICE, password)
    assert not _signed_in(client)


@pytest.fixture(scope="module")
def anonymous_slapd(tmp_path_factory):
    """A slapd that accepts a DN with an empty password as an (anonymous) successful bind."""
    instance = start_instance(tmp_path_factory.mktemp("anon"), allow="bind_anon_dn bind_anon_cred")
    for ou in OUS:
        instance.delete_tree(ou)
    instance.add_ldif(BASE_LDIF)
    yield instance
    instance.destroy()


def test_an_empty_password_fails_even_where_the_server_accepts_it(anonymous_slapd, alice):
    use_instance(anonymous_slapd)
    _tie(alice)  # this server's alice is another entry than the one alice was tied to
    raw = subprocess.run(["ldapwhoami", "-x", "-H", anonymous_slapd.uri, "-D", ALICE_DN, "-w", ""], capture_output=True)
    assert raw.returncode == 0  # the danger: this server calls a DN with an empty password a successful bind
    assert password_matches(ALICE_DN, "") is False
    assert _authenticate(ALICE, "") is None and _authenticate(ALICE, " ") is None
    assert _authenticate(ALICE, ALICE_PASSWORD) == alice


def test_the_stored_hash_as_password_is_refused(client, alice, directory):
    stored = directory.read(ALICE_DN, ("userPassword",)).first("userPassword")
    assert stored.startswith("{SSHA}")
    assert _authenticate(ALICE, stored) is None


def test_a_disabled_account_cannot_sign_in(db):
    _console_user("dave@example.test")
    assert password_matches("uid=dave,ou=Users,dc=example,dc=org", "bob-password-22")
    assert _authenticate("dave@example.test", "bob-password-22") is None


def test_an_alias_signs_in_only_as_its_account_for_self_service(db):
    console = _console_user("alice.martin@example.test")
    user = _authenticate("alice.martin@example.test", ALICE_PASSWORD)
    assert user != console and user.username == ALICE and not user.mail_roles.exists()  # "My account", no console


def test_an_account_without_a_role_signs_in_for_self_service_only_and_a_wrong_password_creates_no_user(db):
    user = _authenticate("bob@example.test", "bob-password-22")
    assert user.username == "bob@example.test" and not user.is_superuser and not user.mail_roles.exists()
    assert user.backend == "selfservice.auth.MailUserBackend" and not user.has_usable_password()
    assert _authenticate("carol@example.test", "whatever-password") is None
    assert not get_user_model().objects.filter(username="carol@example.test").exists()


def test_a_superuser_address_signs_in_with_its_mailbox_password(db):
    user = get_user_model().objects.create_superuser(username="bob@example.test", email="", password=None)
    _tie(user)  # `adminrole confirm bob@example.test`
    assert _authenticate("bob@example.test", "bob-password-22") == user


def test_an_unknown_user_and_a_wrong_password_look_the_same(client, alice):
    unknown = _login(client, "nobody@example.test", "wrong-password")
    wrong = _login(client, ALICE, "wrong-password")
    assert unknown.status_code == wrong.status_code == 200
    assert [t.name for t in unknown.templates] == [t.name for t in wrong.templates]
    assert unknown.context["form"].errors == wrong.context["form"].errors
    assert unknown.context["form"].non_field_errors()


def test_five_failures_lock_the_user_even_when_the_forwarded_address_changes(client, alice):
    for i in range(5):
        _login(client, ALICE, "wrong-password", REMOTE_ADDR=f"10.0.0.{i}", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    locked = _login(client, ALICE, ALICE_PASSWORD, REMOTE_ADDR="10.0.1.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert locked.status_code in (403, 429)
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    assert not _signed_in(client)


def test_the_session_key_changes_at_login(client, alice):
    before = client.session
    before["seen"] = True
    before.save()
    _login(client, ALICE, ALICE_PASSWORD)
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before.session_key
    assert not Session.objects.filter(session_key=before.session_key).exists()


def test_logout_removes_the_session_on_the_server(client, alice):
    _login(client, ALICE, ALICE_PASSWORD)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=key).exists()
    assert client.post("/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert not _signed_in(client)


@pytest.mark.parametrize("url", ["/login/", "/logout/"])
def test_a_post_without_csrf_token_is_refused(db, alice, url):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(url, {"username": ALICE, "password": ALICE_PASSWORD})
    assert response.status_code == 403
    assert not _signed_in(strict)


def test_responses_forbid_framing(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_deploy_check_passes_with_production_settings(slapd, tmp_path):
    env = {
        **os.environ, "DEBUG": "false", "SECRET_KEY": "k" * 20 + "Zq9-x_T7pL2mW4vR8sN1bY6cJ3hF5dG0aE" + "u" * 10,
        "SECURE_COOKIES": "true", "SECURE_SSL_REDIRECT": "true", "SECURE_HSTS_SECONDS": "31536000",
        "ALLOWED_HOSTS": "mail.example.org", "LDAP_URL": slapd.uri, "LDAP_BIND_DN": slapd.service_dn,
        "LDAP_BIND_PASSWORD_FILE": str(slapd.service_password_file), "LDAP_BASE_DN": "dc=example,dc=org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the test suite for live_server, never in production
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _renamed_by_another_tool(test_directory, dn: str, address: str) -> None:
    """What MMC or ldapmodify does: the entry's primary address changes, and mailadmin is not told."""
    test_directory.ldap_tool("ldapmodify", input_text=f"dn: {dn}\nchangetype: modify\nreplace: mail\nmail: {address}\n")


def test_a_console_user_takes_its_mailboxs_new_address_when_mailadmin_renames_it(client, alice):
    run("renameaccount", ALICE, "alicia@example.test")  # the console and the API rename through the same form
    alice.refresh_from_db()
    assert alice.username == "alicia@example.test" and alice.mail_roles.get().domain == "example.test"
    row = AuditEntry.objects.get(action="user.rename")
    assert (row.actor, row.old, row.new) == ("system", {"username": ALICE}, {"username": "alicia@example.test"})
    assert _authenticate("alicia@example.test", ALICE_PASSWORD) == alice
    assert _authenticate(ALICE, ALICE_PASSWORD) is None  # the former address is no sign-in name any more


def test_a_console_user_follows_its_mailbox_renamed_by_another_tool_at_sign_in(client, alice, test_directory):
    _renamed_by_another_tool(test_directory, ALICE_DN, "alicia@example.test")
    assert _authenticate("alicia@example.test", "wrong-password") is None
    assert get_user_model().objects.get(pk=alice.pk).username == ALICE  # nothing follows a refused sign-in
    assert _authenticate("alicia@example.test", ALICE_PASSWORD) == alice
    alice.refresh_from_db()
    assert alice.username == "alicia@example.test" and alice.mail_roles.get().domain == "example.test"
    row = AuditEntry.objects.get(action="user.rename")
    assert (row.actor, row.old, row.new) == ("system", {"username": ALICE}, {"username": "alicia@example.test"})
    assert _authenticate(ALICE, ALICE_PASSWORD) is None


@pytest.mark.parametrize("renamed_by", ["mailadmin", "another tool"])
def test_a_new_mailbox_at_a_console_users_former_address_signs_in_as_its_own_mail_user(
        client, alice, test_directory, renamed_by):
    if renamed_by == "mailadmin":
        run("renameaccount", ALICE, "alicia@example.test")
    else:
        _renamed_by_another_tool(test_directory, ALICE_DN, "alicia@example.test")
    run("createaccount", ALICE, "--password-stdin", stdin="newcomer-password-1")
    newcomer = _authenticate(ALICE, "newcomer-password-1")
    assert newcomer is not None and newcomer.pk != alice.pk  # at once, without waiting for alice's next sign-in
    assert not newcomer.is_superuser and not newcomer.mail_roles.exists()
    alice.refresh_from_db()
    assert alice.username == "alicia@example.test" and alice.mail_roles.get().domain == "example.test"
    assert AuditEntry.objects.filter(action="user.rename").count() == 1
    assert _authenticate("alicia@example.test", ALICE_PASSWORD) == alice  # still alice, with her role


def test_no_rename_onto_a_name_another_user_holds(client, alice, test_directory):
    get_user_model().objects.create_user("alicia@example.test")  # e.g. a stale user of an older mailbox
    run("renameaccount", ALICE, "alicia@example.test")
    assert get_user_model().objects.get(pk=alice.pk).username == ALICE
    assert _authenticate("alicia@example.test", ALICE_PASSWORD) is None
    assert get_user_model().objects.get(pk=alice.pk).username == ALICE
    assert not AuditEntry.objects.filter(action="user.rename").exists()
