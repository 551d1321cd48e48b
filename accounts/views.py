"""Account, people and mail group pages: look up (404/403 through the helpers below), one form action, redirect."""

from __future__ import annotations

from functools import partial
from operator import attrgetter

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from mailadmin import dovecot
from mailadmin.accountforms import removal_question
from mailadmin.addresses import (
    display_address,
    display_domain,
    domain_of,
    format_quota,
    normalise_uid,
)
from mailadmin.directory import Directory, connect
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory import aliases as ldap_aliases
from mailadmin.directory import domains as ldap_domains
from mailadmin.directory import groups as ldap_groups
from mailadmin.directory.accounts import Account, Person
from mailadmin.mfa import second_factor_of
from mailadmin.mfa_views import announce_reset, confirm_reset
from mailadmin.permissions import Access, access_for, is_admin_address, is_console_entry
from mailadmin.sessions import keep_own_session
from mailadmin.shortcuts import (
    actor,
    confirm,
    confirm_disable,
    confirm_first,
    filter_text,
    post_or_back,
    posted,
    rename_page,
    require_creator,
    status_message,
)
from mailadmin.vacation import VACATION_UNREACHABLE, vacation_form

from .forms import (
    AccountAddressForm,
    AccountCreateForm,
    AccountEditForm,
    EnableMailForm,
    PasswordForm,
    QuotaForm,
    RemoveAccountForm,
    RenameAccountForm,
    StatusForm,
)
from .lookups import ACTIONS, abilities, get_account_or_404, get_domain_for_create_or_404, require_change

# --- Lookup helpers: with those of accounts/lookups.py, every permission decision of the account pages -------------

def _get_group_or_404(request: HttpRequest, directory: Directory, name: str) -> ldap_groups.MailGroup:
    """The MDS mail group whose cn is `name`: 404 when missing or when its address is in a domain hidden from the
    user (groups are only read, so there is no 403)."""
    group = ldap_groups.get_group(directory, name)
    if group is None or not access_for(request.user).sees(group.domain):
        raise Http404
    return group


def _people_scope(access: Access) -> frozenset[str] | None:
    """Whose people a user may give mail to: a superadmin anyone's; a domain admin only people already tied to a
    domain it administers by their `mail` (a person's password is their directory login: never any person's)."""
    return None if access.superadmin else access.admin_of


def _get_person_or_404(request: HttpRequest, directory: Directory, uid: str) -> Person:
    """The person `uid` without mail: 403 for users who administer no domain; 404 when missing or out of the user's
    reach (see _people_scope); 403 when it is a console user's entry or sign-in address (superadmins only)."""
    access = require_creator(request)
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


def _get_account_for_superadmin_or_404(request: HttpRequest, directory: Directory, address: str) -> Account:
    """The account, for what only superadmins do to it (resetting its user's second factor): 403 for the others
    who see it."""
    account = get_account_or_404(request, directory, address)
    if not access_for(request.user).superadmin:
        raise PermissionDenied
    return account


# --- Shared bits ------------------------------------------------------------------------------------------------------


def _crumbs(account: Account) -> tuple[tuple[str, str], ...]:
    """The trail of a confirmation page of the account, ending at the account page (where Cancel goes)."""
    return ((reverse("domains:list"), _("Domains")),
            (reverse("domains:detail", args=[account.domain]), display_domain(account.domain)),
            (reverse("accounts:detail", args=[account.mail]), display_address(account.mail)))


def _account_page(request: HttpRequest, directory: Directory, account: Account, status: int = 200,
                  **forms) -> HttpResponse:
    """The account page, with fresh forms for every action unless a bound (failed) one is given."""
    access = access_for(request.user)
    may = abilities(request, account)
    context = {
        "account": account, "may": may, "usage": dovecot.usage([account.mail]).get(account.mail),
        "vacation_form": vacation_form(account) if may["vacation"] else None,
        # Whether the account's user (a mail user, or the console user signing in with it) has a second factor:
        # shown to superadmins, who may reset it.
        "second_factor": second_factor_of(account.mail) if access.superadmin else None,
        "domain": ldap_domains.get_domain(directory, account.domain),
        "edit_form": AccountEditForm(account=account, supports_hidden=directory.features.hidden_accounts,
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
        mail_domain = get_domain_for_create_or_404(request, directory, domain)
        form = AccountCreateForm(posted(request), domain=mail_domain, access=access_for(request.user))
        if request.method == "POST" and form.is_valid():
            created = form.save(directory, actor=actor(request))
            if created is not None:
                account, generated = created
                if generated:
                    return _show_password(request, account, generated)
                return _done(request, _("Created %(address)s.") % {"address": display_address(account.mail)}, account)
    return render(request, "accounts/add.html", {"form": form, "domain": mail_domain})


def account_detail(request: HttpRequest, address: str) -> HttpResponse:
    """Everything about one account; an alias address redirects to the primary address."""
    with connect() as directory:
        account = get_account_or_404(request, directory, address)
        if account.mail != address:
            return redirect("accounts:detail", address=account.mail)
        return _account_page(request, directory, account)


@post_or_back("accounts:detail")
def edit_account(request: HttpRequest, address: str) -> HttpResponse:
    """Save the edit form in one modify; a stale form is refused with the current values shown."""
    with connect() as directory:
        account = get_account_or_404(request, directory, address)
        form = AccountEditForm(request.POST, account=account, access=access_for(request.user),
                               supports_hidden=directory.features.hidden_accounts,
                               mailbox_editable=access_for(request.user).superadmin)
        if form.is_valid():
            changes = form.changes()
            touched = tuple(set(changes.get("aliases", account.aliases)) ^ set(account.aliases))
            require_change(request, account, set(changes), touched)
            updated = form.save(directory, actor=actor(request))
            if updated is not None:
                return _done(request, _("Saved %(address)s.") % {"address": display_address(account.mail)}, updated)
        return _refused(request, directory, account, "edit_form", form)


def _set_status(request: HttpRequest, address: str, enable: bool) -> HttpResponse:
    with connect() as directory:
        account = get_account_or_404(request, directory, address, ACTIONS["status"])
        form = StatusForm(request.POST, account=account, enable=enable)
        updated = form.save(directory, actor=actor(request)) if form.is_valid() else None
        if updated is None:
            return _refused(request, directory, account, "status_form", form)
        status_message(request, account.mail, enable)
        return redirect("accounts:detail", address=account.mail)


@post_or_back("accounts:detail")
def enable_account(request: HttpRequest, address: str) -> HttpResponse:
    return _set_status(request, address, True)


@confirm_first(partial(_set_status, enable=False))
def disable_account(request: HttpRequest, address: str) -> HttpResponse:
    """Disabling bounces the account's mail at once: confirm on GET, disable on POST."""
    with connect() as directory:
        account = get_account_or_404(request, directory, address, ACTIONS["status"])
    return confirm_disable(request, _crumbs(account), account.mail, account.enabled,
                           _("Mail to %(address)s and its aliases bounces from now on, even when sent to a virtual "
                             "alias it belongs to, and it can no longer sign in. You can enable it again later."),
                           _("Disable account"), {"csn": account.csn})


@post_or_back("accounts:detail")
def set_quota(request: HttpRequest, address: str) -> HttpResponse:
    """Set the quota, or reset it to the domain default (the "reset" button)."""
    with connect() as directory:
        account = get_account_or_404(request, directory, address, ACTIONS["quota"])
        form = QuotaForm(request.POST, account=account)
        updated = form.save(directory, actor=actor(request)) if form.is_valid() else None
        if updated is None:
            return _refused(request, directory, account, "quota_form", form)
        message = _("%(address)s now has no quota rule of its own.") if updated.quota_kb is None else _(
            "The quota of %(address)s is now %(quota)s.")
        return _done(request, message % {
            "address": display_address(account.mail), "quota": format_quota(updated.quota_kb)}, updated)


@post_or_back("accounts:detail")
def set_password(request: HttpRequest, address: str) -> HttpResponse:
    """Set or generate the password; a generated one is shown once, on this response, and stored nowhere."""
    with connect() as directory:
        account = get_account_or_404(request, directory, address, ACTIONS["password"])
        form = PasswordForm(request.POST, account=account)
        result = form.save(directory, actor=actor(request)) if form.is_valid() else None
        if result is None:
            return _refused(request, directory, account, "password_form", form)
        keep_own_session(request, account.dn)  # the user's other sessions end at their next request
        if result[1]:
            return _show_password(request, account, result[1])
        return _done(request, _("The password of %(address)s is set.") % {"address": display_address(account.mail)},
                     account)


@post_or_back("accounts:detail")
def set_vacation(request: HttpRequest, address: str) -> HttpResponse:
    """Vacation reply on, changed or off: admins who may change the account (not the helpdesk)."""
    with connect() as directory:
        account = get_account_or_404(request, directory, address, ACTIONS["vacation"])
        form = vacation_form(account, request.POST)
        if form is None:
            messages.error(request, VACATION_UNREACHABLE)
            return redirect("accounts:detail", address=account.mail)
        if not (form.is_valid() and form.save(actor=actor(request))):
            return _refused(request, directory, account, "vacation_form", form)
    return _done(request, _("The vacation reply of %(address)s is saved.") % {
        "address": display_address(account.mail)}, account)


def _change_address(request: HttpRequest, address: str, kind: str, adding: bool) -> HttpResponse:
    """Add or remove one alias or forward, as one modify."""
    with connect() as directory:
        account = get_account_or_404(request, directory, address, ACTIONS[kind])
        form = AccountAddressForm(request.POST, account=account, kind=kind, removing=not adding,
                                  access=access_for(request.user))
        if form.is_valid():
            value = form.cleaned_data["address"]
            require_change(request, account, ACTIONS[kind], (value,) if kind == "aliases" else ())
            updated = (form.add if adding else form.remove)(directory, actor=actor(request))
            if updated is not None:
                message = _("Added %(value)s.") if adding else _("Removed %(value)s.")
                return _done(request, message % {"value": display_address(value)}, updated)
        return _refused(request, directory, account, "alias_form" if kind == "aliases" else "forward_form", form)


def _confirm_removal(request: HttpRequest, address: str, kind: str) -> HttpResponse:
    """The confirmation page for removing the alias or forward named by ?address= (back to the account page when
    the account has no such value any more)."""
    with connect() as directory:
        account = get_account_or_404(request, directory, address, ACTIONS[kind])
    value = request.GET.get("address", "")
    if value not in getattr(account, "aliases" if kind == "aliases" else "forward_targets"):
        return redirect("accounts:detail", address=account.mail)
    question, consequence = removal_question(account, kind, value)
    return confirm(request, _crumbs(account), question, consequence, _("Remove"), {"address": value, "csn": account.csn})


@post_or_back("accounts:detail")
def add_alias(request: HttpRequest, address: str) -> HttpResponse:
    return _change_address(request, address, "aliases", True)


@confirm_first(partial(_change_address, kind="aliases", adding=False))
def remove_alias(request: HttpRequest, address: str) -> HttpResponse:
    """Confirm on GET (mail to the alias will bounce), remove on POST."""
    return _confirm_removal(request, address, "aliases")


@post_or_back("accounts:detail")
def add_forward(request: HttpRequest, address: str) -> HttpResponse:
    return _change_address(request, address, "forwards", True)


@confirm_first(partial(_change_address, kind="forwards", adding=False))
def remove_forward(request: HttpRequest, address: str) -> HttpResponse:
    """Confirm on GET (mail stops reaching the target), remove on POST."""
    return _confirm_removal(request, address, "forwards")


def remove_account(request: HttpRequest, address: str) -> HttpResponse:
    """Confirm on GET, remove on POST (also from every virtual alias), then go to the domain. A person keeps its
    entry and loses only its mail, unless a superadmin chooses to delete the whole entry."""
    with connect() as directory:
        account = get_account_or_404(request, directory, address, ACTIONS["remove"])
        access = access_for(request.user)
        form = RemoveAccountForm(posted(request), account=account, access=access)
        if request.method == "POST" and form.is_valid():
            done = form.remove(directory, actor=actor(request))
            if done is not None:
                messages.success(request, _removed_message(done[0]))
                return redirect("domains:detail", name=account.domain)
        removal = form.plan(directory)
    return render(request, "accounts/remove.html", {"form": form, "account": account, "removal": removal,
                                                    "may_delete_entry": access.superadmin})


def _reset_second_factor(request: HttpRequest, address: str) -> HttpResponse:
    with connect() as directory:
        account = _get_account_for_superadmin_or_404(request, directory, address)
    announce_reset(request, account.mail)
    return redirect("accounts:detail", address=account.mail)


@confirm_first(_reset_second_factor)
def reset_second_factor(request: HttpRequest, address: str) -> HttpResponse:
    """Remove the authenticator and recovery codes of the account's user (a lost phone), once confirmed; audited."""
    with connect() as directory:
        account = _get_account_for_superadmin_or_404(request, directory, address)
    return confirm_reset(request, _crumbs(account), account.mail)


def rename_account(request: HttpRequest, address: str) -> HttpResponse:
    """Ask for the new primary address on GET, rename on POST, then show the account under its new address."""
    return rename_page(request, address, lookup=partial(get_account_or_404, fields=ACTIONS["rename"]),
                       form_class=RenameAccountForm, name="account", address_of=attrgetter("mail"),
                       template="accounts/rename.html", page="accounts:detail")


def _removed_message(removal: ldap_accounts.Removal) -> str:
    values = {"address": display_address(removal.account.mail), "uid": removal.account.uid}
    if removal.delete_entry:
        return _("Removed %(address)s.") % values
    return _("Removed the mail of %(address)s; the person %(uid)s stays in the directory.") % values


# --- People -----------------------------------------------------------------------------------------------------------


def list_people(request: HttpRequest) -> HttpResponse:
    """Directory persons without mail that the user may give mail to (see _people_scope), filtered by text."""
    access = require_creator(request)
    text, scope = filter_text(request), _people_scope(access)
    with connect() as directory:
        people = ldap_accounts.search_people(directory, text, domains=scope)
    return render(request, "people/list.html", {"people": people, "q": text, "scoped": scope is not None})


def enable_mail(request: HttpRequest, uid: str) -> HttpResponse:
    """Give one person a mail account in a domain the user administers."""
    with connect() as directory:
        person = _get_person_or_404(request, directory, uid)
        form = EnableMailForm(posted(request), person=person, access=access_for(request.user))
        if request.method == "POST" and form.is_valid():
            account = form.save(directory, actor=actor(request))
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
