"""The second step of sign-in: a code (or a recovery code), and enrolling an authenticator."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import devices_for_user
from django_otp import login as otp_login

from mailadmin import mfa
from mailadmin.auth import forget_failures
from mailadmin.shortcuts import actor, posted

NEXT = "mailadmin_mfa_next"  # session key: where the sign-in was going


def _credentials(request: HttpRequest) -> dict:
    return {"username": request.user.get_username()}


def _locked_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)


def _signed_in(request: HttpRequest, device) -> HttpResponse:
    """The step is done: the session is whole, the login's failures forgotten, and sign-in goes on where it went."""
    otp_login(request, device)
    request.session.pop(mfa.PENDING, None)
    forget_failures(None, request, request.user)
    target = request.session.pop(NEXT, "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return redirect(target if safe and target else settings.LOGIN_REDIRECT_URL)


def verify(request: HttpRequest) -> HttpResponse:
    """The code after the password. A wrong one counts as a failed sign-in (django-axes): past the limit the session
    ends and the login is locked like a guessed password."""
    if AxesProxyHandler.is_locked(request, _credentials(request)):
        return _locked_out(request)
    form = mfa.CodeForm(posted(request))
    if form.is_valid():
        device = form.matching_device(devices_for_user(request.user, confirmed=True))
        if device is not None:
            return _signed_in(request, device)
        user_login_failed.send(sender=__name__, credentials=_credentials(request), request=request)
        if AxesProxyHandler.is_locked(request, _credentials(request)):
            return _locked_out(request)
    return render(request, "mfa/verify.html", {"form": form}, status=422 if form.is_bound else 200)


def enrol(request: HttpRequest) -> HttpResponse:
    """A QR code and the key as text; the first code from the phone confirms it and shows the recovery codes once."""
    if mfa.has_second_factor(request.user):
        return redirect(settings.LOGIN_REDIRECT_URL)
    device = mfa.pending_authenticator(request.user)
    form = mfa.CodeForm(posted(request))
    if form.is_valid():
        codes = form.confirm(device, actor=actor(request))
        if codes is not None:
            response = _signed_in(request, device)
            return render(request, "mfa/recovery.html", {"codes": codes, "next": response["Location"]})
    return render(request, "mfa/enrol.html", {
        "form": form, "qr": mfa.qr_code(device), "secret": mfa.secret_text(device),
        "required": request.session.get(mfa.PENDING) == mfa.ENROL,
    }, status=422 if form.is_bound else 200)
