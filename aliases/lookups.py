"""Who may reach which virtual alias: the lookups the virtual alias pages and the JSON API share (404 hides, 403
refuses)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from mailadmin.directory import Directory
from mailadmin.directory import aliases as ldap_aliases
from mailadmin.directory.aliases import VirtualAlias
from mailadmin.permissions import access_for
from mailadmin.shortcuts import get_visible_or_404


def may_change_valias(request: HttpRequest, valias: VirtualAlias, fields: set[str]) -> bool:
    """Only admins of its domain change a virtual alias; a reserved name (postmaster@) is protected as for accounts."""
    access = access_for(request.user)
    return access.administers(valias.domain) and access.may_change_account(valias.address, frozenset(fields))


def get_valias_or_404(request: HttpRequest, directory: Directory, address: str,
                      fields: set[str] = frozenset()) -> VirtualAlias:
    """The virtual alias `address`: 404 when missing or hidden, 403 when the user may not change `fields`
    ("forwards" for members and recipients, "enabled", "remove", "address"; reserved names are protected as for
    accounts)."""
    valias = get_visible_or_404(request, directory, address, ldap_aliases.get_valias)
    if fields and not may_change_valias(request, valias, fields):
        raise PermissionDenied
    return valias


def require_valias_status(request: HttpRequest, valias: VirtualAlias, enabled: bool) -> None:
    """The edit form carries the status too: changing it needs the "enabled" right (reserved names)."""
    if enabled != valias.enabled and not may_change_valias(request, valias, {"enabled"}):
        raise PermissionDenied
