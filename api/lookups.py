"""The API's virtual aliases, route explanation and search: the console's lookups and forms, as JSON."""

from __future__ import annotations

import dataclasses

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Status

from aliases.forms import RemoveVirtualAliasForm, RenameVirtualAliasForm, VirtualAliasForm, VirtualAliasStatusForm
from aliases.lookups import get_valias_or_404, require_valias_status
from domains.views import get_domain_or_404
from mailadmin.addresses import domain_of
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory import aliases as ldap_aliases
from mailadmin.directory import connect
from mailadmin.directory.aliases import VirtualAlias, member_addresses
from mailadmin.directory.routing import trace
from mailadmin.forms import RouteForm
from mailadmin.permissions import access_for
from mailadmin.search_views import as_address, named_valias
from mailadmin.shortcuts import QUERY_MAX, require_creator

from .core import ERRORS, WRITE_ERRORS, actor, api, form_problem, refused, required_version, versioned, versioned_write
from .schemas import (
    PageQuery,
    RouteOut,
    SearchPage,
    SearchQuery,
    ValiasIn,
    ValiasOut,
    ValiasPage,
    ValiasPatch,
    ValiasRenameIn,
    account_out,
    valias_out,
)


def _lines(values: list[str]) -> str:
    return "\n".join(values)


def _features(directory) -> None:
    """Directories whose schema has no mailAlias class offer no virtual aliases: 404, as on the console."""
    if not directory.features.virtual_aliases:
        raise Http404("no virtual aliases")


def _answer(response: HttpResponse, directory, valias: VirtualAlias) -> dict:
    versioned(response, valias.csn)
    return valias_out(valias, member_addresses(directory, valias))


def _domains(request: HttpRequest, directory, domain: str) -> set[str] | frozenset[str] | None:
    """What a list's `domain` parameter narrows it to: that domain (404 when the user does not see it), else every
    domain the user sees (None: every domain)."""
    return {get_domain_or_404(request, directory, domain).name} if domain else access_for(request.user).scope


def _valias_page(directory, asked: PageQuery, domains) -> dict:
    """One page of the virtual aliases of `domains` (None: every domain) whose address contains the text asked, as
    the console's list pages them."""
    valiases, total = ldap_aliases.valias_page(directory, page=asked.page, per_page=asked.per_page, text=asked.text,
                                               domains=domains)
    return {**asked.paging(total), "items": [valias_out(v, member_addresses(directory, v)) for v in valiases]}


@api.get("/valiases", response={200: ValiasPage, **ERRORS}, tags=["virtual aliases"])
def list_valiases(request: HttpRequest, asked: Query[PageQuery], domain: str = Query("", max_length=253)):
    """The virtual aliases of the domains the user sees, or of one (`domain`), sorted by address; `q` filters by
    address."""
    with connect() as directory:
        _features(directory)
        return _valias_page(directory, asked, _domains(request, directory, domain))


@api.get("/domains/{name}/valiases", response={200: ValiasPage, **ERRORS}, tags=["virtual aliases"])
def list_domain_valiases(request: HttpRequest, name: str, asked: Query[PageQuery]):
    """The domain's virtual aliases, sorted by address; `q` filters by address."""
    with connect() as directory:
        _features(directory)
        return _valias_page(directory, asked, {get_domain_or_404(request, directory, name).name})


@api.post("/valiases", response={201: ValiasOut, **WRITE_ERRORS}, tags=["virtual aliases"])
def create_valias(request: HttpRequest, response: HttpResponse, body: ValiasIn):
    """A new virtual alias, in a domain the user administers; 409 names the holder of a taken address."""
    access = require_creator(request)
    with connect() as directory:
        _features(directory)
        form = VirtualAliasForm({"address": body.address, "members": _lines(body.members),
                                 "external": _lines(body.external), "enabled": body.enabled}, access=access)
        valias = form.save(directory, actor=actor(request)) if form.is_valid() else None
        if valias is None:
            raise refused(form)
        response["Location"] = reverse("api:valias", kwargs={"address": valias.address})
        return Status(201, _answer(response, directory, valias))


@api.get("/valiases/{address}", response={200: ValiasOut, **ERRORS}, tags=["virtual aliases"], url_name="valias")
def get_valias(request: HttpRequest, response: HttpResponse, address: str):
    with connect() as directory:
        _features(directory)
        return _answer(response, directory, get_valias_or_404(request, directory, address))


@api.patch("/valiases/{address}", response={200: ValiasOut, **WRITE_ERRORS}, tags=["virtual aliases"])
def change_valias(request: HttpRequest, response: HttpResponse, address: str, body: ValiasPatch):
    """Members, outside recipients and status; only the fields sent. Needs If-Match."""
    with connect() as directory:
        _features(directory)
        valias = get_valias_or_404(request, directory, address, {"forwards"})
        members = member_addresses(directory, valias)
        version = required_version(request, valias.csn, valias_out(valias, members))
        sent = body.model_fields_set
        form = VirtualAliasForm({
            "members": _lines(body.members if "members" in sent else list(members)),
            "external": _lines(body.external if "external" in sent else list(valias.external)),
            "enabled": body.enabled if "enabled" in sent else valias.enabled, "csn": version,
        }, valias=valias, member_addresses=members, access=access_for(request.user))
        if not form.is_valid():
            raise form_problem(form)
        require_valias_status(request, valias, form.cleaned_data["enabled"])
        updated = form.save(directory, actor=actor(request))
        if updated is None:
            raise refused(form, _now(directory, valias))
        return _answer(response, directory, updated)


def _now(directory, valias: VirtualAlias) -> dict | None:
    now = ldap_aliases.get_valias(directory, valias.address)
    return None if now is None else valias_out(now, member_addresses(directory, now))


def _valias_action(request: HttpRequest, address: str, fields: set[str], make_form, act) -> tuple:
    """Look the virtual alias up (403 unless `fields` may change), write through core.versioned_write, and return
    the result with its member addresses."""
    with connect() as directory:
        _features(directory)
        valias = get_valias_or_404(request, directory, address, fields)
        result = versioned_write(request, directory, valias,
                                 lambda v: valias_out(v, member_addresses(directory, v)), make_form, act,
                                 lambda: _now(directory, valias))
        return result, member_addresses(directory, result) if fields != {"remove"} else ()


def _set_status(request: HttpRequest, response: HttpResponse, address: str, enable: bool) -> dict:
    updated, members = _valias_action(request, address, {"enabled"},
                                      lambda valias: VirtualAliasStatusForm({}, valias=valias, enable=enable),
                                      lambda form, directory: form.save(directory, actor=actor(request)))
    versioned(response, updated.csn)
    return valias_out(updated, members)


@api.post("/valiases/{address}/enable", response={200: ValiasOut, **WRITE_ERRORS}, tags=["virtual aliases"])
def enable_valias(request: HttpRequest, response: HttpResponse, address: str):
    return _set_status(request, response, address, True)


@api.post("/valiases/{address}/disable", response={200: ValiasOut, **WRITE_ERRORS}, tags=["virtual aliases"])
def disable_valias(request: HttpRequest, response: HttpResponse, address: str):
    return _set_status(request, response, address, False)


@api.post("/valiases/{address}/rename", response={200: ValiasOut, **WRITE_ERRORS}, tags=["virtual aliases"])
def rename_valias(request: HttpRequest, response: HttpResponse, address: str, body: ValiasRenameIn):
    """Give the virtual alias another address (members, recipients and status stay); 409 names the holder of a taken
    one."""
    renamed, members = _valias_action(
        request, address, {"address"},
        lambda valias: RenameVirtualAliasForm({"new_address": body.new_address}, valias=valias,
                                              access=access_for(request.user)),
        lambda form, directory: form.save(directory, actor=actor(request)))
    response["Content-Location"] = reverse("api:valias", kwargs={"address": renamed.address})
    versioned(response, renamed.csn)
    return valias_out(renamed, members)


@api.delete("/valiases/{address}", response={204: None, **WRITE_ERRORS}, tags=["virtual aliases"])
def delete_valias(request: HttpRequest, address: str):
    _valias_action(request, address, {"remove"}, lambda valias: RemoveVirtualAliasForm({}, valias=valias),
                   lambda form, directory: form.remove(directory, actor=actor(request)))
    return Status(204, None)


# --- Route and search -------------------------------------------------------------------------------------------------


@api.get("/route", response={200: RouteOut, **ERRORS}, tags=["lookups"])
def route(request: HttpRequest, address: str = Query(..., max_length=QUERY_MAX)):
    """Where mail for `address` goes: Postfix's lookups, step by step (404 for a domain hidden from the user)."""
    form = RouteForm({"address": address})
    if not form.is_valid():
        raise form_problem(form)
    if not access_for(request.user).sees(domain_of(form.cleaned_data["address"])):
        raise Http404
    with connect() as directory:
        found = trace(directory, form.cleaned_data["address"])
    return dataclasses.asdict(found)


@api.get("/search", response={200: SearchPage, **ERRORS}, tags=["lookups"])
def search(request: HttpRequest, asked: Query[SearchQuery], domain: str = Query("", max_length=253)):
    """The console's search box as a list: the accounts whose address, alias, name or login contains `q`, in the
    domains the user sees or in one (`domain`), sorted by address and paged on the server as the other lists; and
    the virtual alias whose address is `q`."""
    access = access_for(request.user)
    with connect() as directory:
        domains = _domains(request, directory, domain)
        address = as_address(asked.text)
        found = ldap_accounts.list_accounts(directory, text=address or asked.text, domains=domains, page=asked.page,
                                            per_page=asked.per_page)
        valias = named_valias(directory, access, address, domains)
        return {**asked.paging(found.total), "valias": valias and valias_out(valias, member_addresses(directory, valias)),
                # the filter scopes already; this guards the page, as the console's search does
                "items": [account_out(a, superadmin=access.superadmin) for a in found.accounts if access.sees(a.domain)]}
