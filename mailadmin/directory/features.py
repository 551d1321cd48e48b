"""What the connected server offers, read from its root DSE and subschema instead of assumed.

A stock MDS directory (Debian's slapd, no overlays) has no server-side sort and no VLV; every feature that needs one
has a path without it, and asks this module which to take.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ldap3 import BASE

from . import schema as s
from .connection import Directory
from .controls import SORT_OID, VLV_REQUEST_OID

_NAMES = re.compile(r"NAME\s+(?:'([^']+)'|\(([^)]*)\))")


@dataclass(frozen=True)
class Features:
    """The controls and extended operations the server announces, and the lower-case names its schema knows.
    Attribute types and object classes are kept apart: `mailalias` and `mailAlias` are one name to LDAP."""

    controls: frozenset[str]
    extensions: frozenset[str]
    attributes: frozenset[str]
    classes: frozenset[str]

    @property
    def server_sort(self) -> bool:
        return SORT_OID in self.controls

    @property
    def vlv(self) -> bool:
        """Sorted windows with a total: slapd's sssvlv overlay gives both controls together."""
        return self.server_sort and VLV_REQUEST_OID in self.controls

    @property
    def hidden_accounts(self) -> bool:
        """Accounts can be hidden from address books (mailhidden: absent from older MDS schemas)."""
        return s.HIDDEN.lower() in self.attributes

    @property
    def virtual_aliases(self) -> bool:
        """The directory can hold virtual aliases (the mailAlias class: absent from older MDS schemas)."""
        return s.MAIL_ALIAS.lower() in self.classes

    @property
    def virtual_alias_members(self) -> bool:
        """Virtual aliases can name accounts as members (mailaliasmember), which migrated mail groups need."""
        return self.virtual_aliases and s.MEMBERS.lower() in self.attributes


def names(definitions: tuple[str, ...]) -> frozenset[str]:
    """The lower-case NAMEs of subschema definitions (attributeTypes or objectClasses values)."""
    found: set[str] = set()
    for definition in definitions:
        match = _NAMES.search(definition)
        if match:
            found.update(n.lower() for n in (match.group(1) or match.group(2).replace("'", " ")).split())
    return frozenset(found)


def read_features(directory: Directory) -> Features:
    """Read the root DSE and the subschema it points to: two searches."""
    root = directory.search("", s.ANY, ("supportedControl", "supportedExtension", "subschemaSubentry"), scope=BASE)[0]
    dse = root[0] if root else None
    subentry = dse.first("subschemaSubentry", "cn=Subschema") if dse else "cn=Subschema"
    records, _result = directory.search(subentry, s.subschema(), ("attributeTypes", "objectClasses"), scope=BASE)
    schema = records[0] if records else None
    return Features(
        controls=frozenset(dse.values("supportedControl")) if dse else frozenset(),
        extensions=frozenset(dse.values("supportedExtension")) if dse else frozenset(),
        attributes=names(schema.values("attributeTypes")) if schema else frozenset(),
        classes=names(schema.values("objectClasses")) if schema else frozenset(),
    )


_KNOWN: dict[str, Features] = {}


def features(directory: Directory) -> Features:
    """The server's features, read once per process and server: they change only when the server restarts with
    another configuration, and then the connections drop, which forget() answers (see connection.connect)."""
    key = directory.server
    if key not in _KNOWN:
        operations = directory.operations  # once per process: not an operation of the page that came first
        _KNOWN[key] = read_features(directory)
        directory.operations = operations
    return _KNOWN[key]


def forget() -> None:
    """Read the features again on the next connection (after a lost connection, or in tests, another server)."""
    _KNOWN.clear()
