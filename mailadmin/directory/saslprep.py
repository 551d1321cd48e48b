"""Passwords LDAP can carry: a simple bind and Password Modify send them through SASLprep (RFC 4013)."""

from __future__ import annotations

from ldap3.core.exceptions import LDAPSASLPrepError
from ldap3.protocol.sasl.sasl import sasl_prep


def bindable(password: str) -> bool:
    """False for a password SASLprep refuses (control characters, U+202E and other prohibited code points, U+FFFD):
    no bind could ever use it, so it is refused as a form error instead of failing inside ldap3."""
    try:
        sasl_prep(password)
    except LDAPSASLPrepError:
        return False
    return True
