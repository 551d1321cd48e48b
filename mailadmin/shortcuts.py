"""What the apps' views share: reading a form's data, who acts, who may create things, finding an address's entry
or a domain (404), POST-only form endpoints, the confirmation page of an action that stops mail or takes someone's
access away (disabling first of all), the message after enabling or disabling, and the rename pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mailadmin.addresses import display_address, normalise_address, normalise_domain
from mailadmin.directory import Directory, connect
from mailadmin.directory import domains as ldap_domains
from mailadmin.directory.accounts import Account
from mailadmin.directory.aliases import VirtualAlias
from mailadmin.directory.domains import MailDomain
from mailadmin.permissions import Access, access_for
from mailadmin.sessions import is_mail_user

Entry = TypeVar("Entry", Account, VirtualAlias)


def posted(request: HttpRequest):
    """The POST data, or None on GET: an empty POST (a bare confirmation) still binds the form."""
    return request.POST if request.method == "POST" else None


QUERY_MAX = 254  # longer than any address: a longer filter text cannot match anything useful


def filter_text(request: HttpRequest) -> str:
    """The ?q= text a list page is filtered by, stripped and cut to QUERY_MAX."""
    return request.GET.get("q", "").strip()[:QUERY_MAX]


def actor(request: HttpRequest) -> str:
    """Who the audit log names (the form actions write the rows): the user name, `self:<address>` for a mail user
    acting on its own account (self-service)."""
    username = request.user.get_username()
    return f"self:{username}" if is_mail_user(request) else username


def is_creator(access: Access) -> bool:
    return bool(access.superadmin or access.admin_of)


def require_creator(request: HttpRequest) -> Access:
    """Adding virtual aliases and enabling mail on people needs a domain to administer (403 otherwise)."""
    access = access_for(request.user)
    if not is_creator(access):
        raise PermissionDenied
    return access


def get_visible_or_404(request: HttpRequest, directory: Directory, address: str,
                       get: Callable[[Directory, str], Entry | None]) -> Entry:
    """The entry `get` finds for `address` once normalised: Http404 when the address is malformed, when nothing
    holds it, or when its domain is hidden from the user (so that existence stays hidden)."""
    try:
        address = normalise_address(address)
    except ValueError:
        raise Http404 from None
    entry = get(directory, address)
    if entry is None or not access_for(request.user).sees(entry.domain):
        raise Http404
    return entry


def get_visible_domain_or_404(request: HttpRequest, directory: Directory, name: str) -> MailDomain:
    """The hosted domain `name` (Unicode or A-label): Http404 when it is not a domain name, is not hosted, or is hidden
    from the user."""
    try:
        a_label = normalise_domain(name)
    except ValueError:
        raise Http404("not a domain name") from None
    domain = ldap_domains.get_domain(directory, a_label) if access_for(request.user).sees(a_label) else None
    if domain is None:
        raise Http404("no such domain")
    return domain


def post_or_back(page: str):
    """For the endpoints of the forms of a detail page (`page`, a URL name taking `address`): a POST acts, a GET goes
    back to the page. A reload or a shared link of such a URL (after a refused submit left the browser on it) then
    lands on the page, not on an empty 405."""

    def decorate(view):
        @wraps(view)
        @require_http_methods(["GET", "HEAD", "POST"])
        def post_only(request: HttpRequest, address: str) -> HttpResponse:
            if request.method != "POST":
                return redirect(page, address=address)
            return view(request, address)

        return post_only

    return decorate


def confirm(request: HttpRequest, crumbs: tuple[tuple[str, str], ...], question: str, consequence: str, button: str,
            values: dict[str, str]) -> HttpResponse:
    """The confirmation page of an action that stops mail or takes someone's access away: it posts `values` back to
    the same URL; `crumbs` are (URL, text) pairs, the last one the page that Cancel goes back to."""
    return render(request, "confirm.html", {"crumbs": crumbs, "cancel": crumbs[-1][0], "question": question,
                                            "consequence": consequence, "button": button, "values": values})


def confirm_first(act: Callable[..., HttpResponse]):
    """For an action that stops mail (disabling, removing an alias or a forward) or takes someone's access away
    (revoking a role, resetting a second factor): the decorated view answers a GET with the confirmation page; the
    POST that page sends is `act(request, **url_parameters)`."""

    def decorate(ask):
        @wraps(ask)
        @require_http_methods(["GET", "HEAD", "POST"])
        def ask_or_act(request: HttpRequest, **url_parameters: str) -> HttpResponse:
            return (act if request.method == "POST" else ask)(request, **url_parameters)

        return ask_or_act

    return decorate


def confirm_disable(request: HttpRequest, crumbs: tuple[tuple[str, str], ...], address: str, enabled: bool,
                    consequence: str, button: str, values: dict[str, str]) -> HttpResponse:
    """The confirmation page for disabling `address` (`consequence` names it as %(address)s); back to the page that
    Cancel goes to when it is disabled already (a reload after the POST, another tab)."""
    if not enabled:
        return redirect(crumbs[-1][0])
    shown = {"address": display_address(address)}
    return confirm(request, crumbs, _("Disable %(address)s?") % shown, consequence % shown, button, values)


def status_message(request: HttpRequest, address: str, enabled: bool) -> None:
    """Done, but disabling is a warning (amber), not a success: from now on mail to `address` bounces."""
    if enabled:
        messages.success(request, _("%(address)s is enabled.") % {"address": display_address(address)})
    else:
        messages.warning(request, _("%(address)s is disabled: its mail now bounces.") % {
            "address": display_address(address)})


def rename_page(request: HttpRequest, address: str, *, lookup: Callable[[HttpRequest, Directory, str], Any],
                form_class, name: str, address_of: Callable[[Any], str], template: str, page: str) -> HttpResponse:
    """The rename page of an account or a virtual alias. `lookup(request, directory, address)` finds the entry (404,
    and 403 without the right to rename it); `form_class` (bound to the entry as `name`, also its name in `template`)
    asks for the new address on GET and renames on POST; then "old is now new" and `page` (a URL name taking
    `address`) at the new address, `address_of` the entry's primary address."""
    with connect() as directory:
        entry = lookup(request, directory, address)
        form = form_class(posted(request), access=access_for(request.user), **{name: entry})
        if request.method == "POST" and form.is_valid():
            renamed = form.save(directory, actor=actor(request))
            if renamed is not None:
                old, new = address_of(entry), address_of(renamed)
                messages.success(request, _("%(old)s is now %(new)s.") % {
                    "old": display_address(old), "new": display_address(new)})
                return redirect(page, address=new)
    return render(request, template, {"form": form, name: entry}, status=422 if form.is_bound else 200)
