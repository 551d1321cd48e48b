"""Attribute and class names, base DNs, and the DN and filter builders: all escaping lives here.

Names only, never OIDs: directories created before 2011 carry the same names under another arc.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from ldap3.utils.conv import escape_filter_chars

from .errors import Invalid

# Object classes
MAIL_ACCOUNT = "mailAccount"
MAIL_DOMAIN = "mailDomain"
MAIL_ALIAS = "mailAlias"
MAIL_GROUP = "mailGroup"  # auxiliary, on a posixGroup under ou=Groups: an MDS mail group
PERSON_CLASSES = ("top", "person", "organizationalPerson", "inetOrgPerson")
ACCOUNT_CLASSES = [*PERSON_CLASSES, MAIL_ACCOUNT]  # of an entry that is nothing but a mail account

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
CONTEXT_CSN = "contextCSN"  # on the suffix entry, per provider (serverID): the newest change it holds from each

ENABLED_VALUE, DISABLED_VALUE = "OK", "NONE"
HIDDEN_VALUE, SHOWN_VALUE = "YES", "NO"

ACCOUNT_ATTRS = (
    "uid", "cn", "sn", "givenName", "objectClass", MAIL, ALIASES, FORWARDS, ENABLED, MAILBOX, QUOTA,
    MAILHOST, MAILPROXY, HIDDEN, CSN, UUID,
)
DOMAIN_ATTRS = (DOMAIN, DOMAIN_DESCRIPTION, QUOTA, CSN)
VALIAS_ATTRS = (ALIASES, MAIL, MEMBERS, ENABLED, CSN)
# What mailAccount allows (MDS mail.schema), for a server whose subschema cannot be read.
MAIL_ACCOUNT_ALLOWS = (MAIL, ALIASES, FORWARDS, ENABLED, MAILBOX, QUOTA, MAILHOST, MAILPROXY, HIDDEN)


def base_dn() -> str:
    return settings.LDAP_BASE_DN


def users_dn() -> str:
    return settings.LDAP_USERS_DN


def domains_dn() -> str:
    return settings.LDAP_DOMAINS_DN


def aliases_dn() -> str:
    return settings.LDAP_ALIASES_DN


def groups_dn() -> str:
    return settings.LDAP_GROUPS_DN


# --- DNs -----------------------------------------------------------------------------------------------------------


# back-mdb keeps an entry's RDN twice (as given and normalised) in one record of at most 511 bytes: a longer RDN
# fails with "80 other". Measured on slapd 2.5: 245 bytes of `attr=value` pass, so names stay below that.
RDN_MAX_BYTES = 240
_SPECIAL = '\\,+"<>;=#'


def is_utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, e.g. undecodable bytes from argv (surrogateescape)
        return False
    return True


def escape_dn_value(value: str) -> str:
    """Escape one RDN value (RFC 4514). ldap3's escape_rdn leaves a mid-string "#" that its own parser then refuses.

    Raises Invalid for an empty value, a NUL (C consumers such as Postfix would cut the name there) or text that is
    not UTF-8."""
    if not value:
        raise Invalid("empty RDN value")
    if "\x00" in value or not is_utf8(value):
        raise Invalid("a name may not hold NUL or text that is not UTF-8")
    out = "".join("\\" + ch if ch in _SPECIAL else ch for ch in value)
    if out.startswith(" "):
        out = "\\" + out
    if out.endswith(" ") and not out.endswith("\\ "):
        out = out[:-1] + "\\ "
    return out


def _rdn(attr: str, value: str) -> str:
    """`attr=value`, escaped; raises Invalid when the value is too long for the directory to store as a name."""
    rdn = f"{attr}={escape_dn_value(value)}"
    # slapd stores specials hex-escaped (\2C): count three bytes for each.
    if len(rdn.encode("utf-8")) + 2 * sum(value.count(ch) for ch in _SPECIAL) > RDN_MAX_BYTES:
        raise Invalid(f"{value[:40]}… is too long to name a directory entry")
    return rdn


def _child(attr: str, value: str, parent: str) -> str:
    return f"{_rdn(attr, value)},{parent}"


def account_dn(uid: str) -> str:
    """New accounts sit directly under ou=Users; existing ones are found anywhere below it and keep their DN."""
    return _child("uid", uid, users_dn())


def domain_dn(name: str) -> str:
    return _child(DOMAIN, name, domains_dn())


def valias_dn(address: str) -> str:
    return _child(ALIASES, address, aliases_dn())


def valias_rdn(address: str) -> str:
    """The RDN a virtual alias named `address` gets (its parent stays ou=mailAliases)."""
    return _rdn(ALIASES, address)


def normalise_dn(dn: str) -> str:
    """A comparable form of a DN: slapd returns hex escapes (`\\2C`, `\\20`) and old tools wrote ", " separators.

    Parsed here rather than by ldap3, whose parse_dn refuses DNs slapd returns (`a#b`, a trailing `\\20`)."""
    if dn.isascii() and not any(ch in dn for ch in "\\+;"):  # the usual DN, nothing escaped: a plain split is
        return ",".join(f"{attr.strip().lower()}={value.strip(' ').lower()}"  # enough (import normalises each row's)
                        for attr, _eq, value in (ava.partition("=") for ava in dn.split(",")))
    return ",".join("+".join(sorted(_normal_ava(ava) for ava in _split(rdn, "+"))) for rdn in _split(dn, ",;"))


def _split(text: str, separators: str) -> list[str]:
    """Split at unescaped separators, keeping escapes as they are."""
    parts, current, i = [], [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if text[i] in separators:
            parts.append("".join(current))
            current = []
        else:
            current.append(text[i])
        i += 1
    parts.append("".join(current))
    return parts


def _normal_ava(ava: str) -> str:
    attr, _eq, value = ava.partition("=")
    value = value.lstrip(" ")
    while value.endswith(" ") and not value.endswith("\\ "):
        value = value[:-1]
    return f"{attr.strip().lower()}={_unescape(value).lower()}"


def _unescape(value: str) -> str:
    """Undo RFC 4514 escapes; hex pairs are bytes of UTF-8 (`\\C3\\BC` is one "ü")."""
    out, i = bytearray(), 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            pair = value[i + 1 : i + 3]
            if len(pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in pair):
                out.append(int(pair, 16))
                i += 3
                continue
            out += value[i + 1].encode("utf-8")
            i += 2
            continue
        out += ch.encode("utf-8")
        i += 1
    return out.decode("utf-8", "replace")


# --- Filters -------------------------------------------------------------------------------------------------------


NOTHING = "(!(objectClass=*))"  # matches no entry
ANY = "(objectClass=*)"  # matches every entry: reads of one entry by DN


def esc(value: str) -> str:
    """Escape a value for a filter (RFC 4515: `*`, `(`, `)`, `\\`, NUL); non-ASCII is sent as UTF-8."""
    return escape_filter_chars(value)


def _matchable(value: str) -> bool:
    """False for values no entry can match: slapd cuts IA5 assertion values at NUL (`(mail=alice@x.test\\00y)` finds
    alice@x.test), and text that is not UTF-8 cannot even be sent."""
    return "\x00" not in value and is_utf8(value)


def eq(attr: str, value: str) -> str:
    return f"({attr}={esc(value)})" if _matchable(value) else NOTHING


def all_of(*parts: str) -> str:
    return "(&" + "".join(parts) + ")"


def any_of(*parts: str) -> str:
    return "(|" + "".join(parts) + ")" if len(parts) != 1 else parts[0]


def is_class(name: str) -> str:
    return f"(objectClass={name})"


def has(attr: str) -> str:
    return f"({attr}=*)"


def contains(attr: str, text: str) -> str:
    return f"({attr}=*{esc(text)}*)" if _matchable(text) else NOTHING


def ends_with(attr: str, text: str) -> str:
    return f"({attr}=*{esc(text)})" if _matchable(text) else NOTHING


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


def holders(addresses: Iterable[str]) -> str:
    """Every entry holding one of `addresses` as its mail or an alias (one search for a batch of an import)."""
    return any_of(*(address_claims(a) for a in addresses))


def with_uids(uids: Iterable[str]) -> str:
    """Every entry whose login is one of `uids`."""
    return any_of(*(eq("uid", u) for u in uids))


def search_text(text: str) -> str:
    """The helpdesk box: address, alias, name or uid, anywhere among accounts."""
    return all_of(
        accounts_filter(),
        any_of(
            contains(MAIL, text), contains(ALIASES, text), contains("cn", text), eq("uid", text), contains("uid", text)
        ),
    )


def disabled_accounts() -> str:
    """Accounts whose mail bounces: mailenable anything but OK (NONE, or missing)."""
    return all_of(accounts_filter(), negate(eq(ENABLED, ENABLED_VALUE)))


def in_domains(domains: Iterable[str]) -> str:
    """Accounts whose primary address is in one of `domains` (sorted, so the filter is stable)."""
    return any_of(*(ends_with(MAIL, "@" + d) for d in sorted(domains)))


def people_without_mail(text: str = "", domains: Iterable[str] | None = None) -> str:
    """Persons without a mail account; with `domains`, only those whose `mail` is already in one of them."""
    parts = [is_class("inetOrgPerson"), negate(accounts_filter())]
    if domains is not None:
        parts.append(in_domains(domains))
    if text:
        parts.append(any_of(contains("cn", text), eq("uid", text), contains("uid", text), contains(MAIL, text)))
    return all_of(*parts)


def person_by_uid(uid: str) -> str:
    """A person with this uid that has no mail account yet."""
    return all_of(is_class("inetOrgPerson"), negate(accounts_filter()), eq("uid", uid))


def valias_by_address(address: str) -> str:
    return all_of(is_class(MAIL_ALIAS), eq(ALIASES, address))


def valiases_named(addresses: Iterable[str]) -> str:
    return all_of(is_class(MAIL_ALIAS), any_of(*(eq(ALIASES, a) for a in addresses)))


def valiases_of_domain(domain: str) -> str:
    return all_of(is_class(MAIL_ALIAS), ends_with(ALIASES, "@" + domain))


def valiases_matching(text: str, domains: Iterable[str] | None = None) -> str:
    """Virtual aliases whose address contains `text` (any with ""), in `domains` (None: anywhere)."""
    parts = [is_class(MAIL_ALIAS)]
    if text:
        parts.append(contains(ALIASES, text))
    if domains is not None:
        parts.append(any_of(NOTHING, *(ends_with(ALIASES, "@" + d) for d in domains)))
    return all_of(*parts)


def valiases_with_member(dn: str) -> str:
    return all_of(is_class(MAIL_ALIAS), eq(MEMBERS, dn))


def mail_groups() -> str:
    """MDS mail groups: POSIX groups with the auxiliary class mailGroup and an address."""
    return all_of(is_class("posixGroup"), is_class(MAIL_GROUP), has(MAIL))


def mail_group_named(name: str) -> str:
    return all_of(mail_groups(), eq("cn", name))


def mail_groups_with_address(address: str) -> str:
    return all_of(mail_groups(), eq(MAIL, address))


def domain_by_name(name: str) -> str:
    return all_of(is_class(MAIL_DOMAIN), eq(DOMAIN, name))


def domains_named(names: list[str]) -> str:
    """Domains whose name is any of `names` (one search for a whole list)."""
    return all_of(is_class(MAIL_DOMAIN), any_of(*(eq(DOMAIN, name) for name in names)))


def all_domains() -> str:
    return is_class(MAIL_DOMAIN)


def subschema() -> str:
    return is_class("subschema")


def version_is(csn: str, dn: str) -> str:
    """The assertion sent with every write to `dn`: the entry still has the version it was read at.

    Written as "the entry is not `dn`, or it has this CSN" because slapd's unique overlay copies the control into its
    own uniqueness search, where the search base is checked against it: a bare `(entryCSN=…)` fails there, and every
    write that adds an address would be refused as a conflict. On the entry itself, both forms mean the same."""
    return any_of(eq(CSN, csn), negate(eq("entryDN", dn)))
