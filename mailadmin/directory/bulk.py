"""Bulk reads and writes for import and export: paged streams, one up-front read of every claimed address, and adds
pipelined over one connection in LDAP transactions (each entry is one add, so each is written whole or not at all)."""

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


TRANSACTION_SIZE = 250  # adds per transaction: slapd writes them at once; a refused batch is redone one by one


class Pipeline:
    """Adds over one bound connection's socket, answers matched by message id, each add one whole entry.

    Where the directory offers LDAP transactions (RFC 5805, slapd 2.5+ on back-mdb), adds go in batches of
    `batch`, each one transaction that slapd writes in a single database transaction: several times faster than one
    add at a time, and a batch dropped with the connection is not written at all. A batch refused as a whole is sent
    again one add at a time, so each entry still gets its own answer. Without transactions (or with `batch` 0), adds
    go one at a time, at most `window` of them sent without waiting for their answers."""

    def __init__(self, conn, window: int, batch: int):
        self._conn, self._window, self._batch = conn, window, batch
        self._socket = conn.socket
        self._socket.settimeout(max(settings.LDAP_TIMEOUT, 5) * 6)
        self._pending: dict[int, tuple[object, str]] = {}
        self._queue: list[tuple[object, str, dict]] = []
        self._buffer = b""
        self._next_id = 1_000_000  # far above the ids ldap3 used for the bind
        self._committing = 0  # adds of a transaction whose end was sent without an answer yet
        self._queueing = False  # the pending adds belong to a transaction that is not ended yet
        self.transactions = batch > 0  # until the directory shows it has none

    def add(self, key: object, dn: str, attrs: dict) -> list[tuple[object, DirectoryError | None]]:
        """Send (or queue) one add; return the (key, error or None) of the adds whose fate is known by now."""
        entry = (key, dn, {"objectClass": [*s.PERSON_CLASSES, s.MAIL_ACCOUNT], **attrs})
        if not self.transactions:
            self._send_add(entry)
            return self._answers(keep=self._window)
        self._queue.append(entry)
        return self._commit() if len(self._queue) >= self._batch else []

    def finish(self) -> list[tuple[object, DirectoryError | None]]:
        return (self._commit() if self._queue else []) + self._answers(keep=0)

    @property
    def in_flight(self) -> int:
        """Adds sent and not answered yet: after a failure, the directory may or may not hold them. (Adds queued in a
        transaction that was not ended are not among them: slapd drops an open transaction with its connection.)"""
        return self._committing or (0 if self._queueing else len(self._pending))

    def _commit(self) -> list[tuple[object, DirectoryError | None]]:
        batch, self._queue = self._queue, []
        started = self._reply(self._request(wire.START_TRANSACTION))
        if started.code != 0:  # no transactions here: one add at a time from now on
            self.transactions = False
            return self._one_by_one(batch)
        control = wire.transaction_control(started.value)
        self._queueing = True
        accepted = []
        for entry in batch:
            self._send_add(entry, control)
            accepted += self._answers(keep=self._window)
        accepted += self._answers(keep=0)
        self._queueing = False
        commit = all(error is None for _key, error in accepted)
        end = self._request(wire.END_TRANSACTION, wire.end_transaction(started.value, commit=commit))
        self._committing = len(batch) if commit else 0  # sent whole: slapd may commit it even if no answer comes
        ended = self._reply(end)
        self._committing = 0
        if commit and ended.code == 0:
            return [(key, None) for key, _dn, _attrs in batch]
        results = self._one_by_one(batch)  # the refusal belongs to one entry (or more): let each answer for itself
        if all(error is None for _key, error in results):
            self.transactions = False  # every entry went through alone: it was the transaction that failed
        return results

    def _one_by_one(self, batch: list[tuple[object, str, dict]]) -> list[tuple[object, DirectoryError | None]]:
        results = []
        for entry in batch:
            self._send_add(entry)
            results += self._answers(keep=self._window)
        return results + self._answers(keep=0)

    def _send_add(self, entry: tuple[object, str, dict], controls: bytes = b"") -> None:
        key, dn, attrs = entry
        self._next_id += 1
        self._send(wire.add_request(self._next_id, dn, attrs, controls))
        self._pending[self._next_id] = (key, dn)

    def _answers(self, keep: int) -> list[tuple[object, DirectoryError | None]]:
        """Wait until at most `keep` adds are unanswered; return (key, error or None) of those answered."""
        results = []
        while len(self._pending) > keep:
            response = self._receive()
            if response.op != wire.ADD_RESPONSE or response.message_id not in self._pending:
                raise DirectoryError(f"unexpected answer to message {response.message_id} during the adds")
            key, dn = self._pending.pop(response.message_id)
            results.append((key, wire.result_error(response.code, response.message, f"add {dn}")))
        return results

    def _request(self, oid: str, value: bytes | None = None) -> int:
        """Send an extended operation (while no add is unanswered); return its message id."""
        self._next_id += 1
        self._send(wire.extended_request(self._next_id, oid, value))
        return self._next_id

    def _reply(self, message_id: int) -> wire.Response:
        response = self._receive()
        if response.op != wire.EXTENDED_RESPONSE or response.message_id != message_id:
            raise DirectoryError(f"unexpected answer to message {response.message_id}, not {message_id}")
        return response

    def _send(self, data: bytes) -> None:
        try:
            self._socket.sendall(data)
        except OSError as e:
            raise DirectoryUnavailable(f"add: the directory did not answer ({type(e).__name__})") from e

    def _receive(self) -> wire.Response:
        while (response := wire.read_response(self._buffer)) is None:
            try:
                chunk = self._socket.recv(65536)
            except OSError as e:
                raise DirectoryUnavailable(f"add: the directory did not answer ({type(e).__name__})") from e
            if not chunk:
                raise DirectoryUnavailable("add: the directory closed the connection")
            self._buffer += chunk
        self._buffer = self._buffer[response.size:]
        return response


@contextmanager
def pipeline(window: int = 64, batch: int = TRANSACTION_SIZE) -> Iterator[Pipeline]:
    """A second connection, opened and bound like the first, for the adds; closed when the block ends."""
    conn = open_first(settings.LDAP_URL, settings.LDAP_BIND_DN, settings.LDAP_BIND_PASSWORD)
    try:
        yield Pipeline(conn, window, batch)
    finally:
        conn.socket.close()  # no unbind: ldap3 would wait for answers it never asked for
