"""Two-factor sign-in: enrolment forced by MFA_REQUIRED_FOR (superadmin by default), a code after the password, no
replay, one step of drift, single-use recovery codes, wrong codes throttled by django-axes, resets audited; mail users
(self-service) may enrol too, never forced; anyone whose role does not require it may turn it off with a code."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mailadmin.models import AuditEntry, Role
from tests.cli.helpers import refused, run

NOW = 1_900_000_005.0  # a fixed clock for django-otp: 5 seconds into a 30-second step
PASSWORD = "persona-password-1"


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr("django_otp.plugins.otp_totp.models.time.time", lambda: NOW)


def _code(device: TOTPDevice, steps_ago: int = 0) -> str:
    return f"{hotp(device.bin_key, int(NOW // 30) - steps_ago):06d}"


def _user(username: str, *, superuser: bool = False, role: tuple[str, str] | None = None):
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_superuser=superuser)
    if role:
        Role.objects.create(user=user, kind=role[0], domain=role[1])
    return user


def _sign_in(username: str, password: str = PASSWORD, going_to: str = "/domains/") -> tuple[Client, str]:
    client = Client()
    response = client.post("/login/", {"username": username, "password": password, "next": going_to})
    return client, response["Location"]


def _enrol(client: Client, going_to: str = "/domains/") -> tuple[TOTPDevice, list[str]]:
    page = client.get("/two-factor/enrol/")
    assert page.status_code == 200 and "<svg" in page.content.decode() and page.context["secret"]
    device = TOTPDevice.objects.get(confirmed=False)
    done = client.post("/two-factor/enrol/", {"code": _code(device, steps_ago=1)})  # a phone one step slow
    assert done.status_code == 200 and done.context["next"] == going_to
    return device, done.context["codes"]


def test_a_superadmin_must_enrol_at_next_sign_in_then_needs_a_code(db, clock):
    _user("root", superuser=True)
    client, location = _sign_in("root")
    assert location == "/two-factor/enrol/"
    assert client.get("/domains/")["Location"] == "/two-factor/enrol/"  # nothing else until enrolled
    device, codes = _enrol(client)
    assert len(set(codes)) == 10 and client.get("/domains/").status_code == 200
    assert AuditEntry.objects.get(action="mfa.enrol").target == "root"

    client, location = _sign_in("root")
    assert location == "/two-factor/verify/" and client.get("/")["Location"] == "/two-factor/verify/"
    assert client.post("/two-factor/verify/", {"code": _code(device, steps_ago=2)}).status_code == 422  # too old
    assert client.post("/two-factor/verify/", {"code": _code(device)})["Location"] == "/domains/"
    again, _location = _sign_in("root")
    assert again.post("/two-factor/verify/", {"code": _code(device)}).status_code == 422  # replayed
    assert again.post("/two-factor/verify/", {"code": _code(device, steps_ago=-1)})["Location"] == "/domains/"


def test_a_recovery_code_works_once(db, clock):
    _user("root", superuser=True)
    client, _location = _sign_in("root")
    _device, codes = _enrol(client)
    first, _location = _sign_in("root")
    assert first.post("/two-factor/verify/", {"code": codes[0]}).status_code == 302
    second, _location = _sign_in("root")
    assert second.post("/two-factor/verify/", {"code": codes[0]}).status_code == 422


def test_wrong_codes_are_throttled_like_passwords(db, clock, settings):
    _user("root", superuser=True)
    client, _location = _sign_in("root")
    device, _codes = _enrol(client)
    client, _location = _sign_in("root")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/two-factor/verify/", {"code": "000000"}).status_code == 422
    assert client.post("/two-factor/verify/", {"code": "000000"}).status_code == 429
    assert AccessAttempt.objects.get(username="root").failures_since_start == settings.AXES_FAILURE_LIMIT
    assert client.get("/")["Location"].startswith("/login/")  # the session ended
    # The login is locked: the password is refused too, and the right code no longer helps.
    assert Client().post("/login/", {"username": "root", "password": PASSWORD}).status_code == 429
    assert device.verify_token(_code(device))  # it was right: the lock, not the code, refused it


def test_roles_outside_the_setting_may_enrol_and_are_not_forced(db, clock, settings):
    _user("dadmin", role=("domain_admin", "example.test"))
    assert _sign_in("dadmin")[1] == "/domains/"
    settings.MFA_REQUIRED_FOR = ["domain_admin"]
    client, location = _sign_in("dadmin")
    assert location == "/two-factor/enrol/"
    _enrol(client)


def test_a_superadmin_resets_anothers_second_factor_audited_and_so_does_the_command(db, clock):
    _user("root", superuser=True)
    _user("dadmin", role=("domain_admin", "example.test"))
    client, _location = _sign_in("dadmin")
    client.get("/two-factor/enrol/")
    _enrol_pending = TOTPDevice.objects.get(user__username="dadmin")
    assert client.post("/two-factor/enrol/", {"code": _code(_enrol_pending)}).status_code == 200
    root = Client()
    root.force_login(get_user_model().objects.get(username="root"))
    assert 'href="/console-users/dadmin/reset-two-factor/"' in root.get("/console-users/dadmin/").content.decode()
    asked = root.get("/console-users/dadmin/reset-two-factor/")  # the button's link: a question, nothing done
    assert asked.context["question"] == "Reset the second factor of dadmin?"
    assert "with the password alone" in asked.context["consequence"]  # a domain admin's role does not require one
    assert asked.context["cancel"] == "/console-users/dadmin/"
    assert TOTPDevice.objects.filter(user__username="dadmin").exists()
    assert not AuditEntry.objects.filter(action="mfa.reset").exists()
    assert root.post("/console-users/dadmin/reset-two-factor/").status_code == 302
    assert not TOTPDevice.objects.filter(user__username="dadmin").exists()
    assert root.get("/console-users/dadmin/reset-two-factor/")["Location"] == "/console-users/dadmin/"  # a reload
    assert AuditEntry.objects.get(action="mfa.reset").actor == "root"
    assert refused("resetmfa", "dadmin") == "username: dadmin has no second factor."
    client, _location = _sign_in("root")
    _enrol(client)
    assert "is reset" in run("resetmfa", "root")
    assert AuditEntry.objects.filter(action="mfa.reset", ok=True).count() == 2
    assert re.match(r"^cli:", AuditEntry.objects.filter(action="mfa.reset").first().actor)


BOB, BOB_PASSWORD = "bob@example.test", "bob-password-22"  # a plain mail account (tests/base.ldif), no role
EVERY_ROLE = ["superadmin", "domain_admin", "helpdesk", "auditor"]


def test_the_reset_question_says_when_the_role_requires_a_new_enrolment(db, login_as):
    chief = _user("chief", superuser=True)
    TOTPDevice.objects.create(user=chief, name="phone", confirmed=True)
    asked = login_as("superadmin").get("/console-users/chief/reset-two-factor/")
    assert asked.context["question"] == "Reset the second factor of chief?"
    assert "Their role requires a second factor: at their next sign-in, chief enrols a new authenticator" in (
        asked.context["consequence"])
    assert login_as("auditor").get("/console-users/chief/reset-two-factor/").status_code == 403  # it reads, never asks
    assert TOTPDevice.objects.filter(user=chief).exists()


def test_a_mail_user_enrols_from_my_account_and_then_needs_a_code(db, clock, settings):
    settings.MFA_REQUIRED_FOR = EVERY_ROLE  # never a mail user's: it holds none
    client, location = _sign_in(BOB, BOB_PASSWORD, going_to="/me/")
    assert location == "/me/"
    my_account = client.get("/me/").content.decode()
    assert 'href="/two-factor/enrol/"' in my_account and 'href="/tokens/"' not in my_account
    device, codes = _enrol(client, going_to="/")  # chosen, not owed: then on to the start page
    assert len(codes) == 10 and "On: sign-in asks for a code" in client.get("/me/").content.decode()
    row = AuditEntry.objects.get(action="mfa.enrol")
    assert (row.actor, row.target, row.role) == (f"self:{BOB}", BOB, "self")

    client, location = _sign_in(BOB, BOB_PASSWORD, going_to="/me/")
    assert location == "/two-factor/verify/" and client.get("/me/")["Location"] == "/two-factor/verify/"
    assert client.get("/domains/")["Location"] == "/two-factor/verify/"  # nothing before the code
    assert client.post("/two-factor/verify/", {"code": _code(device, steps_ago=1)}).status_code == 422  # used
    assert client.post("/two-factor/verify/", {"code": "000000"}).status_code == 422
    assert AccessAttempt.objects.get(username=BOB).failures_since_start == 2  # throttled as the password is
    assert client.post("/two-factor/verify/", {"code": _code(device)})["Location"] == "/me/"
    assert client.get("/domains/").status_code == 404  # signed in, still confined to My account
    # The device hangs on the one Django user of the mail user, which every sign-in finds again.
    assert get_user_model().objects.filter(username=BOB).count() == 1
    assert TOTPDevice.objects.get(confirmed=True).user.username == BOB
    again, _location = _sign_in(BOB, BOB_PASSWORD, going_to="/me/")
    assert again.post("/two-factor/verify/", {"code": codes[0]})["Location"] == "/me/"


def test_wrong_codes_lock_a_mail_user_like_wrong_passwords(db, clock, settings):
    client, _location = _sign_in(BOB, BOB_PASSWORD, going_to="/me/")
    _enrol(client, going_to="/")
    client, _location = _sign_in(BOB, BOB_PASSWORD, going_to="/me/")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/two-factor/verify/", {"code": "000000"}).status_code == 422
    assert client.post("/two-factor/verify/", {"code": "000000"}).status_code == 429
    assert client.get("/me/")["Location"].startswith("/login/")
    assert Client().post("/login/", {"username": BOB, "password": BOB_PASSWORD}).status_code == 429


def test_a_mail_user_turns_it_off_with_a_code(db, clock):
    client, _location = _sign_in(BOB, BOB_PASSWORD, going_to="/me/")
    _device, codes = _enrol(client, going_to="/")
    assert "Turn off" in client.get("/two-factor/").content.decode()
    refused_off = client.post("/two-factor/remove/", {"code": "000000"})
    assert refused_off.status_code == 422 and refused_off.context["form"].errors["code"]
    assert TOTPDevice.objects.filter(user__username=BOB).exists()
    assert client.post("/two-factor/remove/", {"code": codes[0]})["Location"] == "/two-factor/"
    assert not TOTPDevice.objects.exists()
    assert [(r.actor, r.role, r.ok) for r in AuditEntry.objects.filter(action="mfa.remove").order_by("pk")] == [
        (f"self:{BOB}", "self", False), (f"self:{BOB}", "self", True)]
    assert _sign_in(BOB, BOB_PASSWORD, going_to="/me/")[1] == "/me/"  # the password alone again


def test_a_console_user_turns_it_off_unless_its_role_requires_it(db, clock, settings):
    settings.MFA_REQUIRED_FOR = ["superadmin"]
    _user("root", superuser=True)
    _user("dadmin", role=("domain_admin", "example.test"))
    root, _location = _sign_in("root")
    device, _codes = _enrol(root)
    assert "cannot be turned off" in root.get("/two-factor/").content.decode()
    refused_off = root.post("/two-factor/remove/", {"code": _code(device)})
    assert refused_off.status_code == 422 and TOTPDevice.objects.filter(user__username="root").exists()
    dadmin, _location = _sign_in("dadmin")
    assert 'href="/two-factor/"' in dadmin.get("/domains/").content.decode()  # the menu leads there
    dadmin.get("/two-factor/enrol/")
    device = TOTPDevice.objects.get(user__username="dadmin")
    assert dadmin.post("/two-factor/enrol/", {"code": _code(device)}).status_code == 200
    assert dadmin.post("/two-factor/remove/", {"code": _code(device, steps_ago=-1)}).status_code == 302
    assert not TOTPDevice.objects.filter(user__username="dadmin").exists()
    assert list(AuditEntry.objects.filter(action="mfa.remove").values_list("actor", "ok")) == [
        ("dadmin", True), ("root", False)]


def test_a_superadmin_resets_a_mail_users_second_factor_on_its_account_page_and_with_the_command(db, clock,
                                                                                                  login_as):
    client, _location = _sign_in(BOB, BOB_PASSWORD, going_to="/me/")
    _enrol(client, going_to="/")
    assert "Reset the second factor" not in login_as("domain_admin").get(f"/accounts/{BOB}/").content.decode()
    root = login_as("superadmin")
    assert f'href="/accounts/{BOB}/reset-two-factor/"' in root.get(f"/accounts/{BOB}/").content.decode()
    asked = root.get(f"/accounts/{BOB}/reset-two-factor/", HTTP_ACCEPT_LANGUAGE="fr")
    assert asked.context["question"] == f"Réinitialiser le second facteur de {BOB}\u00a0?"
    assert asked.context["cancel"] == f"/accounts/{BOB}/" and TOTPDevice.objects.exists()
    assert not AuditEntry.objects.filter(action="mfa.reset").exists()
    assert root.post(f"/accounts/{BOB}/reset-two-factor/")["Location"] == f"/accounts/{BOB}/"
    assert not TOTPDevice.objects.exists()
    row = AuditEntry.objects.get(action="mfa.reset")
    assert (row.actor, row.target, row.role, row.ok) == ("root", BOB, "superadmin", True)
    assert "No second factor." in root.get(f"/accounts/{BOB}/").content.decode()
    assert _sign_in(BOB, BOB_PASSWORD, going_to="/me/")[1] == "/me/"

    client, _location = _sign_in(BOB, BOB_PASSWORD, going_to="/me/")
    _enrol(client, going_to="/")
    assert "is reset" in run("resetmfa", BOB)
    assert not TOTPDevice.objects.exists() and AuditEntry.objects.filter(action="mfa.reset", ok=True).count() == 2


def test_a_mail_users_second_factor_follows_its_account_when_an_admin_renames_it(db, clock):
    client, _location = _sign_in(BOB, BOB_PASSWORD, going_to="/me/")
    _enrol(client, going_to="/")
    run("renameaccount", BOB, "robert@example.test")
    client, location = _sign_in("robert@example.test", BOB_PASSWORD, going_to="/me/")
    assert location == "/two-factor/verify/"  # not a fresh user without one
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["robert@example.test"]
    assert TOTPDevice.objects.get(confirmed=True).user.username == "robert@example.test"


def _header_links(page) -> list[str]:
    """Where the links of the page's header lead (the menu, the user's links), in order."""
    header = page.content.decode().split("<header", 1)[1].split("</header>", 1)[0]
    return re.findall(r'href="([^"]+)"', header)


def test_until_the_second_step_is_given_the_menu_offers_only_that_step_and_signing_out(db, clock):
    _user("root", superuser=True)
    client, _location = _sign_in("root")
    enrolment = client.get("/two-factor/enrol/")
    assert _header_links(enrolment) == ["/two-factor/enrol/"]
    assert "pages open once your second factor is set up" in enrolment.content.decode()
    assert 'action="/logout/"' in enrolment.content.decode()
    device, _codes = _enrol(client)
    menu = _header_links(client.get("/domains/"))
    assert {"/", "/domains/", "/audit/", "/two-factor/", "/tokens/"} <= set(menu)
    assert "/two-factor/enrol/" not in menu

    client, _location = _sign_in("root")
    code_prompt = client.get("/two-factor/verify/")
    assert _header_links(code_prompt) == ["/two-factor/verify/"]
    assert "pages open once you have typed your code" in code_prompt.content.decode()
    client.post("/two-factor/verify/", {"code": _code(device)})
    assert "/domains/" in _header_links(client.get("/domains/"))
