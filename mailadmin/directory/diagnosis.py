"""`manage.py checkconnection`: each server of LDAP_URL walked step by step, from name resolution to the size limits the
bind account meets, each step ok, warning or failed with its fix. Never a password in any of them."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice

from django.conf import settings
from ldap3 import BASE, SUBTREE, Connection
from ldap3.core import exceptions as lx
from ldap3.core.results import RESULT_SIZE_LIMIT_EXCEEDED

from . import failures
from . import schema as s
from .connection import Directory, cause, handshake, open_bound, peer_certificate, starts_tls, timeout, unbound
from .errors import DirectoryError, TooManyResults
from .subschema import SCHEMA_FIX, base_fix, missing_bases, missing_schema

OK, WARNING, FAILED = "ok", "warning", "failed"
SIZE_PROBE = 10_000  # entries a plain search may return before we call the bind account unlimited
EXPIRY_WARNING = timedelta(days=30)
# (OID, what it is, what the app loses without it); the first four are required.
CONTROLS = (
    ("1.2.840.113556.1.4.319", "paged results control", "lists of more than the server's size limit"),
    ("1.3.6.1.1.12", "assertion control", "the guard against lost updates"),
    ("1.2.840.113556.1.4.473", "server-side sort control (sssvlv overlay)", "sorted paging and counts of large domains"),
    ("2.16.840.1.113730.3.4.9", "virtual list view control (sssvlv overlay)", "sorted paging and counts of large domains"),
)
EXTENSIONS = (
    ("1.3.6.1.4.1.4203.1.11.1", "Password Modify extended operation", "password changes hashed by the server"),
    ("1.3.6.1.4.1.4203.1.11.3", "Who am I? extended operation", "the who-am-I check"),
)
OPTIONAL = {"1.2.840.113556.1.4.473", "2.16.840.1.113730.3.4.9"}


@dataclass(frozen=True)
class Step:
    name: str
    status: str  # OK, WARNING or FAILED
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class ServerReport:
    url: str
    steps: tuple[Step, ...]

    @property
    def usable(self) -> bool:
        return all(step.status != FAILED for step in self.steps)


def check_connection() -> list[ServerReport]:
    """One report per URL of LDAP_URL, in order."""
    return [ServerReport(url, tuple(_walk(url))) for url in settings.LDAP_URL]


def _walk(url: str) -> Iterator[Step]:
    """The steps up to the bind stop at the first failure (nothing after it can be tried); those after the bind are
    independent of each other."""
    for probe in (_resolve, _tcp, _tls):
        step = probe(url)
        if step is not None:
            yield step
            if step.status == FAILED:
                return
    try:
        conn = open_bound(url, settings.LDAP_BIND_DN, settings.LDAP_BIND_PASSWORD)
    except failures.CONNECTION_ERRORS as e:
        yield Step("bind", FAILED, cause(url, e, settings.LDAP_BIND_DN).removeprefix(f"{url}: "))
        return
    yield Step("bind", OK, f"bound as LDAP_BIND_DN {settings.LDAP_BIND_DN}")
    directory = Directory(conn)
    try:
        for name, check in BOUND_STEPS:
            yield _guarded(name, check, directory, conn)
    finally:
        directory.close()


def _guarded(name: str, check: Callable, directory: Directory, conn: Connection) -> Step:
    try:
        return check(directory, conn)
    except DirectoryError as e:
        return Step(name, FAILED, f"the directory refused: {e}")


def _resolve(url: str) -> Step:
    host, port = failures.host_and_port(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as e:
        return Step("resolve", FAILED, f"{host} does not resolve ({e.strerror or e})",
                    "check the host name in LDAP_URL, or the DNS")
    addresses = sorted({info[4][0] for info in found})
    return Step("resolve", OK, f"{host} is {', '.join(addresses)}")


def _tcp(url: str) -> Step:
    host, port = failures.host_and_port(url)
    try:
        socket.create_connection((host, port), timeout=timeout()).close()
    except ConnectionRefusedError:
        return Step("tcp", FAILED, f"connection refused by {host} port {port}",
                    "start the LDAP server, or fix the port in LDAP_URL")
    except TimeoutError:
        return Step("tcp", FAILED, f"no connection to {host} port {port} within {timeout()} s (LDAP_TIMEOUT)",
                    f"check that the host is up and that firewalls let port {port} through")
    except OSError as e:
        return Step("tcp", FAILED, f"cannot connect to {host} port {port}: {e.strerror or e}",
                    "check the host and port in LDAP_URL")
    return Step("tcp", OK, f"connected to {host} port {port}")


def _tls(url: str) -> Step | None:
    if not (url.lower().startswith("ldaps://") or starts_tls(url)):
        return _no_tls(url)
    certificate = peer_certificate(url)
    conn = unbound(url)
    try:
        handshake(conn, url)
    except failures.CONNECTION_ERRORS as e:
        explained = failures.explain(url, e, timeout=timeout(), bind_dn=settings.LDAP_BIND_DN, certificate=certificate)
        return Step("tls", FAILED, explained.removeprefix(f"{url}: "))
    finally:
        Directory(conn).close()
    how = "StartTLS" if starts_tls(url) else "ldaps"
    if certificate is None:
        return Step("tls", OK, f"{how}, verified (the certificate could not be decoded to show it)")
    if certificate.not_after - datetime.now(UTC) < EXPIRY_WARNING:
        return Step("tls", WARNING, f"{how}, verified, but expires soon: {certificate.describe()}",
                    "renew the server's certificate")
    return Step("tls", OK, f"{how}, verified: {certificate.describe()}")


def _no_tls(url: str) -> Step:
    host, _port = failures.host_and_port(url)
    try:
        local = ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = host == "localhost"
    if local:
        return Step("tls", OK, "none, on the loopback interface only")
    return Step("tls", WARNING, "none: the bind password and the mail data cross the network in clear",
                "use an ldaps:// URL, or set LDAP_START_TLS=true")


def _who_am_i(directory: Directory, conn: Connection) -> Step:
    name = directory.who_am_i()
    if not name:
        return Step("who am i", FAILED, "the server sees this connection as anonymous",
                    "set LDAP_BIND_DN and LDAP_BIND_PASSWORD to the service account")
    return Step("who am i", OK, f"the server sees us as {name}")


def _bases(directory: Directory, conn: Connection) -> Step:
    missing = missing_bases(directory)
    if not missing:
        return Step("base and OUs", OK, f"{settings.LDAP_BASE_DN} and its three OUs exist")
    required = [(name, dn) for name, dn in missing if name != "LDAP_ALIASES_DN"]
    text = "; ".join(f"{name} {dn} does not exist" for name, dn in missing)
    if not required:
        return Step("base and OUs", WARNING, f"{text}: virtual aliases are off", base_fix("LDAP_ALIASES_DN"))
    return Step("base and OUs", FAILED, text, base_fix(required[0][0]))


def _schema(directory: Directory, conn: Connection) -> Step:
    required = missing_schema(directory, optional=False)
    if required:
        return Step("schema", FAILED, f"the schema lacks {', '.join(required)}", SCHEMA_FIX)
    optional = missing_schema(directory)
    if optional:
        return Step("schema", WARNING, f"the schema lacks the optional {', '.join(optional)} (features off)",
                    SCHEMA_FIX)
    return Step("schema", OK, "every mail class and attribute mailadmin uses is known")


def _root_dse(directory: Directory, conn: Connection) -> Step:
    found = directory.search("", s.ANY, ("supportedControl", "supportedExtension"), scope=BASE)[0]
    offered = set(found[0].values("supportedControl") + found[0].values("supportedExtension")) if found else set()
    lacking = [(oid, what, loss) for oid, what, loss in CONTROLS + EXTENSIONS if oid not in offered]
    if not lacking:
        return Step("controls", OK, "every control and extended operation mailadmin uses is offered")
    text = "; ".join(f"no {what} ({oid}): no {loss}" for oid, what, loss in lacking)
    if all(oid in OPTIONAL for oid, _what, _loss in lacking):
        return Step("controls", WARNING, text, "load the sssvlv overlay (see README)")
    return Step("controls", FAILED, text, "use an OpenLDAP 2.4 or later server (these are built in)")


def _size_limits(directory: Directory, conn: Connection) -> Step:
    """A plain search shows the bind account's size limit; a paged one past it shows whether paging gets through,
    as the app's lists need (`limits … size.prtotal=unlimited`)."""
    try:
        conn.search(settings.LDAP_BASE_DN, s.ANY, SUBTREE, attributes=["1.1"], size_limit=SIZE_PROBE)
    except lx.LDAPNoSuchObjectResult:
        return Step("size limits", WARNING, "not measured: LDAP_BASE_DN does not exist")
    seen = sum(1 for item in conn.response if item.get("type") == "searchResEntry")
    if conn.result.get("result") != RESULT_SIZE_LIMIT_EXCEEDED:
        return Step("size limits", OK, f"none met: a plain search read all {seen} entries")
    if seen >= SIZE_PROBE:
        return Step("size limits", OK, f"none below {SIZE_PROBE} entries for a plain search")
    try:
        paged = sum(1 for _record in islice(directory.paged(settings.LDAP_BASE_DN, s.ANY, ("1.1",)), seen + 1))
    except TooManyResults:
        return Step("size limits", FAILED, f"searches stop at {seen} entries, paged ones too",
                    f"give {settings.LDAP_BIND_DN} `limits dn.exact=… size.prtotal=unlimited` in slapd's config")
    return Step("size limits", OK, f"plain searches stop at {seen} entries; paged ones go on (read {paged})")


BOUND_STEPS = (
    ("who am i", _who_am_i), ("base and OUs", _bases), ("schema", _schema), ("controls", _root_dse),
    ("size limits", _size_limits),
)
