"""Checks of the LDAP_ settings that need ldap3's parsers (called from mailadmin.checks)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning
from ldap3.core.exceptions import LDAPInvalidDnError
from ldap3.utils.dn import parse_dn


def _dn_error(name: str, value: str) -> Error | None:
    try:
        if value and parse_dn(value):
            return None
    except (LDAPInvalidDnError, IndexError, ValueError):
        pass
    return Error(f"{name} is not a valid DN: {value!r}.", id="mailadmin.E002")


def ldap_configuration() -> list:
    errors: list = []
    if not settings.LDAP_URL:
        errors.append(Error("LDAP_URL is not set.", hint="One or more ldap:// or ldaps:// URLs, separated by spaces.",
                            id="mailadmin.E001"))
    bad = [u for u in settings.LDAP_URL if not u.lower().startswith(("ldap://", "ldaps://"))]
    if bad:
        errors.append(Error(f"LDAP_URL must hold ldap:// or ldaps:// URLs, not {', '.join(bad)}.", id="mailadmin.E008"))
    for name in ("LDAP_BASE_DN", "LDAP_USERS_DN", "LDAP_DOMAINS_DN", "LDAP_ALIASES_DN"):
        if error := _dn_error(name, getattr(settings, name)):
            errors.append(error)
    if settings.LDAP_URL and not settings.LDAP_BIND_DN:
        errors.append(Error("LDAP_BIND_DN is not set: mailadmin never binds anonymously.", id="mailadmin.E009"))
    elif settings.LDAP_BIND_DN and (error := _dn_error("LDAP_BIND_DN", settings.LDAP_BIND_DN)):
        errors.append(error)
    if settings.LDAP_TIMEOUT <= 0:
        errors.append(Error("LDAP_TIMEOUT must be a positive number of seconds.", id="mailadmin.E010"))
    encrypted = settings.LDAP_START_TLS or any(u.lower().startswith("ldaps://") for u in settings.LDAP_URL)
    if encrypted and not settings.LDAP_CA_FILE:
        errors.append(Warning("LDAP_CA_FILE is not set: the server certificate is checked against the system's CAs.",
                              id="mailadmin.W003"))
    if settings.LDAP_CA_FILE and not _readable(settings.LDAP_CA_FILE):
        errors.append(Error(f"LDAP_CA_FILE {settings.LDAP_CA_FILE!r} cannot be read.", id="mailadmin.E003"))
    return errors


def _readable(path: str) -> bool:
    try:
        with open(path, "rb"):
            return True
    except OSError:
        return False
