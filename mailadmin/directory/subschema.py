"""What the server's subschema offers: the mail names mailadmin needs, and the base OUs."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from ldap3 import BASE
from ldap3.protocol.rfc4512 import ObjectClassInfo

from . import schema as s
from .connection import Directory, Record, connect
from .features import read_features

REQUIRED_ATTRIBUTES = (
    s.MAIL, s.ALIASES, s.FORWARDS, s.ENABLED, s.MAILBOX, s.QUOTA, s.MAILHOST, s.DOMAIN, s.DOMAIN_DESCRIPTION,
)
OPTIONAL_ATTRIBUTES = (s.MAILPROXY, s.HIDDEN, s.MEMBERS)  # older MDS schemas lack them
REQUIRED_CLASSES = (s.MAIL_ACCOUNT, s.MAIL_DOMAIN)
OPTIONAL_CLASSES = (s.MAIL_ALIAS,)
SCHEMA_FIX = "load mailadmin/directory/slapd/mail.schema (see README)"


def _subschema(directory: Directory, attrs: tuple[str, ...]) -> Record | None:
    """The server's subschema entry with `attrs`, or None when it cannot be read."""
    root = directory.search("", s.ANY, ("subschemaSubentry",), scope=BASE)[0]
    subentry = root[0].first("subschemaSubentry", "cn=Subschema") if root else "cn=Subschema"
    records, _result = directory.search(subentry, s.subschema(), attrs, scope=BASE)
    return records[0] if records else None


@dataclass(frozen=True)
class ObjectClass:
    """One object class of the server's schema: its superclasses and the attributes it requires and allows (all
    names in lower case)."""

    superiors: tuple[str, ...]
    must: frozenset[str]
    may: frozenset[str]


def object_classes(directory: Directory) -> dict[str, ObjectClass]:
    """Every object class the server defines, under each of its lower-case names; {} when the subschema is not
    readable. Read on each call: only rare actions (removing mail) need it, and then it must be current."""
    record = _subschema(directory, ("objectClasses",))
    if record is None:
        return {}
    return {name.lower(): ObjectClass(_lower(info.superior), frozenset(_lower(info.must_contain)),
                                      frozenset(_lower(info.may_contain)))
            for name, info in ObjectClassInfo.from_definition(list(record.values("objectClasses"))).items()}


def _lower(names) -> tuple[str, ...]:
    return tuple(n.lower() for n in names or ())


def server_schema(directory: Directory) -> tuple[frozenset[str], frozenset[str]]:
    """Lower-case names of the attribute types and of the object classes the server knows, read now. Kept apart:
    `mailalias` (an account's alias) and `mailAlias` (the virtual alias class) are one name to LDAP."""
    now = read_features(directory)
    return now.attributes, now.classes


def missing_schema(directory: Directory | None = None, *, optional: bool = True) -> list[str]:
    """Names mailadmin uses that the server does not know, required ones first."""
    if directory is None:
        with connect(check=False) as conn:
            return missing_schema(conn, optional=optional)
    attributes, classes = server_schema(directory)
    wanted_classes = REQUIRED_CLASSES + (OPTIONAL_CLASSES if optional else ())
    wanted_attributes = REQUIRED_ATTRIBUTES + (OPTIONAL_ATTRIBUTES if optional else ())
    return [name for name in wanted_classes if name.lower() not in classes] + [
        name for name in wanted_attributes if name.lower() not in attributes]


def missing_bases(directory: Directory) -> list[tuple[str, str]]:
    """(setting, DN) of the base entries that do not exist: LDAP_BASE_DN alone when it is missing (nothing under it can
    exist), else each of the three OUs that is."""
    if directory.read(settings.LDAP_BASE_DN, ("1.1",)) is None:
        return [("LDAP_BASE_DN", settings.LDAP_BASE_DN)]
    places = (("LDAP_USERS_DN", s.users_dn()), ("LDAP_DOMAINS_DN", s.domains_dn()), ("LDAP_ALIASES_DN", s.aliases_dn()))
    return [(name, dn) for name, dn in places if directory.read(dn, ("1.1",)) is None]


def base_fix(setting: str) -> str:
    if setting == "LDAP_BASE_DN":
        return "check LDAP_BASE_DN: it must name the directory's existing base entry"
    return f"run `manage.py initdirectory`, or set {setting} to where those entries are"


def unready(directory: Directory) -> list[str]:
    """What keeps mailadmin from working on this directory, one sentence each with its fix: a missing base DN, Users or
    mailDomains OU (a missing mailAliases OU only turns virtual aliases off), required schema names."""
    problems = [f"{setting} {dn} does not exist: {base_fix(setting)}"
                for setting, dn in missing_bases(directory) if setting != "LDAP_ALIASES_DN"]
    missing = missing_schema(directory, optional=False)
    if missing:
        problems.append(f"the schema lacks {', '.join(missing)}: {SCHEMA_FIX}")
    return problems


def ensure_base_entries(directory: Directory) -> list[str]:
    """Create ou=Users, ou=mailDomains and ou=mailAliases when missing; return the DNs created."""
    created = []
    for dn in (s.users_dn(), s.domains_dn(), s.aliases_dn()):
        if directory.read(dn, ("objectClass",)) is None:
            rdn_attr, rdn_value = dn.split(",", 1)[0].split("=", 1)
            if rdn_attr.lower() != "ou":
                raise ValueError(f"{dn} does not exist and is not an ou= entry mailadmin can create")
            directory.add(dn, ["organizationalUnit"], {"ou": rdn_value})
            created.append(dn)
    return created
