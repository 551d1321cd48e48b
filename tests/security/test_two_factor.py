"""Two-factor sign-in: enrolment forced by MFA_REQUIRED_FOR (superadmin by default), a code after the password, no
replay, one step of drift, single-use recovery codes, wrong codes throttled by django-axes, resets audited."""

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


def _sign_in(username: str) -> tuple[Client, str]:
    client = Client()
    response = client.post("/login/", {"username": username, "password": PASSWORD, "next": "/domains/"})
    return client, response["Location"]


def _enrol(client: Client) -> tuple[TOTPDevice, list[str]]:
    page = client.get("/two-factor/enrol/")
    assert page.status_code == 200 and "<svg" in page.content.decode() and page.context["secret"]
    device = TOTPDevice.objects.get(confirmed=False)
    done = client.post("/two-factor/enrol/", {"code": _code(device, steps_ago=1)})  # a phone one step slow
    assert done.status_code == 200 and done.context["next"] == "/domains/"
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
    assert "Reset the second factor" in root.get("/console-users/dadmin/").content.decode()
    assert root.post("/console-users/dadmin/reset-two-factor/").status_code == 302
    assert not TOTPDevice.objects.filter(user__username="dadmin").exists()
    assert AuditEntry.objects.get(action="mfa.reset").actor == "root"
    assert refused("resetmfa", "dadmin") == "username: dadmin has no second factor."
    client, _location = _sign_in("root")
    _enrol(client)
    assert "is reset" in run("resetmfa", "root")
    assert AuditEntry.objects.filter(action="mfa.reset", ok=True).count() == 2
    assert re.match(r"^cli:", AuditEntry.objects.filter(action="mfa.reset").first().actor)
