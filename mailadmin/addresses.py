"""Normalise and check domains, addresses, uids and quotas the way Postfix and the MDS schema need them.

Everything here is pure: no directory access. Errors are `ValueError` with a translatable, user-facing message.
"""

from __future__ import annotations

import functools
import posixpath
import re

import idna
from django.utils.translation import gettext as _

DOMAIN_MAX = 253
ADDRESS_MAX = 254
LOCAL_MAX = 64
TEXT_MAX = 512  # the schema's {512} bound, which slapd does not enforce
HOST_MAX = 256
QUOTA_MAX_KB = 1 << 40  # 1 PiB: beyond any real mailbox, and far inside every integer type that reads it

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# A conservative dot-atom: no quoting, no "/" (the local part may end up in a mailbox path), no LDAP specials.
_LOCAL = re.compile(r"^[a-z0-9_+-]+(\.[a-z0-9_+-]+)*$")
_UID = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,63}$")
_HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9-]+(\.[a-z0-9-]+)*\.?$|^\[[0-9a-f:.]+\]$")
_QUOTA = re.compile(r"^(\d+(?:[.,]\d+)?)\s*([kmgt]?)(?:i?b)?$")
_UNITS = {"": 1, "k": 1, "m": 1024, "g": 1024**2, "t": 1024**3}


@functools.lru_cache(maxsize=4096)  # pure, and an import checks the same few domains for every row
def normalise_domain(text: str) -> str:
    """Return the domain as a lower-case IDNA A-label (`xn--…`), or raise ValueError (never cached, so its message
    is translated into the language active when it is raised)."""
    name = (text or "").strip().rstrip(".").lower()
    if not name:
        raise ValueError(_("Enter a domain name."))
    try:
        ascii_name = idna.encode(name, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise ValueError(_("“%(name)s” is not a valid domain name.") % {"name": name}) from None
    labels = ascii_name.split(".")
    if len(ascii_name) > DOMAIN_MAX or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(_("“%(name)s” is not a valid domain name.") % {"name": name})
    if labels[-1].isdigit():
        raise ValueError(_("“%(name)s” is not a valid domain name.") % {"name": name})
    return ascii_name


def display_domain(name: str) -> str:
    """Return the Unicode form (U-label) of a stored domain, or the stored value if it does not decode."""
    try:
        return idna.decode(name)
    except (idna.IDNAError, UnicodeError):
        return name


def split_address(address: str) -> tuple[str, str]:
    """Split at the *last* "@": everything after it is the domain that owns the address."""
    local, sep, domain = address.rpartition("@")
    if not sep:
        return address, ""
    return local, domain


def normalise_local_part(text: str) -> str:
    local = (text or "").strip().lower()
    if not local:
        raise ValueError(_("Enter the part before the “@”."))
    if len(local) > LOCAL_MAX or not _LOCAL.match(local):
        raise ValueError(
            _("“%(local)s” is not a valid mailbox name: use letters, digits, “.”, “_”, “-” or “+”.") % {"local": local}
        )
    return local


def normalise_address(text: str) -> str:
    """Return `local@a-label-domain` in lower case, or raise ValueError."""
    value = (text or "").strip()
    local, domain = split_address(value)
    if not domain or not local:
        raise ValueError(_("“%(address)s” is not an e-mail address.") % {"address": value})
    address = f"{normalise_local_part(local)}@{normalise_domain(domain)}"
    if len(address) > ADDRESS_MAX:
        raise ValueError(_("“%(address)s” is too long.") % {"address": value})
    return address


def display_address(address: str) -> str:
    local, domain = split_address(address)
    return f"{local}@{display_domain(domain)}" if domain else address


def domain_of(address: str) -> str:
    return split_address(address)[1].lower()


def normalise_uid(text: str) -> str:
    """Return a safe uid (it may become a path through %uid%), or raise ValueError."""
    uid = (text or "").strip().lower()
    if not _UID.match(uid) or ".." in uid:
        raise ValueError(
            _("“%(uid)s” is not a valid login: start with a letter or digit, then letters, digits, “.”, “_”, “-”, “+”, “@”.")
            % {"uid": uid}
        )
    return uid


def normalise_host(text: str) -> str:
    """Return a lower-case ASCII host name (or [address]) for mailhost/mailproxy; empty stays empty."""
    host = (text or "").strip().lower()
    if not host:
        return ""
    if len(host) > HOST_MAX or not _HOST.match(host):
        raise ValueError(_("“%(host)s” is not a valid host name.") % {"host": host})
    return host


def check_text(text: str, limit: int = TEXT_MAX) -> str:
    """Strip a free-text value and refuse what the directory would mis-store (control characters, over-long)."""
    value = (text or "").strip()
    if any(ord(ch) < 32 for ch in value):
        raise ValueError(_("Control characters are not allowed."))
    if len(value) > limit:
        raise ValueError(_("At most %(limit)d characters.") % {"limit": limit})
    return value


def parse_quota(text: str | int) -> int:
    """Return a quota in kB from `200M`, `1.5G`, `204800` (kB), `unlimited` or `0` (both: 0 = unlimited)."""
    value = str(text).strip().lower().replace(" ", "")
    if value in ("unlimited", "illimité", "illimite", "0"):
        return 0
    match = _QUOTA.match(value)
    if not match:
        raise ValueError(_("“%(quota)s” is not a quota: use e.g. 500M, 1.5G, 204800 (kB) or unlimited.") % {"quota": text})
    kb = round(float(match.group(1).replace(",", ".")) * _UNITS[match.group(2)])
    if kb > QUOTA_MAX_KB:
        raise ValueError(_("That quota is larger than 1 PiB."))
    return kb


def format_quota(kb: int | None) -> str:
    """Return a quota for people: `200M`, `1.5G`, `unlimited`; empty when there is no quota rule."""
    if kb is None:
        return ""
    if kb == 0:
        return _("unlimited")
    # Exact, so that a value shown in a form comes back unchanged: 1.5G, but 204801K rather than "200M".
    for unit, size in (("T", 1024**3), ("G", 1024**2), ("M", 1024)):
        if kb >= size and (kb * 10) % size == 0:
            return f"{kb / size:.1f}".removesuffix(".0") + unit
    return f"{kb}K"


def mailbox_base(template: str) -> str:
    """The fixed start of the mailbox template (`/home/vmail/` of `/home/vmail/%uid%/`): every mailbox stays under it."""
    return template.split("%", 1)[0]


def mailbox_path(template: str, uid: str, address: str) -> str:
    """Fill the mailbox template (%uid%, %mail%, %domain%, %local%); the result must stay under the template's base."""
    local, domain = split_address(address)
    path = template.replace("%uid%", uid).replace("%mail%", address).replace("%domain%", domain)
    path = path.replace("%local%", local)
    base = mailbox_base(template)
    trailing = "/" if path.endswith("/") else ""
    normal = posixpath.normpath(path) + trailing
    if not path.startswith("/") or normal != path or not normal.startswith(base):
        raise ValueError(_("The mailbox path “%(path)s” would leave “%(base)s”.") % {"path": path, "base": base})
    return path


def check_mailbox(path: str, template: str) -> str:
    """Accept a mailbox path brought by a migration only below the template's base, normalised, with no control
    characters; return it or raise ValueError."""
    base = template.split("%", 1)[0]
    trailing = "/" if path.endswith("/") else ""
    inside = path.startswith(base) and len(path.rstrip("/")) > len(base.rstrip("/"))
    if not inside or posixpath.normpath(path) + trailing != path or any(ord(ch) < 32 for ch in path):
        raise ValueError(_("The mailbox path “%(path)s” would leave “%(base)s”.") % {"path": path, "base": base})
    return path
