"""Virtual alias pages: look up (404/403 through aliases/lookups.py), one form action, redirect."""

from __future__ import annotations

from functools import partial
from operator import attrgetter

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from mailadmin.addresses import display_address
from mailadmin.directory import Directory, connect
from mailadmin.directory import aliases as ldap_aliases
from mailadmin.directory.aliases import VirtualAlias, member_addresses
from mailadmin.paging import page_numbers, requested_page
from mailadmin.permissions import access_for
from mailadmin.shortcuts import (
    actor,
    confirm_disable,
    confirm_first,
    filter_text,
    is_creator,
    post_or_back,
    posted,
    rename_page,
    require_creator,
    status_message,
)

from .forms import RemoveVirtualAliasForm, RenameVirtualAliasForm, VirtualAliasForm, VirtualAliasStatusForm
from .lookups import get_valias_or_404, may_change_valias, require_valias_status

VALIASES_PER_PAGE = 50

# --- Pages ------------------------------------------------------------------------------------------------------------


def list_valiases(request: HttpRequest) -> HttpResponse:
    """Virtual aliases of the domains the user sees, a page at a time (?page=), filtered by address (?q=)."""
    access, page, query = access_for(request.user), requested_page(request), filter_text(request)
    with connect() as directory:
        offered = directory.features.virtual_aliases
        valiases, total = ldap_aliases.valias_page(directory, page=page, per_page=VALIASES_PER_PAGE, text=query,
                                                   domains=access.scope) if offered else ([], 0)
    pages = max(1, -(-total // VALIASES_PER_PAGE))
    if page > pages:
        raise Http404("no such page")
    return render(request, "aliases/list.html", {
        "valiases": valiases, "may_add": offered and is_creator(access), "offered": offered, "query": query,
        "total": total, "page": page, "pages": pages, "page_numbers": page_numbers(page, pages)})


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
    may = {action: may_change_valias(request, valias, fields)
           for action, fields in (("edit", {"forwards"}), ("status", {"enabled"}), ("remove", {"remove"}),
                                  ("rename", {"address"}))}
    context = {"valias": valias, "members": members, "form": form, "may": may}
    return render(request, "aliases/detail.html", context, status=status)


def valias_detail(request: HttpRequest, address: str) -> HttpResponse:
    """Members (with a warning for disabled accounts, whose copies bounce), external recipients, edit form."""
    with connect() as directory:
        valias = get_valias_or_404(request, directory, address)
        if valias.address != address:
            return redirect("aliases:detail", address=valias.address)
        return _valias_page(request, directory, valias)


@post_or_back("aliases:detail")
def edit_valias(request: HttpRequest, address: str) -> HttpResponse:
    with connect() as directory:
        valias = get_valias_or_404(request, directory, address, {"forwards"})
        form = VirtualAliasForm(request.POST, valias=valias, member_addresses=member_addresses(directory, valias),
                                access=access_for(request.user))
        if form.is_valid():
            require_valias_status(request, valias, form.cleaned_data["enabled"])
            updated = form.save(directory, actor=actor(request))
            if updated is not None:
                messages.success(request, _("Saved %(address)s.") % {"address": display_address(valias.address)})
                return redirect("aliases:detail", address=valias.address)
        messages.error(request, _("Nothing was changed: see the form below."))
        return _valias_page(request, directory, valias, form, status=422)


def _set_valias_status(request: HttpRequest, address: str, enable: bool) -> HttpResponse:
    with connect() as directory:
        valias = get_valias_or_404(request, directory, address, {"enabled"})
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


@confirm_first(partial(_set_valias_status, enable=False))
def disable_valias(request: HttpRequest, address: str) -> HttpResponse:
    """Disabling bounces the virtual alias's mail at once: confirm on GET, disable on POST."""
    with connect() as directory:
        valias = get_valias_or_404(request, directory, address, {"enabled"})
    crumbs = ((reverse("aliases:list"), _("Virtual aliases")),
              (reverse("aliases:detail", args=[valias.address]), display_address(valias.address)))
    return confirm_disable(request, crumbs, valias.address, valias.enabled,
                           _("Mail to %(address)s bounces from now on; its members and recipients stay as they are. "
                             "You can enable it again later."), _("Disable virtual alias"), {})


def remove_valias(request: HttpRequest, address: str) -> HttpResponse:
    """Confirm on GET, remove on POST."""
    with connect() as directory:
        valias = get_valias_or_404(request, directory, address, {"remove"})
        form = RemoveVirtualAliasForm(posted(request), valias=valias)
        if request.method == "POST" and form.is_valid():
            removed = form.remove(directory, actor=actor(request))
            if removed is not None:
                messages.success(request, _("Removed %(address)s.") % {"address": display_address(valias.address)})
                return redirect("aliases:list")
    return render(request, "aliases/remove.html", {"form": form, "valias": valias})


def rename_valias(request: HttpRequest, address: str) -> HttpResponse:
    """Ask for the new virtual alias address on GET, rename on POST (members and recipients stay), then show the
    virtual alias."""
    return rename_page(request, address, lookup=partial(get_valias_or_404, fields={"address"}),
                       form_class=RenameVirtualAliasForm, name="valias", address_of=attrgetter("address"),
                       template="aliases/rename.html", page="aliases:detail")
