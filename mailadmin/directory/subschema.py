"""What the server's subschema offers: the mail names mailadmin needs, and the base OUs."""

from __future__ import annotations

from . import schema as s
from .connection import Directory, connect
from .features import read_features

REQUIRED_ATTRIBUTES = (
    s.MAIL, s.ALIASES, s.FORWARDS, s.ENABLED, s.MAILBOX, s.QUOTA, s.MAILHOST, s.DOMAIN, s.DOMAIN_DESCRIPTION,
)
OPTIONAL_ATTRIBUTES = (s.MAILPROXY, s.HIDDEN, s.MEMBERS)  # older MDS schemas lack them
REQUIRED_CLASSES = (s.MAIL_ACCOUNT, s.MAIL_DOMAIN)
OPTIONAL_CLASSES = (s.MAIL_ALIAS,)


def server_schema(directory: Directory) -> tuple[frozenset[str], frozenset[str]]:
    """Lower-case names of the attribute types and of the object classes the server knows, read now. Kept apart:
    `mailalias` (an account's alias) and `mailAlias` (the virtual alias class) are one name to LDAP."""
    now = read_features(directory)
    return now.attributes, now.classes


def knows(directory: Directory, name: str, *, object_class: bool = False) -> bool:
    """Whether the server's schema has the attribute type (or with `object_class`, the class) `name`, e.g. mailhidden
    or mailAlias, absent from old MDS schemas. Read with the server's features, once per process and server."""
    known = directory.features
    return name.lower() in (known.classes if object_class else known.attributes)


def missing_schema(directory: Directory | None = None, *, optional: bool = True) -> list[str]:
    """Names mailadmin uses that the server does not know, required ones first."""
    if directory is None:
        with connect() as conn:
            return missing_schema(conn, optional=optional)
    attributes, classes = server_schema(directory)
    wanted_classes = REQUIRED_CLASSES + (OPTIONAL_CLASSES if optional else ())
    wanted_attributes = REQUIRED_ATTRIBUTES + (OPTIONAL_ATTRIBUTES if optional else ())
    return [name for name in wanted_classes if name.lower() not in classes] + [
        name for name in wanted_attributes if name.lower() not in attributes]


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
