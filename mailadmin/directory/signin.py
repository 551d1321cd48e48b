"""The entry a console user signs in as, read for sign-in and for the checks that end its sessions."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import schema as s
from .bulk import PASSWORD
from .connection import Directory

PASSWORD_CHANGED = "pwdChangedTime"  # noqa: S105 (an attribute name: ppolicy's, absent without it)


@dataclass(frozen=True)
class SignInEntry:
    dn: str
    mail: str
    enabled: bool
    entry_uuid: str
    # The stored hashes and pwdChangedTime: read (never written) only to notice that the password changed.
    password_state: tuple[str, ...] = field(repr=False)


def get_sign_in_entry(directory: Directory, dn: str) -> SignInEntry | None:
    """The mail account at `dn` as sign-in sees it, or None when there is none."""
    record = directory.read(dn, ("objectClass", s.MAIL, s.ENABLED, s.UUID, PASSWORD, PASSWORD_CHANGED))
    if record is None or s.MAIL_ACCOUNT.lower() not in {c.lower() for c in record.values("objectClass")}:
        return None
    return SignInEntry(
        dn=record.dn, mail=record.first(s.MAIL).lower(), enabled=record.first(s.ENABLED).upper() == s.ENABLED_VALUE,
        entry_uuid=record.first(s.UUID).lower(),
        password_state=(*sorted(record.values(PASSWORD)), record.first(PASSWORD_CHANGED)),
    )
