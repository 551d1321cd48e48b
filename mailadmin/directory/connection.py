"""Connections to the directory: failover over LDAP_URL, timeouts always set, verified TLS, errors mapped once."""

from __future__ import annotations

import logging
import math
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from ldap3 import BASE, NONE, SUBTREE, SYNC, Connection, Server, Tls
from ldap3.core import exceptions as lx
from ldap3.core.results import RESULT_CODES, RESULT_SIZE_LIMIT_EXCEEDED, RESULT_TIME_LIMIT_EXCEEDED

from . import failures, ownwrites, resting
from . import schema as s
from .controls import sort, vlv, vlv_total
from .errors import Conflict, DirectoryError, DirectoryUnavailable, Invalid, Refused, TooManyResults
from .refusals import UNAVAILABLE_CRITICAL_EXTENSION, VLV_RANGE_ERROR, refused, result_error, size_limited
from .saslprep import bindable

if TYPE_CHECKING:
    from .bulk import Pipeline
    from .features import Features

logger = logging.getLogger(__name__)

PAGE_SIZE = 500
PAGED_OID = "1.2.840.113556.1.4.319"  # RFC 2696 simple paged results
COUNTS_PER_CONNECTION = 4
MAX_PAGES = 2000  # a paged loop stops here whatever the server says (1,000,000 entries)
# ldap3 2.9.1 does not know slapd's answer to a VLV window past the end and fails decoding it with a KeyError.
RESULT_CODES.setdefault(VLV_RANGE_ERROR, "virtualListViewError")

_UNAVAILABLE = (
    lx.LDAPCommunicationError, lx.LDAPBindError, lx.LDAPStartTLSError, lx.LDAPSessionTerminatedByServerError,
    lx.LDAPUnavailableResult, lx.LDAPBusyResult, lx.LDAPMaximumRetriesError, lx.LDAPResponseTimeoutError,
    lx.LDAPInvalidServerError, ssl.SSLError,
)
_INVALID_VALUE = (lx.LDAPInvalidValueError, lx.LDAPSASLPrepError)  # refused by ldap3 before anything is sent


@contextmanager
def mapped_errors(what: str) -> Iterator[None]:
    """Turn ldap3's exceptions into the package's own; log what nobody expects, once."""
    try:
        yield
    except _UNAVAILABLE as e:
        raise DirectoryUnavailable(f"{what}: the directory did not answer ({type(e).__name__})") from e
    except _INVALID_VALUE as e:
        raise Invalid(str(e)) from e
    except lx.LDAPOperationResult as e:
        error = result_error(e.result, e.description or "", e.message or "", what)
        if isinstance(error, Refused):
            logger.warning("directory refused %s: %s %s", what, e.description, e.message)
        if e.result == UNAVAILABLE_CRITICAL_EXTENSION:  # the server changed: read its features again
            _forget_features()
        raise error from e
    except lx.LDAPException as e:
        logger.exception("directory error during %s", what)
        raise DirectoryError(what) from e


@dataclass(frozen=True)
class Record:
    """One entry as read: its DN and its attributes (lower-case names, values as text)."""

    dn: str
    attrs: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def values(self, name: str) -> tuple[str, ...]:
        return self.attrs.get(name.lower(), ())

    def first(self, name: str, default: str = "") -> str:
        values = self.values(name)
        return values[0] if values else default


def _record(item: dict) -> Record:
    raw = item.get("raw_attributes") or {}
    attrs = {
        name.lower(): tuple(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in values)
        for name, values in raw.items()
    }
    return Record(item["dn"], attrs)


class Directory:
    """A bound connection with the few operations the repository modules need; every error is mapped."""

    def __init__(self, conn: Connection, open_more: Callable[[], Connection] | None = None):
        self._conn = conn
        self._open_more = open_more  # binds another connection like this one (for counts)
        self._counter: Connection | None = None
        self._counted = 0
        self.operations = 0  # read by tests and the "operations per page" checks

    def search(
        self, base: str, flt: str, attrs: tuple[str, ...], *, scope: str = SUBTREE, limit: int = 0,
        controls: list | None = None,
    ) -> tuple[list[Record], dict]:
        """Return (records, result). With `limit`, a server-side size limit, and a longer result is cut short."""
        if not self._sent("search", base, flt, search_scope=scope, attributes=list(attrs), size_limit=limit,
                          controls=controls):
            return [], {}
        result = self._conn.result
        _raise_time_limit(result)
        records = [_record(item) for item in self._conn.response if item.get("type") == "searchResEntry"]
        # Cut short by our own `limit` is expected; cut short before it, the server's size limit refused the search.
        if result.get("result") == RESULT_SIZE_LIMIT_EXCEEDED and (not limit or len(records) < limit):
            raise TooManyResults("search")
        return records, result

    def _sent(self, what: str, base: str, flt: str, **options) -> bool:
        """Send one search; False when its base is not there (an entry gone, an OU never made): nothing matches."""
        self.operations += 1
        try:
            with self._mapped(what):
                self._conn.search(base, flt, **options)
        except Conflict:  # the only Conflict a search can meet is noSuchObject on its base
            return False
        return True

    @property
    def server(self) -> str:
        """The URL of the server this connection reached."""
        return self._conn.server.name

    @property
    def features(self) -> Features:
        """What the server offers, read once per process and server."""
        from .features import features  # features reads through a Directory: imported here, not at the top

        return features(self)

    def count(self, base: str, flt: str, sort_attr: str) -> int:
        """How many entries match. With VLV, without transferring them (paging through 100,000 accounts costs ldap3
        seconds): the contentCount of a one-entry VLV window, so slapd counts and sorts in C and sends a single entry.
        Without it (a stock slapd), a paged search of the DNs alone, counted as they stream by."""
        if not self.features.vlv:
            return sum(1 for _record in self.stream(base, flt, ("1.1",)))
        conn = self._counting_connection()
        self.operations += 1
        try:
            with self._mapped("count", conn):
                conn.search(base, flt, SUBTREE, attributes=["1.1"], controls=[sort(sort_attr), vlv(1, 1)])
        except Conflict:  # noSuchObject: the base is not there, so nothing matches
            return 0
        return vlv_total(conn.result)

    def _counting_connection(self) -> Connection:
        """A second connection for counts, replaced every COUNTS_PER_CONNECTION counts. slapd's sssvlv keeps each
        VLV sort until its connection closes (five per connection by default; abandoning a paged sort instead is
        refused as "busy" now and then), so counts never pile up sorts on the request's own connection."""
        if self._open_more is None:
            return self._conn
        if self._counter is None or self._counted == COUNTS_PER_CONNECTION:
            self._close_counter()
            self._counter, self._counted = self._open_more(), 0
        self._counted += 1
        return self._counter

    def _close_counter(self) -> None:
        if self._counter is not None:
            _unbind(self._counter)
            self._counter = None

    @contextmanager
    def _mapped(self, what: str, conn: Connection | None = None) -> Iterator[None]:
        """mapped_errors, and a server that stops answering mid-request rests (see resting.py)."""
        try:
            with mapped_errors(what):
                yield
        except DirectoryUnavailable as e:
            if e.__cause__ is not None and resting.is_outage(e.__cause__):
                server = (conn or self._conn).server
                resting.rest(server.host, server.port)
            raise

    def find(self, base: str, flt: str, attrs: tuple[str, ...], *, limit: int = 0) -> list[Record]:
        return self.search(base, flt, attrs, limit=limit)[0]

    def paged(self, base: str, flt: str, attrs: tuple[str, ...], *, page_size: int = PAGE_SIZE) -> Iterator[Record]:
        """Yield every matching entry, a page at a time; the loop is bounded by MAX_PAGES. Raise TooManyResults past
        MAX_PAGES or when a server size limit ends the search early."""
        cookie, received = None, 0
        for _page in range(MAX_PAGES):
            if not self._sent("paged search", base, flt, attributes=list(attrs), paged_size=page_size,
                              paged_cookie=cookie):
                return
            _raise_time_limit(self._conn.result)
            entries = [item for item in self._conn.response if item.get("type") == "searchResEntry"]
            received += len(entries)
            if self._conn.result.get("result") == RESULT_SIZE_LIMIT_EXCEEDED:
                raise size_limited(received)  # never a silently shortened list
            for item in entries:
                yield _record(item)
            control = (self._conn.result.get("controls") or {}).get(PAGED_OID) or {}
            cookie = (control.get("value") or {}).get("cookie")
            if not cookie:
                return
        raise TooManyResults("paged search")

    def stream(self, base: str, flt: str, attrs: tuple[str, ...]) -> Iterator[Record]:
        """Every matching entry, as paged() yields them, on a connection of its own whose answers wire.py decodes:
        ldap3 decodes about 12,000 entries a second, a fraction of what slapd pages (README, Benchmarks)."""
        from .bulk import pipeline  # bulk builds on this module

        with pipeline(window=1) as bulk:
            try:
                yield from bulk.paged(base, flt, attrs)
            finally:
                self.operations += bulk.requests

    def read(self, dn: str, attrs: tuple[str, ...]) -> Record | None:
        """The entry at `dn`, or None when there is none."""
        records, _result = self.search(dn, s.ANY, attrs, scope=BASE)
        return records[0] if records else None

    def add(self, dn: str, classes: list[str], attrs: dict[str, list[str] | str]) -> None:
        check_values(attrs.values())
        self.operations += 1
        with self._mapped(f"add {dn}"):
            self._conn.add(dn, classes, attrs)
        ownwrites.wrote()  # what the pages remembered is adjusted, or dropped

    @contextmanager
    def adds(self, window: int = 64) -> Iterator[Pipeline]:
        """Adds sent without waiting for each answer (at most `window` in flight), on a connection of its own that
        wire.py encodes: for bulk imports, since ldap3's encoding alone costs more than slapd's add. Each value is
        checked as add() checks it and each answer mapped to the same errors; see bulk.Pipeline.add."""
        from .bulk import pipeline  # bulk builds on this module

        with pipeline(window) as bulk:
            try:
                yield bulk
            finally:
                self.operations += bulk.requests

    def modify(self, dn: str, changes: dict, controls: list | None = None) -> None:
        check_values(values for ops in changes.values() for _op, values in ops)
        self.operations += 1
        with self._mapped(f"modify {dn}"):
            self._conn.modify(dn, changes, controls=controls)
        ownwrites.wrote()  # what the pages remembered is adjusted, or dropped

    def rename(self, dn: str, new_rdn: str, controls: list | None = None) -> None:
        """Give the entry at `dn` a new RDN under the same parent (modrdn; the old RDN value is deleted)."""
        check_values([[new_rdn]])
        self.operations += 1
        with self._mapped(f"rename {dn}"):
            self._conn.modify_dn(dn, new_rdn, delete_old_dn=True, controls=controls)
        ownwrites.wrote()  # what the pages remembered is adjusted, or dropped

    def delete(self, dn: str, controls: list | None = None) -> None:
        self.operations += 1
        with self._mapped(f"delete {dn}"):
            self._conn.delete(dn, controls=controls)
        ownwrites.wrote()  # what the pages remembered is adjusted, or dropped

    def set_password(self, dn: str, new_password: str | None, old_password: str | None = None) -> str | None:
        """Password Modify (RFC 3062): the server hashes. With no new password, it returns one it generated.
        `old_password` is sent when a user changes their own (the server then checks it too)."""
        self.operations += 1
        with self._mapped(f"password of {dn}"):
            result = self._conn.extend.standard.modify_password(dn, old_password, new_password)
        return result if isinstance(result, str) else None

    def who_am_i(self) -> str:
        with self._mapped("who am i"):
            return self._conn.extend.standard.who_am_i() or ""

    def close(self) -> None:
        self._close_counter()
        _unbind(self._conn)


def _raise_time_limit(result: dict) -> None:
    """ldap3 raises no exception for timeLimitExceeded, and the entries that came before it look like a whole list."""
    if result.get("result") == RESULT_TIME_LIMIT_EXCEEDED:
        raise refused(RESULT_TIME_LIMIT_EXCEEDED, result.get("description", ""), result.get("message", ""))


def _unbind(conn: Connection) -> None:
    try:
        conn.unbind()
    except (lx.LDAPException, OSError):
        logger.debug("unbind failed", exc_info=True)


def check_values(groups) -> None:
    """Raise Invalid for a NUL or non-UTF-8 text: slapd would store it, and Postfix or Dovecot read C strings."""
    for group in groups:
        for value in [group] if isinstance(group, str) else group:
            if isinstance(value, str) and ("\x00" in value or not s.is_utf8(value)):
                raise Invalid("values may not hold NUL or text that is not UTF-8")


def _tls() -> Tls:
    # Never the ldap3 default (CERT_NONE): the certificate and the host name are always verified.
    return Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=settings.LDAP_CA_FILE or None)


def timeout() -> int:
    return max(1, math.ceil(settings.LDAP_TIMEOUT))  # ldap3 packs the receive timeout as a whole number


def starts_tls(url: str) -> bool:
    return settings.LDAP_START_TLS and not url.lower().startswith("ldaps://")


def unbound(url: str, tls: Tls | None = None, bind_dn: str = "", password: str = "") -> Connection:
    """A connection to `url` with the app's timeouts, not yet opened."""
    server = Server(url, tls=tls or _tls(), connect_timeout=timeout(), get_info=NONE)
    return Connection(
        server, user=bind_dn or None, password=password or None, client_strategy=SYNC, raise_exceptions=True,
        receive_timeout=timeout(), auto_referrals=False, read_only=False,
    )


def handshake(conn: Connection, url: str) -> None:
    """Open `conn` to `url`, through TLS when the URL or LDAP_START_TLS asks for it."""
    conn.open()
    if starts_tls(url):
        conn.start_tls()  # before any bind, so the password never crosses in clear


def open_bound(url: str, bind_dn: str, password: str) -> Connection:
    conn = unbound(url, bind_dn=bind_dn, password=password)
    try:
        handshake(conn, url)
        conn.bind()
    except BaseException:
        Directory(conn).close()  # a half-open socket to a hung or refusing server is not left behind
        raise
    return conn


def open_first(urls: list[str], bind_dn: str, password: str, *, final: tuple = ()) -> Connection:
    """Bind to the first URL that answers; a refused or hung server costs at most the timeout.

    Exceptions in `final` are an answer, not an outage: they are raised at once, without trying the next URL.
    Otherwise DirectoryUnavailable names the cause for each server tried (logged too)."""
    causes, last = [], None
    for url in resting.in_trying_order(urls):
        server = failures.host_and_port(url)
        try:
            conn = open_bound(url, bind_dn, password)
        except final:
            raise
        except failures.CONNECTION_ERRORS as e:
            causes.append(cause(url, e, bind_dn))
            logger.warning("directory unusable: %s", causes[-1])
            if resting.is_outage(e):
                resting.rest(*server)
            last = e
        else:
            if resting.is_resting(*server):
                resting.wake(*server)  # it answered: tried first again, in its place, by every worker
            return conn
    raise DirectoryUnavailable("no directory server answered", causes=tuple(causes)) from last


def cause(url: str, error: Exception, bind_dn: str) -> str:
    """Why `url` could not be used, in one sentence. A refused certificate is fetched again, unverified, to name what
    it holds; a refused bind is followed by an anonymous look for the bind DN, since slapd answers "invalid
    credentials" alike for a wrong password and a DN that does not exist."""
    facts: dict = {}
    if failures.is_tls_refusal(error):
        facts["certificate"] = peer_certificate(url)
    elif isinstance(error, lx.LDAPInvalidCredentialsResult):
        facts["bind_dn_exists"] = exists_anonymously(url, bind_dn)
    return failures.explain(url, error, timeout=timeout(), bind_dn=bind_dn, **facts)


def peer_certificate(url: str) -> failures.Certificate | None:
    """The certificate `url` presents (after StartTLS when set), read without verifying it and never bound: only to
    describe it. None when there is none to be had."""
    conn = unbound(url, Tls(validate=ssl.CERT_NONE))
    try:
        handshake(conn, url)
        return failures.decode_certificate(conn.socket.getpeercert(binary_form=True))
    except failures.CONNECTION_ERRORS:
        return None
    finally:
        _unbind(conn)


def exists_anonymously(url: str, dn: str) -> bool | None:
    """Whether the entry `dn` exists, asked anonymously; None when the server will not say (no anonymous reads)."""
    try:
        conn = open_bound(url, "", "")
    except failures.CONNECTION_ERRORS:
        return None
    try:
        conn.search(dn, s.ANY, BASE, attributes=["1.1"])
        return bool(conn.response)
    except lx.LDAPNoSuchObjectResult:
        return False
    except failures.CONNECTION_ERRORS:
        return None
    finally:
        _unbind(conn)


_READY: set[tuple] = set()  # the settings under which the directory was found ready, in this process


def _ensure_ready(conn: Connection) -> None:
    """Raise DirectoryUnavailable naming what is missing (base DN, Users or mailDomains OU, required schema). Checked
    once per process and settings: these change only by an administrator's hand, and a page costs no extra search."""
    key = (tuple(settings.LDAP_URL), settings.LDAP_BASE_DN, settings.LDAP_USERS_DN, settings.LDAP_DOMAINS_DN)
    if key in _READY:
        return
    from .subschema import unready  # subschema builds on this module

    problems = unready(Directory(conn))
    if problems:
        raise DirectoryUnavailable("the directory is not ready for mailadmin", causes=tuple(problems))
    _READY.add(key)


@contextmanager
def connect(*, check: bool = True) -> Iterator[Directory]:
    """Yield a Directory bound as the service account; raise DirectoryUnavailable if none can be had, or (with `check`)
    when the directory lacks the base entries or schema the app needs. initdirectory and the schema check pass
    check=False: they are what reports and fixes those."""
    if not settings.LDAP_URL:
        raise DirectoryUnavailable("LDAP_URL is not set")
    def bound() -> Connection:
        return open_first(settings.LDAP_URL, settings.LDAP_BIND_DN, settings.LDAP_BIND_PASSWORD)

    try:
        first = bound()
    except DirectoryUnavailable:
        _forget_features()
        raise
    try:
        if check:
            _ensure_ready(first)
    except BaseException:
        _unbind(first)
        raise
    directory = Directory(first, open_more=bound)
    try:
        yield directory
    except DirectoryUnavailable:
        _forget_features()
        raise
    finally:
        directory.close()


def _forget_features() -> None:
    """A lost server may come back with other overlays: read its features again on the next connection."""
    from .features import forget

    forget()


def bound_as(dn: str, password: str) -> Directory | None:
    """A Directory bound as `dn` itself (a connection of its own: same URLs, timeouts and TLS), so that the server's
    ACLs and password policy apply to what it does exactly as to any client of that entry; None when the password is
    wrong. The caller closes it. Raises DirectoryUnavailable when no server answers."""
    if not dn or not password or not password.strip() or not bindable(password):
        return None  # a password SASLprep refuses is a wrong password, not an unreachable directory
    if not settings.LDAP_URL:
        raise DirectoryUnavailable("LDAP_URL is not set")
    try:
        return Directory(open_first(settings.LDAP_URL, dn, password, final=(lx.LDAPInvalidCredentialsResult,)))
    except lx.LDAPInvalidCredentialsResult:
        return None


def password_matches(dn: str, password: str) -> bool:
    """True when `dn` binds with `password`: a simple bind on a connection of its own (same URLs, timeouts and TLS).

    Never a comparison in Python. An empty or blank password is refused before any bind, since LDAP takes a DN with
    an empty password for an anonymous bind that "succeeds". Raises DirectoryUnavailable when no server answers."""
    directory = bound_as(dn, password)
    if directory is None:
        return False
    directory.close()
    return True
