"""What the server's subschema offers: the mail names mailadmin needs, and the base OUs."""

from __future__ import annotations

import re

from django.conf import settings
from ldap3 import BASE

from . import schema as s
from .connection import Directory, connect

REQUIRED_ATTRIBUTES = (
    s.MAIL, s.ALIASES, s.FORWARDS, s.ENABLED, s.MAILBOX, s.QUOTA, s.MAILHOST, s.DOMAIN, s.DOMAIN_DESCRIPTION,
)
OPTIONAL_ATTRIBUTES = (s.MAILPROXY, s.HIDDEN, s.MEMBERS)  # older MDS schemas lack them
REQUIRED_CLASSES = (s.MAIL_ACCOUNT, s.MAIL_DOMAIN)
OPTIONAL_CLASSES = (s.MAIL_ALIAS,)
_NAMES = re.compile(r"NAME\s+(?:'([^']+)'|\(([^)]*)\))")


def _names(definitions: tuple[str, ...]) -> set[str]:
    names: set[str] = set()
    for definition in definitions:
        match = _NAMES.search(definition)
        if match:
            names.update(n.lower() for n in (match.group(1) or match.group(2).replace("'", " ")).split())
    return names


def server_names(directory: Directory) -> set[str]:
    """Lower-case names of every attribute type and object class the server knows."""
    root = directory.search("", "(objectClass=*)", ("subschemaSubentry",), scope=BASE)[0]
    subentry = root[0].first("subschemaSubentry", "cn=Subschema") if root else "cn=Subschema"
    records, _result = directory.search(
        subentry, "(objectClass=subschema)", ("attributeTypes", "objectClasses"), scope=BASE
    )
    if not records:
        return set()
    return _names(records[0].values("attributeTypes")) | _names(records[0].values("objectClasses"))


_KNOWN: dict[tuple[str, ...], set[str]] = {}


def knows(directory: Directory, name: str) -> bool:
    """Whether the server's schema has `name` (e.g. mailhidden, absent from old MDS schemas). Read once per process
    and server list: a schema changes only with a server restart, and two searches per page would be waste."""
    key = tuple(settings.LDAP_URL)
    if key not in _KNOWN:
        _KNOWN[key] = server_names(directory)
    return name.lower() in _KNOWN[key]


def missing_schema(directory: Directory | None = None, *, optional: bool = True) -> list[str]:
    """Names mailadmin uses that the server does not know, required ones first."""
    if directory is None:
        with connect() as conn:
            return missing_schema(conn, optional=optional)
    known = server_names(directory)
    wanted = REQUIRED_CLASSES + REQUIRED_ATTRIBUTES + ((OPTIONAL_CLASSES + OPTIONAL_ATTRIBUTES) if optional else ())
    return [name for name in wanted if name.lower() not in known]


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
