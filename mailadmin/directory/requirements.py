"""What a directory needs for mailadmin to be fast and least-privileged: the deploy check's findings, with the exact
slapd lines (slapd.conf and cn=config forms) that fix each one."""

from __future__ import annotations

from django.conf import settings

from . import schema as s
from .connection import Directory
from .errors import DirectoryError

# What the app and the Postfix/Dovecot lookups search by (the project's make-config.sh has them all).
INDEXES = {
    "objectClass": "eq", "uid": "eq,sub", s.MAIL: "eq,sub", s.ALIASES: "eq,sub", s.FORWARDS: "eq", s.DOMAIN: "eq",
    s.ENABLED: "eq", s.MEMBERS: "eq", "cn": "eq,sub", "sn": "eq,sub", "givenName": "eq,sub",
}
SSSVLV_LINES = (
    "slapd.conf: `moduleload sssvlv`, then after the database's lines `overlay sssvlv` and `sssvlv-max 64`. "
    "cn=config: add `olcModuleLoad: sssvlv` to cn=module{0},cn=config, and add the entry "
    "`olcOverlay=sssvlv,olcDatabase={1}mdb,cn=config` with `objectClass: olcOverlayConfig`, "
    "`objectClass: olcSssVlvConfig`, `olcOverlay: sssvlv`, `olcSssVlvMax: 64`."
)


def bound_as_rootdn(directory: Directory) -> bool:
    """True when LDAP_BIND_DN is the database's rootdn: its olcRootDN where cn=config can be read, else a bind DN
    without an entry, which only the rootdn can bind as with a password."""
    config = _database_config(directory, ("olcRootDN",))
    if config is not None:
        return s.normalise_dn(config.first("olcRootDN")) == s.normalise_dn(settings.LDAP_BIND_DN)
    return directory.read(settings.LDAP_BIND_DN, ("1.1",)) is None


def missing_indexes(directory: Directory) -> list[str] | None:
    """The `attr types` index lines the directory lacks, or None when its cn=config cannot be read."""
    config = _database_config(directory, ("olcDbIndex",))
    if config is None:
        return None
    present: dict[str, set[str]] = {}
    for value in config.values("olcDbIndex"):
        attrs, _sep, types = value.partition(" ")
        for attr in attrs.split(","):
            present.setdefault(attr.strip().lower(), set()).update(t.strip() for t in types.split(",") if t.strip())
    return [f"{attr} {types}" for attr, types in INDEXES.items()
            if not set(types.split(",")) <= present.get(attr.lower(), set())]


def index_lines(indexes: list[str]) -> str:
    """The slapd.conf and cn=config forms of the index lines `indexes`."""
    conf = "; ".join(f"index {line}" for line in indexes)
    olc = "; ".join(f"olcDbIndex: {line}" for line in indexes)
    return (f"slapd.conf: {conf} (then slapindex with slapd stopped). cn=config: add to the database's "
            f"olcDatabase entry {olc} (slapd indexes in the background).")


def _database_config(directory: Directory, attrs: tuple[str, ...]):
    """The cn=config entry of the database holding LDAP_BASE_DN, or None when the bind account may not read it."""
    try:
        records = directory.find("cn=config", s.eq("olcSuffix", settings.LDAP_BASE_DN), attrs)
    except DirectoryError:
        return None
    return records[0] if records else None

