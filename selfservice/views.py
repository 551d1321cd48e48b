"""My account: a mail user's quota and usage, where their mail goes, their password and forwards. Every view looks
the account up through _my_account, from the entry the session is tied to: nothing posted chooses another."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mailadmin import dovecot
from mailadmin.accountforms import AccountAddressForm, removal_question
from mailadmin.addresses import display_address, normalise_domain
from mailadmin.auth import tied_entry
from mailadmin.directory import Directory, connect
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory import domains as ldap_domains
from mailadmin.directory.accounts import Account
from mailadmin.mfa import has_second_factor
from mailadmin.permissions import access_for
from mailadmin.self_service import self_service_allowed, set_self_service
from mailadmin.sessions import is_mail_user, keep_own_session
from mailadmin.shortcuts import actor, confirm, confirm_first
from mailadmin.vacation import VACATION_UNREACHABLE, vacation_form

from .forms import OwnPasswordForm


def _my_account(request: HttpRequest, directory: Directory) -> Account:
    """The signed-in mail user's own account. Http404 for anyone else (console users have the console);
    PermissionDenied once self-service is off for its domain."""
    if not is_mail_user(request):
        raise Http404
    entry = tied_entry(request.user, request.user.get_username())
    account = ldap_accounts.get_account(directory, entry.mail) if entry else None
    if account is None or account.dn.lower() != entry.dn.lower():
        raise Http404  # the session guard ends such sessions; this is the belt to its braces
    if not self_service_allowed(account.domain):
        raise PermissionDenied(_("Self-service is turned off for your domain."))
    return account


def _page(request: HttpRequest, account: Account, status: int = 200, **forms) -> HttpResponse:
    context = {
        "account": account, "usage": dovecot.usage([account.mail]).get(account.mail),
        "second_factor": has_second_factor(request.user),
        "password_form": OwnPasswordForm(account=account),
        "forward_form": AccountAddressForm(account=account, kind="forwards"),
        **forms,
    }
    context.setdefault("vacation_form", vacation_form(account))
    return render(request, "selfservice/account.html", context, status=status)


def _refused(request: HttpRequest, account: Account, name: str, form) -> HttpResponse:
    messages.error(request, _("Nothing was changed: see the form below."))
    return _page(request, account, status=422 if form.errors else 200, **{name: form})


def my_account(request: HttpRequest) -> HttpResponse:
    with connect() as directory:
        return _page(request, _my_account(request, directory))


@require_POST
def change_password(request: HttpRequest) -> HttpResponse:
    """Old password required; Password Modify is sent bound as the user's own entry."""
    with connect() as directory:
        account = _my_account(request, directory)
    form = OwnPasswordForm(request.POST, account=account)
    result = form.save(actor=actor(request)) if form.is_valid() else None
    if result is None:
        return _refused(request, account, "password_form", form)
    keep_own_session(request, account.dn)  # this session goes on; the user's other sessions end
    messages.success(request, _("Your password is changed."))
    return redirect("selfservice:account")


def _change_forward(request: HttpRequest, adding: bool) -> HttpResponse:
    with connect() as directory:
        account = _my_account(request, directory)
        form = AccountAddressForm(request.POST, account=account, kind="forwards", removing=not adding)
        change = form.add if adding else form.remove
        updated = change(directory, actor=actor(request)) if form.is_valid() else None
    if updated is None:
        return _refused(request, account, "forward_form", form)
    message = _("Added %(value)s.") if adding else _("Removed %(value)s.")
    messages.success(request, message % {"value": display_address(form.cleaned_data["address"])})
    return redirect("selfservice:account")


@require_POST
def add_forward(request: HttpRequest) -> HttpResponse:
    return _change_forward(request, True)


def _remove_forward(request: HttpRequest) -> HttpResponse:
    return _change_forward(request, False)


@confirm_first(_remove_forward)
def remove_forward(request: HttpRequest) -> HttpResponse:
    """Confirm on GET (mail stops reaching the target), remove on POST; back to My account for a value it lacks."""
    with connect() as directory:
        account = _my_account(request, directory)
    value = request.GET.get("address", "")
    if value not in account.forward_targets:
        return redirect("selfservice:account")
    question, consequence = removal_question(account, "forwards", value)
    crumbs = ((reverse("selfservice:account"), _("My account")),)
    return confirm(request, crumbs, question, consequence, _("Remove"), {"address": value})


@require_POST
def set_vacation(request: HttpRequest) -> HttpResponse:
    """Vacation reply on, changed or off (the Sieve script of its own; the user's other rules stay)."""
    with connect() as directory:
        account = _my_account(request, directory)
    form = vacation_form(account, request.POST)
    if form is None:
        messages.error(request, VACATION_UNREACHABLE)
        return redirect("selfservice:account")
    if not (form.is_valid() and form.save(actor=actor(request))):
        return _refused(request, account, "vacation_form", form)
    messages.success(request, _("Your vacation reply is saved."))
    return redirect("selfservice:account")


@require_POST
def switch_self_service(request: HttpRequest, domain: str) -> HttpResponse:
    """Turn self-service on or off for one domain: its admins and superadmins (404 for domains one cannot see)."""
    try:
        name = normalise_domain(domain)
    except ValueError:
        raise Http404 from None
    access = access_for(request.user)
    with connect() as directory:
        if not access.sees(name) or ldap_domains.get_domain(directory, name) is None:
            raise Http404
    if not access.administers(name):
        raise PermissionDenied
    enabled = request.POST.get("enabled") == "on"
    set_self_service(name, enabled, actor=actor(request))
    messages.success(request, _("Self-service is on for this domain.") if enabled else
                     _("Self-service is off for this domain."))
    return redirect("domains:detail", name=name)
