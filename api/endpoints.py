"""The API's operations: each one looks up through the console's helpers (404 hides, 403 refuses), binds the
console's form with the JSON it was sent, and calls the same form action, audited as `api:<user>`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Status

from accounts.forms import (
    AccountAddressForm,
    AccountCreateForm,
    AccountEditForm,
    PasswordForm,
    QuotaForm,
    RemoveAccountForm,
    RenameAccountForm,
    StatusForm,
)
from accounts.lookups import ACTIONS, get_account_or_404, get_domain_for_create_or_404, require_change
from domains.forms import DomainForm, RemoveDomainForm
from domains.views import get_domain_or_404, matching
from mailadmin.directory import Directory, connect
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory import domains as ldap_domains
from mailadmin.directory.accounts import Account
from mailadmin.permissions import access_for
from mailadmin.quotareset import DomainQuotaResetForm

from .core import (
    ERRORS,
    WRITE_ERRORS,
    Problem,
    actor,
    api,
    form_problem,
    refused,
    required_version,
    versioned,
    versioned_write,
)
from .schemas import (
    AccountCreated,
    AccountIn,
    AccountOut,
    AccountPage,
    AccountPatch,
    AddressIn,
    DomainIn,
    DomainOut,
    DomainPage,
    DomainPatch,
    PageQuery,
    PasswordIn,
    PasswordOut,
    QuotaIn,
    QuotaResetOut,
    RenameIn,
    account_out,
    canonical_url,
    domain_out,
    quota_text,
)

# --- Domains ----------------------------------------------------------------------------------------------------------


@api.get("/domains", response={200: DomainPage, **ERRORS}, tags=["domains"], url_name="domains")
def list_domains(request: HttpRequest, asked: Query[PageQuery]):
    """The domains the token's user sees, with their account counts; `q` filters by name or description."""
    page, per_page, text = asked.page, asked.per_page, asked.text
    with connect() as directory:
        domains = access_for(request.user).visible(ldap_domains.list_domains(directory))
        domains = matching(domains, text) if text else domains
        paging = asked.paging(len(domains))
        shown = ldap_domains.with_account_counts(directory, domains[(page - 1) * per_page : page * per_page])
    return {**paging, "items": [domain_out(d) for d in shown]}


@api.post("/domains", response={201: DomainOut, **WRITE_ERRORS}, tags=["domains"])
def create_domain(request: HttpRequest, response: HttpResponse, body: DomainIn):
    """A new domain (superadmins only)."""
    if not access_for(request.user).superadmin:
        raise PermissionDenied
    form = DomainForm({"name": body.name, "description": body.description, "default_quota": quota_text(body.default_quota)})
    with connect() as directory:
        domain = form.save(directory, actor=actor(request)) if form.is_valid() else None
    if domain is None:
        raise refused(form)
    versioned(response, domain.csn)
    response["Location"] = reverse("api:domain", kwargs={"name": domain.name})
    return Status(201, domain_out(domain))


@api.get("/domains/{name}", response={200: DomainOut, **ERRORS}, tags=["domains"], url_name="domain")
def get_domain(request: HttpRequest, response: HttpResponse, name: str):
    with connect() as directory:
        domain = get_domain_or_404(request, directory, name)
    versioned(response, domain.csn)
    return domain_out(domain)


@api.patch("/domains/{name}", response={200: DomainOut, **WRITE_ERRORS}, tags=["domains"])
def change_domain(request: HttpRequest, response: HttpResponse, name: str, body: DomainPatch):
    """Description and default quota (administrators of the domain); needs If-Match."""
    with connect() as directory:
        domain = get_domain_or_404(request, directory, name, write=True)
        version = required_version(request, domain.csn, domain_out(domain))
        sent = body.model_fields_set
        form = DomainForm({
            "description": body.description if "description" in sent else domain.description,
            "default_quota": quota_text(body.default_quota if "default_quota" in sent else domain.default_quota_kb),
            "version": version,
        }, domain=domain)
        updated = form.save(directory, actor=actor(request)) if form.is_valid() else None
        if updated is None:
            raise refused(form, form.current and domain_out(form.current))
    versioned(response, updated.csn)
    return domain_out(updated)


@api.post("/domains/{name}/reset-quotas", response={200: QuotaResetOut, **WRITE_ERRORS}, tags=["domains"])
def reset_quotas(request: HttpRequest, name: str):
    """Put every account of the domain back to its default quota (those the user may change, as on the console).
    Needs If-Match with the domain's version: the default applied is the one the client read."""
    access = access_for(request.user)
    if access.auditor:
        raise PermissionDenied  # the console refuses every auditor's POST
    with connect() as directory:
        domain = get_domain_or_404(request, directory, name)
        required_version(request, domain.csn, domain_out(domain))
        form = DomainQuotaResetForm({}, domain=domain, access=access)
        done = form.save(directory, actor=actor(request)) if form.is_valid() else None
    if done is None:
        raise refused(form)
    return {"default_quota_kb": done.default, "changed": [a.mail for a in done.accounts if a.mail not in done.failed],
            "unchanged": done.unchanged, "not_allowed": done.not_allowed, "failed": list(done.failed)}


@api.delete("/domains/{name}", response={204: None, **WRITE_ERRORS}, tags=["domains"])
def delete_domain(request: HttpRequest, name: str):
    """Remove a domain no address uses any more (superadmins only); 409 lists what still uses it."""
    with connect() as directory:
        domain = get_domain_or_404(request, directory, name, remove=True)
        required_version(request, domain.csn, domain_out(domain))
        form = RemoveDomainForm({}, domain=domain)
        if not (form.is_valid() and form.remove(directory, actor=actor(request))):
            if form.users:
                raise Problem(409, str(form.errors["__all__"][0]), errors={"users": list(form.users)})
            raise refused(form, domain_out(domain))
    return Status(204, None)


# --- Accounts ---------------------------------------------------------------------------------------------------------


def _out(request: HttpRequest, account: Account) -> dict:
    return account_out(account, superadmin=access_for(request.user).superadmin)


def _answer(request: HttpRequest, response: HttpResponse, account: Account) -> dict:
    versioned(response, account.csn)
    return _out(request, account)


def _lines(values: list[str]) -> str:
    return "\n".join(values)


@api.get("/domains/{name}/accounts", response={200: AccountPage, **ERRORS}, tags=["accounts"], url_name="domain_accounts")
def list_accounts(request: HttpRequest, name: str, asked: Query[PageQuery]):
    """One page of the domain's accounts, sorted by address, paged on the server as the domain page is (a VLV window
    where the directory offers one, streamed otherwise); `q` filters by text."""
    with connect() as directory:
        domain = get_domain_or_404(request, directory, name)
        found = ldap_accounts.list_domain_accounts(directory, domain.name, page=asked.page, per_page=asked.per_page,
                                                   text=asked.text)
    return {**asked.paging(found.total), "items": [_out(request, a) for a in found.accounts]}


@api.post("/domains/{name}/accounts", response={201: AccountCreated, **WRITE_ERRORS}, tags=["accounts"])
def create_account(request: HttpRequest, response: HttpResponse, name: str, body: AccountIn):
    """A new account; 409 names the holder of a taken address. A generated password is in this answer only."""
    data = {**body.dict(), "password2": body.password, "quota": quota_text(body.quota),
            "aliases": _lines(body.aliases), "forwards": _lines(body.forwards)}
    with connect() as directory:
        domain = get_domain_for_create_or_404(request, directory, name)
        form = AccountCreateForm(data, domain=domain, access=access_for(request.user))
        created = form.save(directory, actor=actor(request)) if form.is_valid() else None
    if created is None:
        raise refused(form)
    account, generated = created
    response["Location"] = canonical_url(account)
    response["Cache-Control"] = "no-store"
    return Status(201, {**_answer(request, response, account), "password": generated})


@api.get("/accounts/{address}", response={200: AccountOut, **ERRORS}, tags=["accounts"], url_name="account")
def get_account(request: HttpRequest, response: HttpResponse, address: str):
    """The account accepting `address`: its primary address or an alias. An alias answers the account itself (no
    redirect: a client never has to re-send its token to follow one); `canonical` and Content-Location name the
    account's own URL."""
    with connect() as directory:
        account = get_account_or_404(request, directory, address)
    response["Content-Location"] = canonical_url(account)
    return _answer(request, response, account)


def _edit_data(account: Account, body: AccountPatch, version: str) -> dict:
    """The edit form's data: the account as read, with what the request sent over it (a partial update)."""
    current = {
        "name": account.name, "first_name": account.first_name, "last_name": account.last_name,
        "aliases": list(account.aliases), "forwards": list(account.forward_targets), "keep_copy": account.keeps_copy,
        "quota": account.quota_kb, "enabled": account.enabled, "hidden": account.hidden, "mailhost": account.mailhost,
        "mailproxy": account.mailproxy, "mailbox": account.mailbox,
    }
    data = current | {key: getattr(body, key) for key in body.model_fields_set}
    return data | {"aliases": _lines(data["aliases"] or []), "forwards": _lines(data["forwards"] or []),
                   "quota": quota_text(data["quota"]), "csn": version}


@api.patch("/accounts/{address}", response={200: AccountOut, **WRITE_ERRORS}, tags=["accounts"])
def change_account(request: HttpRequest, response: HttpResponse, address: str, body: AccountPatch):
    """Change what the console's edit form changes; only the fields sent. Needs If-Match."""
    access = access_for(request.user)
    if "mailbox" in body.model_fields_set and not access.superadmin:
        raise PermissionDenied  # only a superadmin re-points a mailbox, as on the console
    with connect() as directory:
        account = get_account_or_404(request, directory, address)
        version = required_version(request, account.csn, _out(request, account))
        form = AccountEditForm(_edit_data(account, body, version), account=account, access=access,
                               supports_hidden=directory.features.hidden_accounts, mailbox_editable=access.superadmin)
        if not form.is_valid():
            raise form_problem(form)
        changes = form.changes()
        require_change(request, account, set(changes), tuple(set(changes.get("aliases", account.aliases)) ^ set(account.aliases)))
        updated = form.save(directory, actor=actor(request))
        if updated is None:
            raise refused(form, _current(request, directory, account))
    return _answer(request, response, updated)


def _current(request: HttpRequest, directory: Directory, account: Account) -> dict | None:
    """The account as it is now, for a 412 after someone else's change won the race."""
    now = ldap_accounts.get_account_by_dn(directory, account.dn)
    return None if now is None else _out(request, now)


def _account_action(request: HttpRequest, address: str, fields: set[str], make_form, act):
    """Look the account up (403 unless `fields` may change) and write through core.versioned_write."""
    with connect() as directory:
        account = get_account_or_404(request, directory, address, fields)
        return versioned_write(request, directory, account, lambda a: _out(request, a), make_form, act,
                               lambda: _current(request, directory, account))


def _set_status(request: HttpRequest, response: HttpResponse, address: str, enable: bool) -> dict:
    updated = _account_action(request, address, ACTIONS["status"],
                              lambda account: StatusForm({}, account=account, enable=enable),
                              lambda form, directory: form.save(directory, actor=actor(request)))
    return _answer(request, response, updated)


@api.post("/accounts/{address}/enable", response={200: AccountOut, **WRITE_ERRORS}, tags=["accounts"])
def enable_account(request: HttpRequest, response: HttpResponse, address: str):
    return _set_status(request, response, address, True)


@api.post("/accounts/{address}/disable", response={200: AccountOut, **WRITE_ERRORS}, tags=["accounts"])
def disable_account(request: HttpRequest, response: HttpResponse, address: str):
    """Mail to the account now bounces and it cannot sign in."""
    return _set_status(request, response, address, False)


@api.post("/accounts/{address}/quota", response={200: AccountOut, **WRITE_ERRORS}, tags=["accounts"])
def set_quota(request: HttpRequest, response: HttpResponse, address: str, body: QuotaIn):
    """Set the quota, or with `reset` the domain's default."""
    updated = _account_action(request, address, ACTIONS["quota"],
                              lambda account: QuotaForm({"quota": quota_text(body.quota), "reset": body.reset},
                                                        account=account),
                              lambda form, directory: form.save(directory, actor=actor(request)))
    return _answer(request, response, updated)


@api.post("/accounts/{address}/rename", response={200: AccountOut, **WRITE_ERRORS}, tags=["accounts"])
def rename_account(request: HttpRequest, response: HttpResponse, address: str, body: RenameIn):
    """Give the account another primary address (409 names the holder of a taken one); Content-Location is its new
    URL."""
    updated = _account_action(request, address, ACTIONS["rename"],
                              lambda account: RenameAccountForm(body.dict(), account=account,
                                                                access=access_for(request.user)),
                              lambda form, directory: form.save(directory, actor=actor(request)))
    response["Content-Location"] = canonical_url(updated)
    return _answer(request, response, updated)


@api.post("/accounts/{address}/password", response={200: PasswordOut, **WRITE_ERRORS}, tags=["accounts"])
def set_password(request: HttpRequest, response: HttpResponse, address: str, body: PasswordIn):
    """Set the password, or with `generate` have the directory make one (in this answer only)."""
    account, generated = _account_action(
        request, address, ACTIONS["password"],
        lambda account: PasswordForm({"password": body.password, "password2": body.password, "generate": body.generate},
                                     account=account),
        lambda form, directory: form.save(directory, actor=actor(request)))
    with connect() as directory:
        now = ldap_accounts.get_account_by_dn(directory, account.dn) or account
    response["Cache-Control"] = "no-store"
    versioned(response, now.csn)
    return {"password": generated, "version": now.csn}


def _change_address(request: HttpRequest, response: HttpResponse, address: str, kind: str, value: str,
                    keep_copy: bool, adding: bool) -> dict:
    def act(form, directory):
        if kind == "aliases":
            require_change(request, form.account, ACTIONS[kind], (form.cleaned_data["address"],))
        return (form.add if adding else form.remove)(directory, actor=actor(request))

    updated = _account_action(request, address, ACTIONS[kind],
                              lambda account: AccountAddressForm({"address": value, "keep_copy": keep_copy,
                                                                  "csn": account.csn},
                                                                 account=account, kind=kind, removing=not adding,
                                                                 access=access_for(request.user)),
                              act)
    return _answer(request, response, updated)


@api.post("/accounts/{address}/aliases", response={200: AccountOut, **WRITE_ERRORS}, tags=["accounts"])
def add_alias(request: HttpRequest, response: HttpResponse, address: str, body: AddressIn):
    return _change_address(request, response, address, "aliases", body.address, False, True)


@api.delete("/accounts/{address}/aliases/{value}", response={200: AccountOut, **WRITE_ERRORS}, tags=["accounts"])
def remove_alias(request: HttpRequest, response: HttpResponse, address: str, value: str):
    return _change_address(request, response, address, "aliases", value, False, False)


@api.post("/accounts/{address}/forwards", response={200: AccountOut, **WRITE_ERRORS}, tags=["accounts"])
def add_forward(request: HttpRequest, response: HttpResponse, address: str, body: AddressIn):
    return _change_address(request, response, address, "forwards", body.address, body.keep_copy, True)


@api.delete("/accounts/{address}/forwards/{value}", response={200: AccountOut, **WRITE_ERRORS}, tags=["accounts"])
def remove_forward(request: HttpRequest, response: HttpResponse, address: str, value: str):
    return _change_address(request, response, address, "forwards", value, False, False)


@api.delete("/accounts/{address}", response={204: None, **WRITE_ERRORS}, tags=["accounts"])
def delete_account(request: HttpRequest, address: str, delete_entry: bool = False):
    """Remove the account (and its place in every virtual alias). A person keeps its entry and loses only its mail
    unless `delete_entry` (superadmins only)."""
    _account_action(request, address, ACTIONS["remove"],
                    lambda account: RemoveAccountForm({"delete_entry": delete_entry, "csn": account.csn},
                                                      account=account, access=access_for(request.user)),
                    lambda form, directory: form.remove(directory, actor=actor(request)))
    return Status(204, None)



