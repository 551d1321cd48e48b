"""Attribute and class names, base DNs, and the DN and filter builders: all escaping lives here.

Names only, never OIDs: directories created before 2011 carry the same names under another arc.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import parse_dn

from .errors import Invalid

# Object classes
MAIL_ACCOUNT = "mailAccount"
MAIL_DOMAIN = "mailDomain"
MAIL_ALIAS = "mailAlias"
PERSON_CLASSES = ("top", "person", "organizationalPerson", "inetOrgPerson")

# Attributes
MAIL = "mail"
ALIASES = "mailalias"
FORWARDS = "maildrop"
ENABLED = "mailenable"
MAILBOX = "mailbox"
QUOTA = "mailuserquota"
MAILHOST = "mailhost"
MAILPROXY = "mailproxy"
HIDDEN = "mailhidden"
DOMAIN = "virtualdomain"
DOMAIN_DESCRIPTION = "virtualdomaindescription"
MEMBERS = "mailaliasmember"
CSN = "entryCSN"
UUID = "entryUUID"

ENABLED_VALUE, DISABLED_VALUE = "OK", "NONE"
HIDDEN_VALUE, SHOWN_VALUE = "YES", "NO"

ACCOUNT_ATTRS = (
    "uid", "cn", "sn", "givenName", "objectClass", MAIL, ALIASES, FORWARDS, ENABLED, MAILBOX, QUOTA,
    MAILHOST, MAILPROXY, HIDDEN, CSN,
)
DOMAIN_ATTRS = (DOMAIN, DOMAIN_DESCRIPTION, QUOTA, CSN)
VALIAS_ATTRS = (ALIASES, MAIL, MEMBERS, ENABLED, CSN)


def users_dn() -> str:
    return settings.LDAP_USERS_DN


def domains_dn() -> str:
    return settings.LDAP_DOMAINS_DN


def aliases_dn() -> str:
    return settings.LDAP_ALIASES_DN


# --- DNs -----------------------------------------------------------------------------------------------------------


def escape_dn_value(value: str) -> str:
    """Escape one RDN value (RFC 4514). ldap3's escape_rdn leaves a mid-string "#" that its own parser then refuses."""
    if not value:
        raise Invalid("empty RDN value")
    out = "".join("\\" + ch if ch in '\\,+"<>;=#' else ch for ch in value).replace("\x00", "\\00")
    if out.startswith(" "):
        out = "\\" + out
    if out.endswith(" ") and not out.endswith("\\ "):
        out = out[:-1] + "\\ "
    return out


def _child(attr: str, value: str, parent: str) -> str:
    return f"{attr}={escape_dn_value(value)},{parent}"


def account_dn(uid: str) -> str:
    """New accounts sit directly under ou=Users; existing ones are found anywhere below it and keep their DN."""
    return _child("uid", uid, users_dn())


def domain_dn(name: str) -> str:
    return _child(DOMAIN, name, domains_dn())


def valias_dn(address: str) -> str:
    return _child(ALIASES, address, aliases_dn())


def normalise_dn(dn: str) -> str:
    """A comparable form of a DN: slapd returns hex escapes and old tools wrote ", " separators."""
    parts = parse_dn(dn, escape=False, strip=True)
    return ",".join(f"{attr.lower()}={_unescape(value).lower()}" for attr, value, _sep in parts)


def _unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            pair = value[i + 1 : i + 3]
            if len(pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in pair):
                out.append(chr(int(pair, 16)))
                i += 3
                continue
            out.append(value[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


# --- Filters -------------------------------------------------------------------------------------------------------


def esc(value: str) -> str:
    """Escape a value for a filter; NUL and non-ASCII included."""
    return escape_filter_chars(value)


def eq(attr: str, value: str) -> str:
    return f"({attr}={esc(value)})"


def all_of(*parts: str) -> str:
    return "(&" + "".join(parts) + ")"


def any_of(*parts: str) -> str:
    return "(|" + "".join(parts) + ")" if len(parts) != 1 else parts[0]


def is_class(name: str) -> str:
    return f"(objectClass={name})"


def has(attr: str) -> str:
    return f"({attr}=*)"


def contains(attr: str, text: str) -> str:
    return f"({attr}=*{esc(text)}*)"


def ends_with(attr: str, text: str) -> str:
    return f"({attr}=*{esc(text)})"


def negate(part: str) -> str:
    return f"(!{part})"


def accounts_filter() -> str:
    return is_class(MAIL_ACCOUNT)


def account_by_address(address: str) -> str:
    """An account whose primary address or one of its aliases is `address`."""
    return all_of(accounts_filter(), any_of(eq(MAIL, address), eq(ALIASES, address)))


def domain_members(domain: str, text: str = "") -> str:
    """Accounts of a domain: the part after the last "@" of `mail`, and nothing else (directory-model.md §4)."""
    parts = [accounts_filter(), ends_with(MAIL, "@" + domain)]
    if text:
        parts.append(any_of(contains(MAIL, text), contains("cn", text), contains("uid", text), contains(ALIASES, text)))
    return all_of(*parts)


def address_claims(address: str) -> str:
    """Every entry that holds `address` as an accepted address: account mail or alias, or a virtual alias' name."""
    return any_of(eq(MAIL, address), eq(ALIASES, address))


def search_text(text: str) -> str:
    """The helpdesk box: address, alias, name or uid, anywhere among accounts."""
    return all_of(
        accounts_filter(),
        any_of(contains(MAIL, text), contains(ALIASES, text), contains("cn", text), eq("uid", text), contains("uid", text)),
    )


def in_domains(domains: Iterable[str]) -> str:
    """Accounts whose primary address is in one of `domains` (sorted, so the filter is stable)."""
    return any_of(*(ends_with(MAIL, "@" + d) for d in sorted(domains)))


def people_without_mail(text: str = "") -> str:
    parts = [is_class("inetOrgPerson"), negate(accounts_filter())]
    if text:
        parts.append(any_of(contains("cn", text), eq("uid", text), contains("uid", text), contains(MAIL, text)))
    return all_of(*parts)


def person_by_uid(uid: str) -> str:
    """A person with this uid that has no mail account yet."""
    return all_of(is_class("inetOrgPerson"), negate(accounts_filter()), eq("uid", uid))


def valias_by_address(address: str) -> str:
    return all_of(is_class(MAIL_ALIAS), eq(ALIASES, address))


def valiases_of_domain(domain: str) -> str:
    return all_of(is_class(MAIL_ALIAS), ends_with(ALIASES, "@" + domain))


def valiases_with_member(dn: str) -> str:
    return all_of(is_class(MAIL_ALIAS), eq(MEMBERS, dn))


def domain_by_name(name: str) -> str:
    return all_of(is_class(MAIL_DOMAIN), eq(DOMAIN, name))


def domains_named(names: list[str]) -> str:
    """Domains whose name is any of `names` (one search for a whole list)."""
    return all_of(is_class(MAIL_DOMAIN), any_of(*(eq(DOMAIN, name) for name in names)))


def all_domains() -> str:
    return is_class(MAIL_DOMAIN)


def version_is(csn: str) -> str:
    """The assertion sent with every write: the entry still has the version it was read at."""
    return eq(CSN, csn)


def entry_version_is(dn: str, csn: str) -> str:
    """The assertion for writes that touch `mail` or `mailalias`: the unique overlay runs its own search with the
    write's controls, and the assertion is then tested on that search's base (ou=Users or the suffix), which always
    failed with 122. Only the entry at `dn` must be at version `csn`; any other entry passes."""
    return any_of(eq(CSN, csn), negate(eq("entryDN", dn)))
