"""Bulk reads and writes for import and export: paged streams, one up-front read of every claimed address, and adds
pipelined over one connection (each entry is one add, so each is written whole or not at all)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings

from . import schema as s
from . import wire
from .accounts import Account, NewAccount, _account, _mail_attrs
from .connection import Directory, open_first
from .errors import DirectoryError, DirectoryUnavailable, Invalid

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

    def values(self) -> Values:
        """What the entry would hold, in the form account_values() gives for an existing account."""
        attrs = self.attributes(self.new.quota_kb)
        return (
            ("uid", self.new.uid), ("name", attrs["cn"]), ("first_name", self.new.first_name),
            ("last_name", attrs["sn"]), ("quota", self.new.quota_kb), ("aliases", tuple(sorted(self.new.aliases))),
            ("forwards", tuple(sorted(attrs.get(s.FORWARDS, ())))), ("enabled", self.new.enabled),
            ("mailbox", attrs[s.MAILBOX]),
        )


Values = tuple[tuple[str, object], ...]


def account_values(account: Account) -> Values:
    """The values an import compares, in a fixed order (multi-valued ones sorted: their order means nothing)."""
    return (
        ("uid", account.uid), ("name", account.name), ("first_name", account.first_name),
        ("last_name", account.last_name), ("quota", account.quota_kb), ("aliases", tuple(sorted(account.aliases))),
        ("forwards", tuple(sorted(account.forwards))), ("enabled", account.enabled), ("mailbox", account.mailbox),
    )


def digest(values: Values) -> bytes:
    """A 16-byte fingerprint of `values`: 100,000 accounts' state fits in a few megabytes."""
    return hashlib.blake2b(repr(values).encode("utf-8"), digest_size=16).digest()


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
    names) mapped to the normalised DN holding it; the normalised DN of every entry under ou=Users; and for each account
    (by normalised DN) the digest of its values and its password hash, so a re-run needs no read per row."""

    addresses: dict[str, str]
    dns: set[str]
    accounts: dict[str, tuple[bytes, str]]


def directory_claims(directory: Directory) -> Claims:
    """Read every claim with two paged searches, so an import checks thousands of rows without one search each."""
    claims = Claims({}, set(), {})
    for record in directory.paged(s.users_dn(), s.has("objectClass"), (*s.ACCOUNT_ATTRS, PASSWORD)):
        dn = s.normalise_dn(record.dn)
        claims.dns.add(dn)
        for address in (*record.values(s.MAIL), *record.values(s.ALIASES)):
            claims.addresses.setdefault(address.lower(), dn)
        if s.MAIL_ACCOUNT.lower() in {c.lower() for c in record.values("objectClass")}:
            claims.accounts[dn] = (digest(account_values(_account(record))), record.first(PASSWORD))
    for record in directory.paged(s.aliases_dn(), s.is_class(s.MAIL_ALIAS), (s.ALIASES,)):
        for address in record.values(s.ALIASES):
            claims.addresses.setdefault(address.lower(), s.normalise_dn(record.dn))
    return claims


def read_account(directory: Directory, dn: str) -> tuple[Account | None, str]:
    """The account at `dn` with its password hash (or None, "" when it is no account)."""
    record = directory.read(dn, (*s.ACCOUNT_ATTRS, PASSWORD))
    if record is None or s.MAIL_ACCOUNT.lower() not in {c.lower() for c in record.values("objectClass")}:
        return None, ""
    return _account(record), record.first(PASSWORD)


class Pipeline:
    """Adds sent without waiting for each answer (at most `window` in flight) on one bound connection's socket.
    Each add is one entry, so each is written whole or not at all; answers are matched by message id."""

    def __init__(self, conn, window: int):
        self._conn, self._window = conn, window
        self._socket = conn.socket
        self._socket.settimeout(max(settings.LDAP_TIMEOUT, 5) * 6)
        self._pending: dict[int, tuple[object, str]] = {}
        self._buffer = b""
        self._next_id = 1_000_000  # far above the ids ldap3 used for the bind

    def add(self, key: object, dn: str, attrs: dict) -> list[tuple[object, DirectoryError | None]]:
        """Send one add; return the (key, error or None) of the adds that had to be awaited to keep the window."""
        self._next_id += 1
        classes = {"objectClass": [*s.PERSON_CLASSES, s.MAIL_ACCOUNT]}
        self._send(wire.add_request(self._next_id, dn, {**classes, **attrs}))
        self._pending[self._next_id] = (key, dn)
        return [self._receive() for _ in range(len(self._pending) - self._window)]

    @property
    def in_flight(self) -> int:
        """Adds sent and not answered yet: after a failure, the directory may or may not hold them."""
        return len(self._pending)

    def finish(self) -> list[tuple[object, DirectoryError | None]]:
        return [self._receive() for _ in range(len(self._pending))]

    def _send(self, data: bytes) -> None:
        try:
            self._socket.sendall(data)
        except OSError as e:
            raise DirectoryUnavailable(f"add: the directory did not answer ({type(e).__name__})") from e

    def _receive(self) -> tuple[object, DirectoryError | None]:
        while (decoded := wire.read_response(self._buffer)) is None:
            try:
                chunk = self._socket.recv(65536)
            except OSError as e:
                raise DirectoryUnavailable(f"add: the directory did not answer ({type(e).__name__})") from e
            if not chunk:
                raise DirectoryUnavailable("add: the directory closed the connection")
            self._buffer += chunk
        message_id, code, message, used = decoded
        self._buffer = self._buffer[used:]
        key, dn = self._pending.pop(message_id)
        return key, wire.result_error(code, message, f"add {dn}")


@contextmanager
def pipeline(window: int = 64) -> Iterator[Pipeline]:
    """A second connection, opened and bound like the first, for pipelined adds; closed when the block ends."""
    conn = open_first(settings.LDAP_URL, settings.LDAP_BIND_DN, settings.LDAP_BIND_PASSWORD)
    try:
        yield Pipeline(conn, window)
    finally:
        conn.socket.close()  # no unbind: ldap3 would wait for answers it never asked for
