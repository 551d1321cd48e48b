"""What the directory refused, and what to change on the server: the one map from LDAP result codes to the package's
errors (for ldap3's answers and for the bulk connection's alike), and the text of every Refused error."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import (
    AlreadyExists,
    Conflict,
    DirectoryError,
    DirectoryUnavailable,
    Invalid,
    OutOfRange,
    Refused,
    SizeLimited,
    TooManyResults,
)

UNAVAILABLE_CRITICAL_EXTENSION, UNWILLING_TO_PERFORM = 12, 53
TIME_LIMIT_EXCEEDED, ADMIN_LIMIT_EXCEEDED, INSUFFICIENT_ACCESS = 3, 11, 50
SIZE_LIMIT_EXCEEDED, CONSTRAINT_VIOLATION, ALREADY_EXISTS, VLV_RANGE_ERROR = 4, 19, 68, 76
BUSY, UNAVAILABLE = 51, 52
CONFLICT_CODES = {122, 32, 16}  # assertion failed, no such object (on write), no such attribute (value delete)
# undefined attribute type, value exists, invalid syntax, invalid DN, naming and object class violations
INVALID_CODES = {17, 20, 21, 34, 64, 65}


def result_error(code: int, description: str, message: str, what: str) -> DirectoryError | None:
    """The package's error for an LDAP result `code` (None for success), raised or reported by every write path."""
    if code == 0:
        return None
    if code == ALREADY_EXISTS or (code == CONSTRAINT_VIOLATION and "unique" in message.lower()):
        return AlreadyExists(what)  # 19 "unique": the unique overlay; another 19 is a constraint such as ppolicy's
    if code in INVALID_CODES or code == CONSTRAINT_VIOLATION:
        return Invalid(message or description or f"result {code}")
    if code in CONFLICT_CODES:
        return Conflict(what)
    if code in (BUSY, UNAVAILABLE):
        return DirectoryUnavailable(f"{what}: the directory did not answer ({description or code})")
    if code == SIZE_LIMIT_EXCEEDED:
        return TooManyResults(what)
    if code == VLV_RANGE_ERROR:
        return OutOfRange(what)
    return refused(code, description, message)


def limits_line(limit: str) -> str:
    """The slapd.conf line (and its cn=config twin) that lifts `limit` for the bind account."""
    dn = settings.LDAP_BIND_DN
    return _('slapd.conf: limits dn.exact="%(dn)s" %(limit)s; cn=config: olcLimits: dn.exact="%(dn)s" %(limit)s '
             "(on the database's olcDatabase entry)") % {"dn": dn, "limit": limit}


def size_limited(count: int) -> SizeLimited:
    """A paged search that stopped at the bind account's size limit after `count` entries."""
    what = _("The directory stopped a whole list after %(count)s entries: the size limit of %(account)s "
             "(slapd's default is 500, paged searches included).") % {"count": count, "account": settings.LDAP_BIND_DN}
    unlimited = "size.soft=unlimited size.hard=unlimited size.prtotal=unlimited"
    return SizeLimited(what, _("Raise it: %(line)s.") % {"line": limits_line(unlimited)})


def refused(code: int, description: str, message: str) -> Refused:
    """The Refused error for an LDAP result `code` that no other error type covers."""
    detail = message or description
    if code == UNAVAILABLE_CRITICAL_EXTENSION:
        return Refused(_("The directory does not offer a control mailadmin sent (%(detail)s).") % {"detail": detail},
                       _("Its overlays changed since mailadmin read them: the next page reads them again. Sorted "
                         "pages need the sssvlv overlay (README, Directory requirements)."))
    if code == UNWILLING_TO_PERFORM:
        return Refused(_("The directory is unwilling to do this (%(detail)s).") % {"detail": detail},
                       _("Check the server's log: a read-only database, a full disk or an operation its "
                         "configuration forbids answer this way."))
    if code == TIME_LIMIT_EXCEEDED:
        return Refused(_("The directory stopped the search at its time limit."),
                       _("Raise it: %(line)s.") % {"line": limits_line("time.soft=unlimited time.hard=unlimited")})
    if code == ADMIN_LIMIT_EXCEEDED:
        return Refused(_("The directory stopped the search at an administrative limit (%(detail)s).")
                       % {"detail": detail},
                       _("Index the attributes mailadmin searches (README, Directory requirements) or raise the "
                         "limit: %(line)s.") % {"line": limits_line("size.unchecked=unlimited")})
    if code == INSUFFICIENT_ACCESS:
        return Refused(_("The directory denied %(account)s the access this needs (%(detail)s).")
                       % {"account": settings.LDAP_BIND_DN, "detail": detail},
                       _("Give it write access to the users, domains and aliases branches (README, The directory)."))
    return Refused(_("The directory refused: %(description)s (result %(code)s, %(detail)s).")
                   % {"description": description, "code": code, "detail": detail},
                   _("Check the server's log."))
