"""Bulk reads and writes for import and export: paged streams, the claims of an import's addresses and logins read in
a few searches, and adds pipelined over one connection (each entry is one add, so each is written whole or not at
all)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from ldap3.core.results import RESULT_CODES, RESULT_NO_SUCH_OBJECT, RESULT_SIZE_LIMIT_EXCEEDED

from . import schema as s
from . import wire
from .accounts import Account, NewAccount, account_attributes, account_from_record
from .connection import MAX_PAGES, PAGE_SIZE, Directory, Record, check_values, open_first
from .errors import DirectoryError, DirectoryUnavailable, Invalid, TooManyResults
from .refusals import refused, result_error, size_limited

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
        attrs = account_attributes(new, quota_kb, name=self.name)
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
        yield account_from_record(record), record.first(PASSWORD)


@dataclass(frozen=True)
class Claims:
    """What new entries must not collide with, for the addresses and logins asked about: each accepted address found
    (account mail and aliases, virtual-alias names) mapped to the normalised DN holding it; the normalised DN of each
    entry under ou=Users found; and for each account found (by normalised DN) the digest of its values and its password
    hash, so a re-run needs no read per row."""

    addresses: dict[str, str]
    dns: set[str]
    accounts: dict[str, tuple[bytes, str]]


CLAIMS_PER_SEARCH = 250  # addresses or logins per filter: a few kilobytes, far below slapd's limit on a request


def directory_claims(directory: Directory, addresses: Collection[str], uids: Collection[str]) -> Claims:
    """Read every entry that holds one of `addresses` or one of the logins `uids`, with one search per few hundred of
    them: the cost follows the size of the file, not the size of the directory. The searches go over a bulk
    connection (ldap3 takes longer to encode a filter of a few hundred addresses than slapd takes to answer it)."""
    claims = Claims({}, set(), {})
    addresses, uids = sorted(set(addresses)), sorted(set(uids))
    users = (*s.ACCOUNT_ATTRS, PASSWORD)
    with pipeline() as bulk:
        def found(base: str, flt: str, attrs: tuple[str, ...]) -> Iterable[Record]:
            records = bulk.search(base, flt, attrs)
            return directory.paged(base, flt, attrs) if records is None else records  # cut short: page through

        for chunk in _chunks(addresses):
            _claim_users(claims, found(s.users_dn(), s.holders(chunk), users))
            for record in found(s.aliases_dn(), s.valiases_named(chunk), (s.ALIASES,)):
                for address in record.values(s.ALIASES):
                    claims.addresses.setdefault(address.lower(), s.normalise_dn(record.dn))
        for chunk in _chunks(uids):
            _claim_users(claims, found(s.users_dn(), s.with_uids(chunk), users))
    return claims


def _chunks(values: list[str]) -> Iterator[list[str]]:
    return (values[i : i + CLAIMS_PER_SEARCH] for i in range(0, len(values), CLAIMS_PER_SEARCH))


def _claim_users(claims: Claims, records: Iterable[Record]) -> None:
    for record in records:
        dn = s.normalise_dn(record.dn)
        claims.dns.add(dn)
        for address in (*record.values(s.MAIL), *record.values(s.ALIASES)):
            claims.addresses.setdefault(address.lower(), dn)
        if dn not in claims.accounts and s.MAIL_ACCOUNT.lower() in {c.lower() for c in record.values("objectClass")}:
            claims.accounts[dn] = (digest(account_values(account_from_record(record))), record.first(PASSWORD))


def read_account(directory: Directory, dn: str) -> tuple[Account | None, str]:
    """The account at `dn` with its password hash (or None, "" when it is no account)."""
    record = directory.read(dn, (*s.ACCOUNT_ATTRS, PASSWORD))
    if record is None or s.MAIL_ACCOUNT.lower() not in {c.lower() for c in record.values("objectClass")}:
        return None, ""
    return account_from_record(record), record.first(PASSWORD)


class Pipeline:
    """A second bound connection for bulk work: searches with long filters, and adds sent without waiting for each
    answer (at most `window` in flight), matched to their answers by message id. Each add is one entry, so each is
    written whole or not at all.

    No LDAP transactions (RFC 5805), though they would let slapd write a batch of adds about twice as fast: slapd 2.5.13
    (Debian 12) crashes when a connection closes while its transaction holds answered adds, and when the end of a
    transaction is sent right behind its adds. An import stopped by a signal or a lost connection could take the
    directory down, so every add stands alone (README, Benchmarks)."""

    def __init__(self, conn, window: int):
        self._conn, self._window = conn, window
        self._socket = conn.socket
        self._socket.settimeout(max(settings.LDAP_TIMEOUT, 5) * 6)
        self._pending: dict[int, tuple[object, str]] = {}
        self.requests = 0  # adds and paged searches sent, for Directory.operations
        self._buffer = b""
        self._next_id = 1_000_000  # far above the ids ldap3 used for the bind

    def add(self, key: object, dn: str, classes: list[str], attrs: dict) -> list[tuple[object, DirectoryError | None]]:
        """Send one add; return the (key, error or None) of the adds that had to be awaited to keep the window. A
        value Directory.add would refuse is this entry's Invalid, and it is not sent."""
        try:
            check_values(attrs.values())
        except Invalid as e:
            return [(key, e), *self._answers(keep=self._window)]
        self._next_id += 1
        self.requests += 1
        self._send(wire.add_request(self._next_id, dn, {"objectClass": classes, **attrs}))
        self._pending[self._next_id] = (key, dn)
        return self._answers(keep=self._window)

    @property
    def unanswered(self) -> list[object]:
        """The keys of the adds sent and not answered yet: after a failure, the directory may or may not hold them."""
        return [key for key, _dn in self._pending.values()]

    def finish(self) -> list[tuple[object, DirectoryError | None]]:
        return self._answers(keep=0)

    def _answers(self, keep: int) -> list[tuple[object, DirectoryError | None]]:
        """Wait until at most `keep` adds are unanswered; return (key, error or None) of those answered."""
        results = []
        while len(self._pending) > keep:
            response = self._receive()
            if response.op != wire.ADD_RESPONSE or response.message_id not in self._pending:
                raise DirectoryError(f"unexpected answer to message {response.message_id} during the adds")
            key, dn = self._pending.pop(response.message_id)
            results.append((key, _error(response, f"add {dn}")))
        return results

    def search(self, base: str, flt: str, attrs: tuple[str, ...]) -> list[Record] | None:
        """Every entry under `base` that matches `flt` (equality and presence terms only), in one request while no add
        is unanswered; None when the server's size limit cut the answer short. A missing base matches nothing."""
        self._next_id += 1
        message_id = self._next_id
        self._send(wire.search_request(message_id, base, flt, attrs))
        *entries, response = self._answers_to(message_id)
        records = [Record(*entry.entry) for entry in entries if entry.entry is not None]
        if response.code in (RESULT_SIZE_LIMIT_EXCEEDED, RESULT_NO_SUCH_OBJECT):
            return None if response.code == RESULT_SIZE_LIMIT_EXCEEDED else []
        if error := _error(response, f"search {base}"):
            raise error
        return records

    def paged(self, base: str, flt: str, attrs: tuple[str, ...], page_size: int = PAGE_SIZE) -> Iterator[Record]:
        """Every entry under `base` that matches `flt`, a page at a time (simple paged results), decoded by wire.py;
        the loop is bounded by MAX_PAGES. A missing base matches nothing. Raises SizeLimited when the bind account's
        size limit ends the list, Refused when the directory refuses otherwise."""
        cookie, received = b"", 0
        for _page in range(MAX_PAGES):
            self._next_id += 1
            self.requests += 1
            self._send(wire.search_request(self._next_id, base, flt, attrs, page=(page_size, cookie)))
            for response in self._answers_to(self._next_id):
                if response.entry is not None:
                    received += 1
                    yield Record(*response.entry)
            if response.code == RESULT_NO_SUCH_OBJECT:
                return
            if response.code == RESULT_SIZE_LIMIT_EXCEEDED:
                raise size_limited(received)  # never a silently shortened list
            if response.code:
                raise refused(response.code, RESULT_CODES.get(response.code, ""), response.message)
            if not (cookie := response.cookie):
                return
        raise TooManyResults("paged search")

    def _answers_to(self, message_id: int) -> Iterator[wire.Response]:
        """The responses to the search `message_id`, up to and including its end. References are left alone, as the
        ldap3 path does (no referrals)."""
        while True:
            response = self._receive()
            if response.message_id != message_id:
                raise DirectoryError(f"unexpected answer to message {response.message_id}, not {message_id}")
            yield response
            if response.op == wire.SEARCH_DONE:
                return

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


def _error(response: wire.Response, what: str) -> DirectoryError | None:
    return result_error(response.code, RESULT_CODES.get(response.code, ""), response.message, what)


@contextmanager
def pipeline(window: int = 64) -> Iterator[Pipeline]:
    """A second connection, opened and bound like the first, for bulk work; closed when the block ends."""
    conn = open_first(settings.LDAP_URL, settings.LDAP_BIND_DN, settings.LDAP_BIND_PASSWORD)
    try:
        yield Pipeline(conn, window)
    finally:
        conn.socket.close()  # no unbind: ldap3 would wait for answers it never asked for
