"""Domain pages: the list, one domain with its accounts (paged on the server), add, edit and remove."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mailadmin import dovecot
from mailadmin.addresses import display_address, format_quota
from mailadmin.directory import Directory, connect
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory import aliases as ldap_aliases
from mailadmin.directory import domains as ldap_domains
from mailadmin.directory.domains import MailDomain
from mailadmin.paging import page_numbers, requested_page
from mailadmin.permissions import access_for
from mailadmin.quotareset import DomainQuotaResetForm
from mailadmin.self_service import self_service_allowed
from mailadmin.shortcuts import actor, filter_text, get_visible_domain_or_404, posted

from .forms import DomainForm, RemoveDomainForm

ACCOUNTS_PER_PAGE = 50


def get_domain_or_404(
    request: HttpRequest, directory: Directory, name: str, write: bool = False, *, remove: bool = False
) -> MailDomain:
    """The domain named in the URL (Unicode or A-label). Raise Http404 when it is not a domain, does not exist or is
    not visible to the user; PermissionDenied when visible but the user may not change it (`write`: administrators
    of the domain) or remove it (`remove`: superadmins only)."""
    domain = get_visible_domain_or_404(request, directory, name)
    access = access_for(request.user)
    if (write and not access.administers(domain.name)) or (remove and not access.superadmin):
        raise PermissionDenied
    return domain


def _require_superadmin(request: HttpRequest) -> None:
    """Only superadmins create domains; raise PermissionDenied for anyone else."""
    if not access_for(request.user).superadmin:
        raise PermissionDenied


def matching(domains: list[MailDomain], text: str) -> list[MailDomain]:
    """Domains whose name (either form) or description contains `text`, case-insensitively."""
    needle = text.lower()
    return [d for d in domains if needle in f"{d.name} {d.display_name} {d.description}".lower()]


def list_domains(request: HttpRequest) -> HttpResponse:
    """The domains the user sees, with description, default quota and account count; ?q= filters them."""
    access, query, page = access_for(request.user), filter_text(request), requested_page(request)
    with connect() as directory:
        domains = access.visible(ldap_domains.list_domains(directory))
        if query:
            domains = matching(domains, query)
        pages = ldap_domains.list_pages(domains)
        if page > pages:
            raise Http404("no such page")
        shown = ldap_domains.list_page(domains, page)
        shown, as_of = ldap_domains.remembered_account_counts(directory, shown)
    return render(request, "domains/list.html", {
        "domains": shown, "as_of": as_of, "query": query, "may_add": access.superadmin, "total": len(domains),
        "page": page, "pages": pages, "page_numbers": page_numbers(page, pages),
    })


def domain_detail(request: HttpRequest, name: str) -> HttpResponse:
    """One domain: its facts, one page of its accounts (a VLV window, ?page= and ?q=) and its virtual aliases."""
    page, query = requested_page(request), filter_text(request)
    access = access_for(request.user)
    with connect() as directory:
        domain = get_domain_or_404(request, directory, name)
        accounts = ldap_accounts.list_domain_accounts(
            directory, domain.name, page=page, per_page=ACCOUNTS_PER_PAGE, text=query
        )
        if page > accounts.pages:
            raise Http404("no such page")
        valiases = ldap_aliases.list_valiases(directory, domain.name)
    usage = dovecot.usage(a.mail for a in accounts.accounts)  # one request for the page's accounts
    return render(request, "domains/detail.html", {
        "domain": domain, "accounts": accounts, "as_of": accounts.as_of, "valiases": valiases, "query": query,
        "rows": [(a, usage.get(a.mail)) for a in accounts.accounts], **_nearly_full(request, domain.name),
        "page": accounts.page, "pages": accounts.pages, "page_numbers": page_numbers(accounts.page, accounts.pages),
        "may_edit": access.administers(domain.name), "may_remove": access.superadmin,
        "may_add_account": access.may_create_in(domain.name), "may_reset_quotas": access.sees(domain.name),
        "self_service": self_service_allowed(domain.name),
    })


def _nearly_full(request: HttpRequest, domain: str) -> dict:
    """With ?usage=nearly-full: the domain's mailboxes over 90 % of their quota, fullest first (None: unknown)."""
    if request.GET.get("usage") != "nearly-full":
        return {}
    try:
        return {"nearly_full": dovecot.fullest(f"*@{domain}", dovecot.NEARLY_FULL), "usage_filter": True}
    except dovecot.DovecotUnavailable:
        return {"nearly_full": None, "usage_filter": True}


def add_domain(request: HttpRequest) -> HttpResponse:
    """A new domain, superadmins only."""
    _require_superadmin(request)
    form = DomainForm(posted(request))
    if form.is_valid():
        with connect() as directory:
            domain = form.save(directory, actor=actor(request))
        if domain is not None:
            messages.success(request, _("Added the domain %(name)s.") % {"name": domain.display_name})
            return redirect("domains:detail", name=domain.name)
    return render(request, "domains/form.html", {"form": form, "adding": True})


def edit_domain(request: HttpRequest, name: str) -> HttpResponse:
    """Description and default quota; a form opened before someone else's change is not applied over it."""
    with connect() as directory:
        domain = get_domain_or_404(request, directory, name, write=True)
        form = DomainForm(posted(request), domain=domain)
        if form.is_valid() and form.save(directory, actor=actor(request)):
            messages.success(request, _("Saved the domain %(name)s.") % {"name": domain.display_name})
            return redirect("domains:detail", name=domain.name)
    return render(request, "domains/form.html", {"form": form, "adding": False, "domain": domain})


def remove_domain(request: HttpRequest, name: str) -> HttpResponse:
    """Confirm on GET, remove on POST; refused while accounts or aliases use the domain. Superadmins only."""
    with connect() as directory:
        domain = get_domain_or_404(request, directory, name, remove=True)
        form = RemoveDomainForm(posted(request), domain=domain)
        if form.is_valid() and form.remove(directory, actor=actor(request)):
            messages.success(request, _("Removed the domain %(name)s.") % {"name": domain.display_name})
            return redirect("domains:list")
    return render(request, "domains/confirm_remove.html", {"form": form, "domain": domain})


def reset_quotas(request: HttpRequest, name: str) -> HttpResponse:
    """Confirm on GET (saying how many accounts change), reset every account of the domain to its default quota on
    POST. Superadmins, the domain's admins and its helpdesk; accounts of console users are left to a superadmin."""
    with connect() as directory:
        domain = get_domain_or_404(request, directory, name)
        form = DomainQuotaResetForm(posted(request), domain=domain, access=access_for(request.user))
        if request.method == "POST" and form.is_valid():
            done = form.save(directory, actor=actor(request))
            if done is not None:
                _say_reset(request, domain, done)
                return redirect("domains:detail", name=domain.name)
        plan = form.plan(directory)
    return render(request, "domains/reset_quotas.html", {"form": form, "domain": domain, "plan": plan})


def _say_reset(request: HttpRequest, domain: MailDomain, done) -> None:
    values = {"count": done.changed, "domain": domain.display_name, "quota": format_quota(done.default)}
    messages.success(request, ngettext("Reset %(count)d account of %(domain)s to %(quota)s.",
                                       "Reset %(count)d accounts of %(domain)s to %(quota)s.", done.changed) % values)
    if done.failed:
        messages.error(request, _("These accounts were changed meanwhile or refused, and keep their quota: "
                                  "%(addresses)s.") % {"addresses": ", ".join(map(display_address, done.failed))})
