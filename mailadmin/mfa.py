"""Two-factor sign-in with django-otp: a TOTP authenticator and single-use recovery codes (a static device).

After the password, the sign-in view marks the session with the step still owed (`verify` for a user with a confirmed
device, `enrol` for one whose role is in MFA_REQUIRED_FOR and has none); SecondFactorMiddleware then lets the session
reach only that step's page and sign-out. Wrong codes count as failed sign-ins in django-axes, under the same name as
the password's. django-otp's TOTP accepts a code once (never a code of a step already used) within one step of drift
(tolerance 1, OTP_TOTP_SYNC off)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import segno
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _l
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mailadmin import events
from mailadmin.audit import audited_action
from mailadmin.permissions import access_for

PENDING = "mailadmin_mfa_pending"  # session key: the step still owed after the password
VERIFY, ENROL = "verify", "enrol"
RECOVERY_CODES = 10


def _held_roles(user) -> set[str]:
    roles = set(user.mail_roles.values_list("kind", flat=True))
    return roles | {"superadmin"} if access_for(user).superadmin else roles


def has_second_factor(user) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def second_factor_of(username: str) -> bool:
    """Whether the user named `username` (a console user, or a mail user by its primary address) has one."""
    user = get_user_model().objects.filter(username=username).first()
    return user is not None and has_second_factor(user)


def required_for(user) -> bool:
    """Whether one of the user's roles is in MFA_REQUIRED_FOR. A mail user (self-service) holds no role: a second
    factor is never required of it, whatever the setting says."""
    return bool(_held_roles(user) & set(settings.MFA_REQUIRED_FOR))


def step_owed(user) -> str | None:
    """What a user who just gave the right password still owes: a code, an enrolment, or nothing."""
    if has_second_factor(user):
        return VERIFY
    return ENROL if required_for(user) else None


def _remove_devices(user) -> int:
    """Remove the user's authenticators and recovery codes; return how many devices went."""
    return TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]


class SecondFactorMiddleware:
    """A session that still owes a code or an enrolment reaches that page and sign-out only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        step = request.session.get(PENDING) if request.user.is_authenticated else None
        if step is None or request.resolver_match.view_name in (f"mfa:{step}", "logout"):
            return None
        return redirect(f"mfa:{step}")


def step_still_owed(request) -> dict:
    """Template context: the step the session still owes after the password (`verify`, `enrol`), or None. Until it is
    given, every console link would lead back to it: the header then offers that step and signing out only."""
    return {"step_owed": request.session.get(PENDING) if request.user.is_authenticated else None}


def secret_text(device: TOTPDevice) -> str:
    """The key as people type it into an authenticator: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


@dataclass(frozen=True)
class QRCode:
    """The otpauth:// URL as a QR code: its size in modules (quiet zone included) and the dark ones, which the
    template draws as SVG squares (no markup built here, no image request, nothing for the CSP to allow)."""

    size: int
    dark: tuple[tuple[int, int], ...]


def qr_code(device: TOTPDevice) -> QRCode:
    rows = list(segno.make(device.config_url, error="m").matrix_iter(border=4))
    return QRCode(len(rows), tuple((x, y) for y, row in enumerate(rows) for x, module in enumerate(row) if module))


def pending_authenticator(user) -> TOTPDevice:
    """The authenticator being enrolled: kept unconfirmed until a code proves the phone holds its key."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


class CodeForm(forms.Form):
    """A six-digit code from the authenticator, or a recovery code."""

    code = forms.CharField(label=_l("Code"), max_length=16,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}))

    def clean_code(self) -> str:
        return self.cleaned_data["code"].replace(" ", "").strip()

    def matching_device(self, devices):
        """The first device that accepts the code (each consumes it: a TOTP step or a recovery code works once)."""
        code = self.cleaned_data["code"]
        device = next((d for d in devices if d.verify_token(code)), None)
        if device is None:
            self.add_error("code", _l("This code is wrong, expired or already used."))
        return device

    def confirm(self, device: TOTPDevice, *, actor: str) -> list[str] | None:
        """Enrolment: the code proves the authenticator; confirm it and return new recovery codes (shown once)."""
        return audited_action(self, actor, events.MFA_ENROL, device.user.get_username(),
                              lambda: self._confirm(device))

    def _confirm(self, device: TOTPDevice) -> list[str] | None:
        if self.matching_device([device]) is None:
            return None
        device.confirmed = True
        device.save()
        StaticDevice.objects.filter(user=device.user).delete()
        recovery = StaticDevice.objects.create(user=device.user, name="recovery codes", confirmed=True)
        codes = [StaticToken.random_token() for _n in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
        return codes

    def remove(self, user, *, actor: str) -> int | None:
        """Turning one's own second factor off: a current code (or a recovery code) proves the phone is at hand.
        Refused while one of the user's roles requires a second factor."""
        return audited_action(self, actor, events.MFA_REMOVE, user.get_username(), lambda: self._remove(user))

    def _remove(self, user) -> int | None:
        if required_for(user):
            self.add_error(None, _l("Your role requires a second factor: it cannot be turned off."))
            return None
        if self.matching_device(devices_for_user(user, confirmed=True)) is None:
            return None
        return _remove_devices(user)


class ResetSecondFactorForm(forms.Form):
    """A superadmin's reset of someone's second factor (console and `manage.py resetmfa`): a console user, or a mail
    user named by its primary address. They enrol again at next sign-in when their role requires it."""

    username = forms.CharField(max_length=150)

    def reset(self, *, actor: str) -> int | None:
        username = self.cleaned_data["username"]
        return audited_action(self, actor, events.MFA_RESET, username, lambda: self._reset(username))

    def _reset(self, username: str) -> int | None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            self.add_error("username", forms.ValidationError(_l("There is no user %(user)s."),
                                                          params={"user": username}))
            return None
        removed = _remove_devices(user)
        if not removed:
            self.add_error("username", forms.ValidationError(_l("%(user)s has no second factor."),
                                                          params={"user": username}))
            return None
        return removed
