"""Who may reach which account: the lookups the account pages and the JSON API share (404 hides, 403 refuses)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from mailadmin.directory import Directory
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory.accounts import Account
from mailadmin.directory.domains import MailDomain
from mailadmin.permissions import Access, access_for, is_admin_address, is_reserved
from mailadmin.shortcuts import get_visible_domain_or_404, get_visible_or_404

# What each action on an account changes, in the vocabulary of Access.may_change_account.
ACTIONS = {
    "quota": {"quota_kb"}, "status": {"enabled"}, "password": {"password"}, "aliases": {"aliases"},
    "forwards": {"forwards"}, "remove": {"remove"}, "rename": {"address"}, "vacation": {"vacation"},
    "edit": {"name", "first_name", "last_name", "aliases", "forwards", "quota_kb", "enabled"},
}


def protected(address: str) -> bool:
    return is_reserved(address) or is_admin_address(address)


def may_change(access: Access, account: Account, fields: set[str], touched: tuple[str, ...] = ()) -> bool:
    """Whether `fields` of `account` may change. A reserved or admin's address the account accepts (abuse@, or the
    address an admin signs in with, as an alias) protects the account like its primary address would, and adding or
    removing such an alias counts as re-pointing it."""
    return access.outranks_signer(account) and _may_change_addresses(access, account, fields, touched)


def _may_change_addresses(access: Access, account: Account, fields: set[str], touched: tuple[str, ...] = ()) -> bool:
    checks = [(account.mail, fields), *((a, fields) for a in account.aliases if protected(a))]
    checks += [(a, fields | {"address"}) for a in touched if protected(a)]
    return all(access.may_change_account(address, frozenset(f)) for address, f in checks)


def get_account_or_404(request: HttpRequest, directory: Directory, address: str, fields: set[str] = frozenset(),
                        touched: tuple[str, ...] = ()) -> Account:
    """The account accepting `address` (primary or alias). Http404 when there is none or its domain is hidden from
    the user; PermissionDenied (403) when the user may not change `fields` of it (see may_change)."""
    account = get_visible_or_404(request, directory, address, ldap_accounts.get_account)
    if fields and not may_change(access_for(request.user), account, set(fields), touched):
        raise PermissionDenied
    return account


def require_change(request: HttpRequest, account: Account, fields: set[str], touched: tuple[str, ...] = ()) -> None:
    """PermissionDenied unless the user may change `fields` (known only once a form has been read)."""
    if not may_change(access_for(request.user), account, fields, touched):
        raise PermissionDenied


def abilities(request: HttpRequest, account: Account) -> dict[str, bool]:
    """Which actions the account page offers this user."""
    access = access_for(request.user)
    outranks = access.outranks_signer(account)  # once for the page, not once an action
    return {action: outranks and _may_change_addresses(access, account, fields) for action, fields in ACTIONS.items()}


def get_domain_for_create_or_404(request: HttpRequest, directory: Directory, name: str) -> MailDomain:
    """The hosted domain `name`: 404 when missing or hidden from the user, 403 when the user may not create in it."""
    domain = get_visible_domain_or_404(request, directory, name)
    if not access_for(request.user).may_create_in(domain.name):
        raise PermissionDenied
    return domain
