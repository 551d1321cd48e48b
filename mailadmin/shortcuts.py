"""What the apps' views share: reading a form's data, who acts, who may create things, POST-only form endpoints,
the confirmation page of an action that stops mail, and the message after enabling or disabling."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mailadmin.addresses import display_address
from mailadmin.permissions import Access, access_for
from mailadmin.sessions import is_mail_user


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
    """The confirmation page of an action that stops mail: it posts `values` back to the same URL; `crumbs` are
    (URL, text) pairs, the last one the page that Cancel goes back to."""
    return render(request, "confirm.html", {"crumbs": crumbs, "cancel": crumbs[-1][0], "question": question,
                                            "consequence": consequence, "button": button, "values": values})


def status_message(request: HttpRequest, address: str, enabled: bool) -> None:
    """Done, but disabling is a warning (amber), not a success: from now on mail to `address` bounces."""
    if enabled:
        messages.success(request, _("%(address)s is enabled.") % {"address": display_address(address)})
    else:
        messages.warning(request, _("%(address)s is disabled: its mail now bounces.") % {
            "address": display_address(address)})
