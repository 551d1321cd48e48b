"""Account, virtual alias and people pages: look up (404/403 through the helpers below), one form action, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mailadmin import dovecot
from mailadmin.addresses import (
    display_address,
    domain_of,
    format_quota,
    normalise_address,
    normalise_domain,
    normalise_uid,
)
from mailadmin.audit import record
from mailadmin.directory import Directory, connect, subschema
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory import aliases as ldap_aliases
from mailadmin.directory import domains as ldap_domains
from mailadmin.directory import groups as ldap_groups
from mailadmin.directory.accounts import Account, Person
from mailadmin.directory.aliases import VirtualAlias
from mailadmin.directory.domains import MailDomain
from mailadmin.permissions import Access, access_for, is_admin_address, is_console_entry, is_reserved
from mailadmin.sessions import keep_own_session
from selfservice.vacation import VACATION_UNREACHABLE, vacation_form

from .forms import (
    AccountAddressForm,
    AccountCreateForm,
    AccountEditForm,
    EnableMailForm,
    PasswordForm,
    QuotaForm,
    RemoveAccountForm,
    RemoveVirtualAliasForm,
    StatusForm,
    VirtualAliasForm,
    VirtualAliasStatusForm,
    removal_audit,
)

# What each action on the account page changes, in the vocabulary of Access.may_change_account.
ACTIONS = {
    "quota": {"quota_kb"}, "status": {"enabled"}, "password": {"password"}, "aliases": {"aliases"},
    "forwards": {"forwards"}, "remove": {"remove"}, "vacation": {"vacation"},
    "edit": {"name", "first_name", "last_name", "aliases", "forwards", "quota_kb", "enabled"},
}


# --- Lookup helpers: every permission decision of this module is taken here -----------------------------------------


def _protected(address: str) -> bool:
    return is_reserved(address) or is_admin_address(address)


def _may_change(access: Access, account: Account, fields: set[str], touched: tuple[str, ...] = ()) -> bool:
    """Whether `fields` of `account` may change. A reserved or admin's address the account accepts (abuse@, or the
    address an admin signs in with, as an alias) protects the account like its primary address would, and adding or
    removing such an alias counts as re-pointing it."""
    checks = [(account.mail, fields), *((a, fields) for a in account.aliases if _protected(a))]
    checks += [(a, fields | {"address"}) for a in touched if _protected(a)]
    return all(access.may_change_account(address, frozenset(f)) for address, f in checks)


def _get_account_or_404(request: HttpRequest, directory: Directory, address: str, fields: set[str] = frozenset(),
                        touched: tuple[str, ...] = ()) -> Account:
    """The account accepting `address` (primary or alias). Http404 when there is none or its domain is hidden from
    the user; PermissionDenied (403) when the user may not change `fields` of it (see _may_change)."""
    try:
        address = normalise_address(address)
    except ValueError:
        raise Http404 from None
    account = ldap_accounts.get_account(directory, address)
    access = access_for(request.user)
    if account is None or not access.sees(account.domain):
        raise Http404
    if fields and not _may_change(access, account, set(fields), touched):
        raise PermissionDenied
    return account


def _require_change(request: HttpRequest, account: Account, fields: set[str], touched: tuple[str, ...] = ()) -> None:
    """PermissionDenied unless the user may change `fields` (known only once a form has been read)."""
    if not _may_change(access_for(request.user), account, fields, touched):
        raise PermissionDenied


def _abilities(request: HttpRequest, account: Account) -> dict[str, bool]:
    """Which actions the account page offers this user."""
    access = access_for(request.user)
    return {action: _may_change(access, account, fields) for action, fields in ACTIONS.items()}


def _get_domain_for_create_or_404(request: HttpRequest, directory: Directory, name: str) -> MailDomain:
    """The hosted domain `name`: 404 when missing or hidden from the user, 403 when the user may not create in it."""
    try:
        name = normalise_domain(name)
    except ValueError:
        raise Http404 from None
    access = access_for(request.user)
    domain = ldap_domains.get_domain(directory, name) if access.sees(name) else None
    if domain is None:
        raise Http404
    if not access.may_create_in(domain.name):
        raise PermissionDenied
    return domain


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


def _get_group_or_404(request: HttpRequest, directory: Directory, name: str) -> ldap_groups.MailGroup:
    """The MDS mail group whose cn is `name`: 404 when missing or when its address is in a domain hidden from the
    user (groups are only read, so there is no 403)."""
    group = ldap_groups.get_group(directory, name)
    if group is None or not access_for(request.user).sees(group.domain):
        raise Http404
    return group


def _is_creator(access: Access) -> bool:
    return bool(access.superadmin or access.admin_of)


def _require_creator(request: HttpRequest) -> Access:
    """Adding virtual aliases and enabling mail on people needs a domain to administer (403 otherwise)."""
    access = access_for(request.user)
    if not _is_creator(access):
        raise PermissionDenied
    return access


def _people_scope(access: Access) -> frozenset[str] | None:
    """Whose people a user may give mail to: a superadmin anyone's; a domain admin only people already tied to a
    domain it administers by their `mail` (a person's password is their directory login: never any person's)."""
    return None if access.superadmin else access.admin_of


def _get_person_or_404(request: HttpRequest, directory: Directory, uid: str) -> Person:
    """The person `uid` without mail: 403 for users who administer no domain; 404 when missing or out of the user's
    reach (see _people_scope); 403 when it is a console user's entry or sign-in address (superadmins only)."""
    access = _require_creator(request)
    try:
        person = ldap_accounts.get_person(directory, normalise_uid(uid))
    except ValueError:
        person = None
    scope = _people_scope(access)
    if person is None or (scope is not None and domain_of(person.mail) not in scope):
        raise Http404
    if not access.superadmin and (is_admin_address(person.mail) or is_console_entry(person.dn)):
        raise PermissionDenied
    return person


# --- Shared bits ------------------------------------------------------------------------------------------------------


def _posted(request: HttpRequest):
    """The POST data, or None on GET: an empty POST (a bare confirmation) still binds the form."""
    return request.POST if request.method == "POST" else None


def _audit(request: HttpRequest, action: str, target: str, form, result, *, old=None, new=None) -> None:
    """One audit row per attempted change; a refusal is recorded with the form's messages (never a password)."""
    detail = "" if result is not None else " ".join(str(e) for errors in form.errors.values() for e in errors)
    record(request.user.get_username(), action, target, old=old, new=new, ok=result is not None, detail=detail)


def _account_page(request: HttpRequest, directory: Directory, account: Account, status: int = 200,
                  **forms) -> HttpResponse:
    """The account page, with fresh forms for every action unless a bound (failed) one is given."""
    access = access_for(request.user)
    may = _abilities(request, account)
    context = {
        "account": account, "may": may, "usage": dovecot.usage([account.mail]).get(account.mail),
        "vacation_form": vacation_form(account) if may["vacation"] else None,
        "domain": ldap_domains.get_domain(directory, account.domain),
        "edit_form": AccountEditForm(account=account, supports_hidden=subschema.knows(directory, "mailhidden"),
                                     mailbox_editable=access.superadmin),
        "quota_form": QuotaForm(account=account),
        "password_form": PasswordForm(account=account),
        "alias_form": AccountAddressForm(account=account, kind="aliases"),
        "forward_form": AccountAddressForm(account=account, kind="forwards"),
        **forms,
    }
    return render(request, "accounts/detail.html", context, status=status)


def _show_password(request: HttpRequest, account: Account, password: str) -> HttpResponse:
    """The generated password, once: on this response only, never in the session, messages, logs or caches."""
    response = render(request, "accounts/password_shown.html", {"account": account, "password": password})
    add_never_cache_headers(response)
    return response


def _done(request: HttpRequest, message: str, account: Account) -> HttpResponse:
    messages.success(request, message)
    return redirect("accounts:detail", address=account.mail)


def _refused(request: HttpRequest, directory: Directory, account: Account, name: str, form) -> HttpResponse:
    messages.error(request, _("Nothing was changed: see the form below."))
    return _account_page(request, directory, account, status=422 if form.errors else 200, **{name: form})


# --- Accounts ---------------------------------------------------------------------------------------------------------


def add_account(request: HttpRequest, domain: str) -> HttpResponse:
    """The new-account form; a generated password is shown once, on the response to the POST."""
    with connect() as directory:
        mail_domain = _get_domain_for_create_or_404(request, directory, domain)
        form = AccountCreateForm(_posted(request), domain=mail_domain, access=access_for(request.user))
        if request.method == "POST" and form.is_valid():
            wanted = {k: v for k, v in form.cleaned_data.items() if not k.startswith("password")}
            created = form.save(directory)  # a refusal drops the field from cleaned_data: `wanted` was read first
            _audit(request, "account.create", wanted["address"], form, created, new=wanted)
            if created is not None:
                account, generated = created
                if generated:
                    return _show_password(request, account, generated)
                return _done(request, _("Created %(address)s.") % {"address": display_address(account.mail)}, account)
    return render(request, "accounts/add.html", {"form": form, "domain": mail_domain})


def account_detail(request: HttpRequest, address: str) -> HttpResponse:
    """Everything about one account; an alias address redirects to the primary address."""
    with connect() as directory:
        account = _get_account_or_404(request, directory, address)
        if account.mail != address:
            return redirect("accounts:detail", address=account.mail)
        return _account_page(request, directory, account)


@require_POST
def edit_account(request: HttpRequest, address: str) -> HttpResponse:
    """Save the edit form in one modify; a stale form is refused with the current values shown."""
    with connect() as directory:
        account = _get_account_or_404(request, directory, address)
        form = AccountEditForm(request.POST, account=account, access=access_for(request.user),
                               supports_hidden=subschema.knows(directory, "mailhidden"),
                               mailbox_editable=access_for(request.user).superadmin)
        if form.is_valid():
            changes = form.changes()
            touched = tuple(set(changes.get("aliases", account.aliases)) ^ set(account.aliases))
            _require_change(request, account, set(changes), touched)
            updated = form.save(directory)
            _audit(request, "account.update", account.mail, form, updated,
                   old={k: getattr(account, k) for k in changes}, new=changes)
            if updated is not None:
                return _done(request, _("Saved %(address)s.") % {"address": display_address(account.mail)}, updated)
        return _refused(request, directory, account, "edit_form", form)


def _set_status(request: HttpRequest, address: str, enable: bool) -> HttpResponse:
    with connect() as directory:
        account = _get_account_or_404(request, directory, address, ACTIONS["status"])
        form = StatusForm(request.POST, account=account, enable=enable)
        updated = form.save(directory) if form.is_valid() else None
        _audit(request, "account.enable" if enable else "account.disable", account.mail, form, updated,
               old={"enabled": account.enabled}, new={"enabled": enable})
        if updated is None:
            return _refused(request, directory, account, "status_form", form)
        message = _("%(address)s is enabled.") if enable else _("%(address)s is disabled: its mail now bounces.")
        return _done(request, message % {"address": display_address(account.mail)}, updated)


@require_POST
def enable_account(request: HttpRequest, address: str) -> HttpResponse:
    return _set_status(request, address, True)


@require_POST
def disable_account(request: HttpRequest, address: str) -> HttpResponse:
    return _set_status(request, address, False)


@require_POST
def set_quota(request: HttpRequest, address: str) -> HttpResponse:
    """Set the quota, or reset it to the domain default (the "reset" button)."""
    with connect() as directory:
        account = _get_account_or_404(request, directory, address, ACTIONS["quota"])
        form = QuotaForm(request.POST, account=account)
        updated = form.save(directory) if form.is_valid() else None
        _audit(request, "account.quota", account.mail, form, updated, old={"quota_kb": account.quota_kb},
               new={"quota_kb": updated.quota_kb if updated else None})
        if updated is None:
            return _refused(request, directory, account, "quota_form", form)
        return _done(request, _("The quota of %(address)s is now %(quota)s.") % {
            "address": display_address(account.mail), "quota": format_quota(updated.quota_kb)}, updated)


@require_POST
def set_password(request: HttpRequest, address: str) -> HttpResponse:
    """Set or generate the password; a generated one is shown once, on this response, and stored nowhere."""
    with connect() as directory:
        account = _get_account_or_404(request, directory, address, ACTIONS["password"])
        form = PasswordForm(request.POST, account=account)
        result = form.save(directory) if form.is_valid() else None
        _audit(request, "account.password", account.mail, form, result)
        if result is None:
            return _refused(request, directory, account, "password_form", form)
        keep_own_session(request, account.dn)  # the user's other sessions end at their next request
        if result[1]:
            return _show_password(request, account, result[1])
        return _done(request, _("The password of %(address)s is set.") % {"address": display_address(account.mail)},
                     account)


@require_POST
def set_vacation(request: HttpRequest, address: str) -> HttpResponse:
    """Vacation reply on, changed or off: admins who may change the account (not the helpdesk)."""
    with connect() as directory:
        account = _get_account_or_404(request, directory, address, ACTIONS["vacation"])
        form = vacation_form(account, request.POST)
        if form is None:
            messages.error(request, VACATION_UNREACHABLE)
            return redirect("accounts:detail", address=account.mail)
        done = True if form.is_valid() and form.save() else None
        _audit(request, "account.vacation", account.mail, form, done, new=form.audited() if done else None)
        if done is None:
            return _refused(request, directory, account, "vacation_form", form)
    return _done(request, _("The vacation reply of %(address)s is saved.") % {
        "address": display_address(account.mail)}, account)


def _change_address(request: HttpRequest, address: str, kind: str, adding: bool) -> HttpResponse:
    """Add or remove one alias or forward, as one modify."""
    with connect() as directory:
        account = _get_account_or_404(request, directory, address, ACTIONS[kind])
        form = AccountAddressForm(request.POST, account=account, kind=kind, removing=not adding,
                                  access=access_for(request.user))
        if form.is_valid():
            value = form.cleaned_data["address"]
            _require_change(request, account, ACTIONS[kind], (value,) if kind == "aliases" else ())
            updated = form.add(directory) if adding else form.remove(directory)
            _audit(request, f"account.{kind}.{'add' if adding else 'remove'}", account.mail, form, updated,
                   old={kind: getattr(account, kind)}, new={kind: getattr(updated, kind) if updated else ()})
            if updated is not None:
                message = _("Added %(value)s.") if adding else _("Removed %(value)s.")
                return _done(request, message % {"value": display_address(value)}, updated)
        return _refused(request, directory, account, "alias_form" if kind == "aliases" else "forward_form", form)


@require_POST
def add_alias(request: HttpRequest, address: str) -> HttpResponse:
    return _change_address(request, address, "aliases", True)


@require_POST
def remove_alias(request: HttpRequest, address: str) -> HttpResponse:
    return _change_address(request, address, "aliases", False)


@require_POST
def add_forward(request: HttpRequest, address: str) -> HttpResponse:
    return _change_address(request, address, "forwards", True)


@require_POST
def remove_forward(request: HttpRequest, address: str) -> HttpResponse:
    return _change_address(request, address, "forwards", False)


def remove_account(request: HttpRequest, address: str) -> HttpResponse:
    """Confirm on GET, remove on POST (also from every virtual alias), then go to the domain. A person keeps its
    entry and loses only its mail, unless a superadmin chooses to delete the whole entry."""
    with connect() as directory:
        account = _get_account_or_404(request, directory, address, ACTIONS["remove"])
        access = access_for(request.user)
        form = RemoveAccountForm(_posted(request), account=account, access=access)
        if request.method == "POST" and form.is_valid():
            done = form.remove(directory)
            old, new = removal_audit(account, done)
            _audit(request, "account.remove", account.mail, form, done, old=old, new=new)
            if done is not None:
                messages.success(request, _removed_message(done[0]))
                return redirect("domains:detail", name=account.domain)
        removal = form.plan(directory)
    return render(request, "accounts/remove.html", {"form": form, "account": account, "removal": removal,
                                                    "may_delete_entry": access.superadmin})


def _removed_message(removal: ldap_accounts.Removal) -> str:
    values = {"address": display_address(removal.account.mail), "uid": removal.account.uid}
    if removal.delete_entry:
        return _("Removed %(address)s.") % values
    return _("Removed the mail of %(address)s; the person %(uid)s stays in the directory.") % values


# --- Virtual aliases --------------------------------------------------------------------------------------------------


def _members(directory: Directory, valias: VirtualAlias) -> tuple[str, ...]:
    """Member addresses for the edit form (a dangling DN has none and drops out when the form is saved)."""
    return tuple(account.mail for _dn, account in ldap_aliases.member_accounts(directory, valias) if account)


def _valiases_offered(directory: Directory) -> bool:
    """Older MDS schemas have no mailAlias class: such a directory holds no virtual aliases and can take none."""
    return subschema.knows(directory, "mailAlias", object_class=True)


def list_valiases(request: HttpRequest) -> HttpResponse:
    """Virtual aliases of the domains the user sees."""
    access = access_for(request.user)
    with connect() as directory:
        offered = _valiases_offered(directory)
        valiases = [v for v in ldap_aliases.list_valiases(directory) if access.sees(v.domain)] if offered else []
    return render(request, "aliases/list.html",
                  {"valiases": valiases, "may_add": offered and _is_creator(access), "offered": offered})


def add_valias(request: HttpRequest) -> HttpResponse:
    with connect() as directory:
        access = _require_creator(request)
        if not _valiases_offered(directory):
            return render(request, "aliases/list.html", {"valiases": [], "offered": False}, status=404)
        form = VirtualAliasForm(_posted(request), access=access)
        if request.method == "POST" and form.is_valid():
            address = form.cleaned_data["address"]  # read first: a refusal drops the field from cleaned_data
            valias = form.save(directory)
            _audit(request, "valias.create", address, form, valias, new=valias)
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
    """Members (with a warning for disabled accounts, which still get list mail), external recipients, edit form."""
    with connect() as directory:
        valias = _get_valias_or_404(request, directory, address)
        if valias.address != address:
            return redirect("aliases:detail", address=valias.address)
        return _valias_page(request, directory, valias)


@require_POST
def edit_valias(request: HttpRequest, address: str) -> HttpResponse:
    with connect() as directory:
        valias = _get_valias_or_404(request, directory, address, {"forwards"})
        form = VirtualAliasForm(request.POST, valias=valias, member_addresses=_members(directory, valias),
                                access=access_for(request.user))
        if form.is_valid():
            _require_valias_status(request, valias, form.cleaned_data["enabled"])
            updated = form.save(directory)
            _audit(request, "valias.update", valias.address, form, updated, old=valias, new=updated)
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
        updated = form.save(directory) if form.is_valid() else None
        _audit(request, "valias.enable" if enable else "valias.disable", valias.address, form, updated,
               old={"enabled": valias.enabled}, new={"enabled": enable})
    if updated is None:
        messages.error(request, " ".join(form.non_field_errors()))
    else:
        message = _("%(address)s is enabled.") if enable else _("%(address)s is disabled: its mail now bounces.")
        messages.success(request, message % {"address": display_address(valias.address)})
    return redirect("aliases:detail", address=valias.address)


@require_POST
def enable_valias(request: HttpRequest, address: str) -> HttpResponse:
    return _set_valias_status(request, address, True)


@require_POST
def disable_valias(request: HttpRequest, address: str) -> HttpResponse:
    return _set_valias_status(request, address, False)


def remove_valias(request: HttpRequest, address: str) -> HttpResponse:
    """Confirm on GET, remove on POST."""
    with connect() as directory:
        valias = _get_valias_or_404(request, directory, address, {"remove"})
        form = RemoveVirtualAliasForm(_posted(request), valias=valias)
        if request.method == "POST" and form.is_valid():
            removed = form.remove(directory)
            _audit(request, "valias.remove", valias.address, form, removed, old=valias)
            if removed is not None:
                messages.success(request, _("Removed %(address)s.") % {"address": display_address(valias.address)})
                return redirect("aliases:list")
    return render(request, "aliases/remove.html", {"form": form, "valias": valias})


# --- People -----------------------------------------------------------------------------------------------------------


def list_people(request: HttpRequest) -> HttpResponse:
    """Directory persons without mail that the user may give mail to (see _people_scope), filtered by text."""
    access = _require_creator(request)
    text, scope = request.GET.get("q", "").strip()[:100], _people_scope(access)
    with connect() as directory:
        people = ldap_accounts.search_people(directory, text, domains=scope)
    return render(request, "people/list.html", {"people": people, "q": text, "scoped": scope is not None})


def enable_mail(request: HttpRequest, uid: str) -> HttpResponse:
    """Give one person a mail account in a domain the user administers."""
    with connect() as directory:
        person = _get_person_or_404(request, directory, uid)
        form = EnableMailForm(_posted(request), person=person, access=access_for(request.user))
        if request.method == "POST" and form.is_valid():
            wanted = {"uid": person.uid, **form.cleaned_data}  # read first: a refusal drops the field
            account = form.save(directory)
            _audit(request, "account.enable_mail", wanted["address"], form, account, new=wanted)
            if account is not None:
                return _done(request, _("%(name)s now has the address %(address)s.") % {
                    "name": person.name or person.uid, "address": display_address(account.mail)}, account)
    return render(request, "people/enable.html", {"form": form, "person": person})


# --- MDS mail groups (read only) --------------------------------------------------------------------------------------


def list_groups(request: HttpRequest) -> HttpResponse:
    """MDS mail groups whose address is in a domain the user sees."""
    access = access_for(request.user)
    with connect() as directory:
        groups = [g for g in ldap_groups.list_groups(directory) if access.sees(g.domain)]
    return render(request, "groups/list.html", {"groups": groups})


def group_detail(request: HttpRequest, name: str) -> HttpResponse:
    """One mail group: address, hidden flag, members, and what delivers its mail today."""
    with connect() as directory:
        group = _get_group_or_404(request, directory, name)
        members = ldap_groups.members(directory, group)
        valias = ldap_aliases.get_valias(directory, group.address)
    copies = [m for m in members if m.holds_copy]
    return render(request, "groups/detail.html",
                  {"group": group, "members": members, "valias": valias, "copies": copies})
