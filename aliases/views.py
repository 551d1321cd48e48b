"""Virtual alias pages: look up (404/403 through the helpers below), one form action, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mailadmin.addresses import display_address, normalise_address
from mailadmin.directory import Directory, connect
from mailadmin.directory import aliases as ldap_aliases
from mailadmin.directory.aliases import VirtualAlias
from mailadmin.permissions import access_for
from mailadmin.shortcuts import actor, confirm, is_creator, post_or_back, posted, require_creator, status_message

from .forms import RemoveVirtualAliasForm, VirtualAliasForm, VirtualAliasStatusForm

# --- Lookup helpers: every permission decision of this module is taken here -----------------------------------------


def _may_change_valias(request: HttpRequest, valias: VirtualAlias, fields: set[str]) -> bool:
    """Only admins of its domain change a list; a reserved name (postmaster@) is protected as for accounts."""
    access = access_for(request.user)
    return access.administers(valias.domain) and access.may_change_account(valias.address, frozenset(fields))


def _get_valias_or_404(request: HttpRequest, directory: Directory, address: str,
                       fields: set[str] = frozenset()) -> VirtualAlias:
    """The virtual alias `address`: 404 when missing or hidden, 403 when the user may not change `fields`
    ("forwards" for members and recipients, "enabled", "remove"; reserved list names are protected as for accounts)."""
    try:
        address = normalise_address(address)
    except ValueError:
        raise Http404 from None
    valias = ldap_aliases.get_valias(directory, address)
    access = access_for(request.user)
    if valias is None or not access.sees(valias.domain):
        raise Http404
    if fields and not _may_change_valias(request, valias, fields):
        raise PermissionDenied
    return valias


# --- Pages ------------------------------------------------------------------------------------------------------------


def _members(directory: Directory, valias: VirtualAlias) -> tuple[str, ...]:
    """Member addresses for the edit form (a dangling DN has none and drops out when the form is saved)."""
    return tuple(account.mail for _dn, account in ldap_aliases.member_accounts(directory, valias) if account)


def list_valiases(request: HttpRequest) -> HttpResponse:
    """Virtual aliases of the domains the user sees."""
    access = access_for(request.user)
    with connect() as directory:
        offered = directory.features.virtual_aliases
        valiases = [v for v in ldap_aliases.list_valiases(directory) if access.sees(v.domain)] if offered else []
    return render(request, "aliases/list.html",
                  {"valiases": valiases, "may_add": offered and is_creator(access), "offered": offered})


def add_valias(request: HttpRequest) -> HttpResponse:
    with connect() as directory:
        access = require_creator(request)
        if not directory.features.virtual_aliases:
            return render(request, "aliases/list.html", {"valiases": [], "offered": False}, status=404)
        form = VirtualAliasForm(posted(request), access=access)
        if request.method == "POST" and form.is_valid():
            valias = form.save(directory, actor=actor(request))
            if valias is not None:
                messages.success(request, _("Created %(address)s.") % {"address": display_address(valias.address)})
                return redirect("aliases:detail", address=valias.address)
    return render(request, "aliases/form.html", {"form": form, "adding": True})


def _valias_page(request: HttpRequest, directory: Directory, valias: VirtualAlias,
                 form: VirtualAliasForm | None = None, status: int = 200) -> HttpResponse:
    members = ldap_aliases.member_accounts(directory, valias)
    if form is None:
        form = VirtualAliasForm(valias=valias, member_addresses=tuple(a.mail for _dn, a in members if a))
    may = {action: _may_change_valias(request, valias, fields)
           for action, fields in (("edit", {"forwards"}), ("status", {"enabled"}), ("remove", {"remove"}))}
    context = {"valias": valias, "members": members, "form": form, "may": may}
    return render(request, "aliases/detail.html", context, status=status)


def valias_detail(request: HttpRequest, address: str) -> HttpResponse:
    """Members (with a warning for disabled accounts, whose copies bounce), external recipients, edit form."""
    with connect() as directory:
        valias = _get_valias_or_404(request, directory, address)
        if valias.address != address:
            return redirect("aliases:detail", address=valias.address)
        return _valias_page(request, directory, valias)


@post_or_back("aliases:detail")
def edit_valias(request: HttpRequest, address: str) -> HttpResponse:
    with connect() as directory:
        valias = _get_valias_or_404(request, directory, address, {"forwards"})
        form = VirtualAliasForm(request.POST, valias=valias, member_addresses=_members(directory, valias),
                                access=access_for(request.user))
        if form.is_valid():
            _require_valias_status(request, valias, form.cleaned_data["enabled"])
            updated = form.save(directory, actor=actor(request))
            if updated is not None:
                messages.success(request, _("Saved %(address)s.") % {"address": display_address(valias.address)})
                return redirect("aliases:detail", address=valias.address)
        messages.error(request, _("Nothing was changed: see the form below."))
        return _valias_page(request, directory, valias, form, status=422)


def _require_valias_status(request: HttpRequest, valias: VirtualAlias, enabled: bool) -> None:
    """The edit form carries the status too: changing it needs the "enabled" right (reserved lists)."""
    if enabled != valias.enabled and not _may_change_valias(request, valias, {"enabled"}):
        raise PermissionDenied


def _set_valias_status(request: HttpRequest, address: str, enable: bool) -> HttpResponse:
    with connect() as directory:
        valias = _get_valias_or_404(request, directory, address, {"enabled"})
        form = VirtualAliasStatusForm(request.POST, valias=valias, enable=enable)
        updated = form.save(directory, actor=actor(request)) if form.is_valid() else None
    if updated is None:
        messages.error(request, " ".join(form.non_field_errors()))
    else:
        status_message(request, valias.address, enable)
    return redirect("aliases:detail", address=valias.address)


@post_or_back("aliases:detail")
def enable_valias(request: HttpRequest, address: str) -> HttpResponse:
    return _set_valias_status(request, address, True)


@require_http_methods(["GET", "HEAD", "POST"])
def disable_valias(request: HttpRequest, address: str) -> HttpResponse:
    """Disabling bounces the virtual alias's mail at once: confirm on GET, disable on POST."""
    if request.method == "POST":
        return _set_valias_status(request, address, False)
    with connect() as directory:
        valias = _get_valias_or_404(request, directory, address, {"enabled"})
    if not valias.enabled:
        return redirect("aliases:detail", address=valias.address)
    shown = display_address(valias.address)
    crumbs = ((reverse("aliases:list"), _("Virtual aliases")),
              (reverse("aliases:detail", args=[valias.address]), shown))
    return confirm(request, crumbs, _("Disable %(address)s?") % {"address": shown},
                   _("Mail to %(address)s bounces from now on; its members and recipients stay as they are. You can "
                     "enable it again later.") % {"address": shown}, _("Disable virtual alias"), {})


def remove_valias(request: HttpRequest, address: str) -> HttpResponse:
    """Confirm on GET, remove on POST."""
    with connect() as directory:
        valias = _get_valias_or_404(request, directory, address, {"remove"})
        form = RemoveVirtualAliasForm(posted(request), valias=valias)
        if request.method == "POST" and form.is_valid():
            removed = form.remove(directory, actor=actor(request))
            if removed is not None:
                messages.success(request, _("Removed %(address)s.") % {"address": display_address(valias.address)})
                return redirect("aliases:list")
    return render(request, "aliases/remove.html", {"form": form, "valias": valias})
