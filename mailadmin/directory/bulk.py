"""Bulk reads and writes for import and export: paged streams, one up-front read of every claimed address, and adds
pipelined over one connection (each entry is one add, so each is written whole or not at all)."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from ldap3 import ASYNC

from . import schema as s
from .accounts import Account, NewAccount, _account, _mail_attrs
from .connection import Directory, mapped_errors, open_first
from .errors import DirectoryError, Invalid

PASSWORD = "userPassword"  # noqa: S105 (an attribute name)
# Only hashes slapd verifies on bind: a plain add stores userPassword verbatim, so cleartext must never get here.
HASH_SCHEMES = re.compile(r"^\{(SSHA|SSHA256|SSHA512|SHA|SHA256|SHA512|SMD5|CRYPT|ARGON2|PBKDF2[-A-Z0-9]*)\}\S+$", re.I)


@dataclass(frozen=True)
class AccountEntry:
    """One account as import writes it: the form's NewAccount plus what only a migration brings along."""

    new: NewAccount
    name: str = ""  # cn; empty: NewAccount.name ("First Last")
    mailbox: str = ""  # empty: MAIL_MAILBOX_TEMPLATE
    password_hash: str = ""  # a {SCHEME}hash, or empty: no password until one is set

    @property
    def dn(self) -> str:
        return s.account_dn(self.new.uid)

    def attributes(self, quota_kb: int | None) -> dict:
        """Every attribute of the entry, for one add; raises Invalid for a password that is not a hash."""
        new = self.new
        attrs = {"uid": new.uid, "cn": self.name or new.name, "sn": new.last_name or new.uid,
                 **_mail_attrs(new, new.uid, quota_kb)}
        if new.first_name:
            attrs["givenName"] = new.first_name
        if self.mailbox:
            attrs[s.MAILBOX] = self.mailbox  # checked by the caller with addresses.check_mailbox
        if self.password_hash:
            if not HASH_SCHEMES.match(self.password_hash):
                raise Invalid("the password must be a {SCHEME} hash such as {SSHA}, never cleartext")
            attrs[PASSWORD] = self.password_hash
        return attrs


def iter_accounts(
    directory: Directory, domain: str = "", *, with_password: bool = False
) -> Iterator[tuple[Account, str]]:
    """Yield (account, password hash or "") for every account, or a domain's, a page at a time (constant memory)."""
    flt = s.domain_members(domain) if domain else s.accounts_filter()
    attrs = (*s.ACCOUNT_ATTRS, PASSWORD) if with_password else s.ACCOUNT_ATTRS
    for record in directory.paged(s.users_dn(), flt, attrs):
        yield _account(record), record.first(PASSWORD)


@dataclass(frozen=True)
class Claims:
    """What new entries must not collide with: every accepted address (account mail and aliases, virtual-alias
    names) mapped to the DN holding it, and the normalised DN of every entry under ou=Users."""

    addresses: dict[str, str]
    dns: set[str]


def directory_claims(directory: Directory) -> Claims:
    """Read every claim with two paged searches, so an import checks thousands of rows without one search each."""
    addresses: dict[str, str] = {}
    dns: set[str] = set()
    for record in directory.paged(s.users_dn(), s.has("objectClass"), (s.MAIL, s.ALIASES)):
        dns.add(s.normalise_dn(record.dn))
        for address in (*record.values(s.MAIL), *record.values(s.ALIASES)):
            addresses.setdefault(address.lower(), record.dn)
    for record in directory.paged(s.aliases_dn(), s.is_class(s.MAIL_ALIAS), (s.ALIASES,)):
        for address in record.values(s.ALIASES):
            addresses.setdefault(address.lower(), record.dn)
    return Claims(addresses, dns)


def read_account(directory: Directory, dn: str) -> tuple[Account | None, str]:
    """The account at `dn` with its password hash (or None, "" when it is no account)."""
    record = directory.read(dn, (*s.ACCOUNT_ATTRS, PASSWORD))
    if record is None or s.MAIL_ACCOUNT.lower() not in {c.lower() for c in record.values("objectClass")}:
        return None, ""
    return _account(record), record.first(PASSWORD)


class Pipeline:
    """Adds sent without waiting for each answer (at most `window` in flight); results come back in order."""

    def __init__(self, conn, window: int):
        self._conn, self._window = conn, window
        self._pending: deque[tuple[object, int]] = deque()

    def add(self, key: object, dn: str, attrs: dict) -> list[tuple[object, DirectoryError | None]]:
        """Send one add; return the (key, error or None) of the adds that had to be awaited to keep the window."""
        with mapped_errors(f"add {dn}"):
            message_id = self._conn.add(dn, [*s.PERSON_CLASSES, s.MAIL_ACCOUNT], attrs)
        self._pending.append((key, message_id))
        return [self._next() for _ in range(len(self._pending) - self._window)]

    def finish(self) -> list[tuple[object, DirectoryError | None]]:
        return [self._next() for _ in range(len(self._pending))]

    def _next(self) -> tuple[object, DirectoryError | None]:
        key, message_id = self._pending.popleft()
        try:
            with mapped_errors("add"):
                self._conn.get_response(message_id, timeout=max(settings.LDAP_TIMEOUT, 5) * 6)
        except DirectoryError as e:
            return key, e
        return key, None


@contextmanager
def pipeline(window: int = 64) -> Iterator[Pipeline]:
    """A second connection, bound like the first, that pipelines adds; every add is awaited before it closes."""
    conn = open_first(settings.LDAP_URL, settings.LDAP_BIND_DN, settings.LDAP_BIND_PASSWORD, strategy=ASYNC)
    try:
        yield Pipeline(conn, window)
    finally:
        with mapped_errors("unbind"):
            conn.unbind()
