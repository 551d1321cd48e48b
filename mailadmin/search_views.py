"""The search box and the route tool: the helpdesk's main paths, across every domain the user sees."""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mailadmin.addresses import domain_of, normalise_address
from mailadmin.directory import Directory, connect
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory import aliases as ldap_aliases
from mailadmin.directory.accounts import Account
from mailadmin.directory.aliases import VirtualAlias
from mailadmin.directory.routing import trace
from mailadmin.forms import RouteForm
from mailadmin.paging import page_numbers, requested_page
from mailadmin.permissions import Access, access_for
from mailadmin.shortcuts import filter_text

SEARCH_LIMIT = 50
ACCOUNTS_PER_PAGE = 50  # the "every account" lists, as the domain page
STATUSES = ("all", "disabled")


def as_address(text: str) -> str | None:
    """The normalised address when `text` is one (so `Alice@Bücher.example` finds the stored A-label), else None."""
    try:
        return normalise_address(text)
    except ValueError:
        return None


def named_valias(directory: Directory, access: Access, address: str | None,
                 domains: Collection[str] | None = None) -> VirtualAlias | None:
    """The virtual alias whose address is `address`, when the user sees its domain (and it is one of `domains`)."""
    if address is None or not access.sees(domain_of(address)) or (domains is not None and domain_of(address) not in domains):
        return None
    return ldap_aliases.get_valias(directory, address)


def find(directory: Directory, access: Access, text: str) -> tuple[list[Account], bool, VirtualAlias | None]:
    """Accounts matching `text` in the user's domains, whether there were more, and the virtual alias named `text`."""
    address = as_address(text)
    accounts, truncated = ldap_accounts.search_accounts(directory, address or text, limit=SEARCH_LIMIT,
                                                        domains=access.scope)
    accounts = [a for a in accounts if access.sees(a.domain)]  # the filter scopes already; this guards the page
    return accounts, truncated, named_valias(directory, access, address)


def search(request: HttpRequest) -> HttpResponse:
    """?q= an address, alias, name or login; a single hit goes straight to its page. An empty box shows the form.
    ?status=all or ?status=disabled lists every account, or every disabled one (the dashboard's cards)."""
    if request.GET.get("status") in STATUSES:
        return _account_list(request, request.GET["status"])
    query = filter_text(request)
    if not query:
        return render(request, "search.html", {"query": ""})
    with connect() as directory:
        accounts, truncated, valias = find(directory, access_for(request.user), query)
    if len(accounts) == 1 and valias is None and not truncated:
        return redirect(f"/accounts/{quote(accounts[0].mail, safe='@+')}/")
    if valias is not None and not accounts:
        return redirect(f"/aliases/{quote(valias.address, safe='@+')}/")
    return render(request, "search.html", {
        "query": query, "accounts": accounts, "truncated": truncated, "valias": valias, "limit": SEARCH_LIMIT,
    })


def _account_list(request: HttpRequest, status: str) -> HttpResponse:
    """Every account, or every disabled one, of the user's domains, sorted by address: a page at a time (?page=),
    paged on the server as on the domain page."""
    access, page = access_for(request.user), requested_page(request)
    with connect() as directory:
        listed = ldap_accounts.list_accounts(directory, disabled=status == "disabled", domains=access.scope,
                                             page=page, per_page=ACCOUNTS_PER_PAGE)
    if page > listed.pages:
        raise Http404("no such page")
    return render(request, "search.html", {
        "status": status, "accounts": [a for a in listed.accounts if access.sees(a.domain)], "total": listed.total,
        "page": page, "pages": listed.pages, "page_numbers": page_numbers(page, listed.pages),
    })


def route(request: HttpRequest) -> HttpResponse:
    """?address= where does mail for it go: the Postfix lookups, step by step. Other domains stay invisible."""
    form = RouteForm(request.GET or None)
    context: dict = {"form": form}
    if form.is_valid():
        address = form.cleaned_data["address"]
        if access_for(request.user).sees(domain_of(address)):
            with connect() as directory:
                context["route"] = trace(directory, address)
        else:
            context["hidden"] = address
    return render(request, "route.html", context)
