"""The second step of sign-in: a code (or a recovery code); enrolling an authenticator, turning it off, and a
superadmin's reset of someone else's (asked first)."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_otp import devices_for_user
from django_otp import login as otp_login

from mailadmin import mfa
from mailadmin.addresses import display_address
from mailadmin.auth import forget_failures
from mailadmin.shortcuts import actor, confirm, posted

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


def _wrong_code(request: HttpRequest) -> bool:
    """Count a wrong code as a failed sign-in (django-axes); True once the login is locked by it."""
    user_login_failed.send(sender=__name__, credentials=_credentials(request), request=request)
    return AxesProxyHandler.is_locked(request, _credentials(request))


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
        if _wrong_code(request):
            return _locked_out(request)
    return render(request, "mfa/verify.html", {"form": form}, status=422 if form.is_bound else 200)


def enrol(request: HttpRequest) -> HttpResponse:
    """A QR code and the key as text; the first code from the phone confirms it and shows the recovery codes once."""
    if mfa.has_second_factor(request.user):
        return redirect("mfa:status")
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


def _status_page(request: HttpRequest, form: mfa.CodeForm, status: int = 200) -> HttpResponse:
    return render(request, "mfa/status.html", {
        "form": form, "enrolled": mfa.has_second_factor(request.user), "required": mfa.required_for(request.user),
    }, status=status)


@require_safe
def status(request: HttpRequest) -> HttpResponse:
    """Whether the user signs in with a second factor: a link to set one up, or a form to turn it off."""
    return _status_page(request, mfa.CodeForm())


@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    """Turn one's own second factor off with a current code (or a recovery code); a wrong code counts as a failed
    sign-in, as at the second step of sign-in. Refused while the user's role requires a second factor."""
    if not mfa.has_second_factor(request.user):
        return redirect("mfa:status")
    if AxesProxyHandler.is_locked(request, _credentials(request)):
        return _locked_out(request)
    form = mfa.CodeForm(request.POST)
    if form.is_valid():
        if form.remove(request.user, actor=actor(request)) is not None:
            messages.success(request, _("Two-factor sign-in is off: sign-in asks only for your password."))
            return redirect("mfa:status")
        if form.has_error("code") and _wrong_code(request):
            return _locked_out(request)
    return _status_page(request, form, status=422)


def announce_reset(request: HttpRequest, username: str) -> None:
    """A superadmin's reset of `username`'s second factor (console users' and accounts' pages), told in a message."""
    form = mfa.ResetSecondFactorForm({"username": username})
    if form.is_valid() and form.reset(actor=actor(request)) is not None:
        messages.success(request, _("The second factor of %(user)s is reset.") % {"user": username})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))


def confirm_reset(request: HttpRequest, crumbs: tuple[tuple[str, str], ...], username: str) -> HttpResponse:
    """The page asking before a superadmin resets `username`'s second factor; back to the page that Cancel goes to
    when there is none (a reload after the reset, another tab)."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not mfa.has_second_factor(user):
        return redirect(crumbs[-1][0])
    shown = {"user": display_address(username)}
    consequence = (_("Their authenticator and recovery codes are deleted. Their role requires a second factor: at "
                     "their next sign-in, %(user)s enrols a new authenticator before reaching any page.")
                   if mfa.required_for(user) else
                   _("Their authenticator and recovery codes are deleted: from their next sign-in, %(user)s signs in "
                     "with the password alone, until they enrol a new authenticator."))
    return confirm(request, crumbs, _("Reset the second factor of %(user)s?") % shown, consequence % shown,
                   _("Reset the second factor"), {})
