"""Servers of LDAP_URL that failed lately "rest": for LDAP_RETRY_AFTER seconds every worker of this host tries the
other servers first, so a hung server costs one request the timeout instead of costing it to every request.

The marks live in Django's cache "directory": a file cache under CACHE_DIR by default, shared by all gunicorn workers
of a host without another service, and lost on a reboot, when trying every server again is right anyway. A process
memory would let each worker pay the timeout once; the database would make every request of every host write a row.
"""

from __future__ import annotations

import logging
import ssl

from django.conf import settings
from django.core.cache import caches
from ldap3.core import exceptions as lx

from . import failures

logger = logging.getLogger(__name__)

_OUTAGES = (lx.LDAPCommunicationError, lx.LDAPResponseTimeoutError, lx.LDAPSessionTerminatedByServerError, OSError)


def _key(host: str, port: int) -> str:
    return f"ldap-resting:{host}:{port}"


def is_outage(error: BaseException) -> bool:
    """True for a server that is down, hung or unreachable; False for an answer (a refused bind, a busy server) or a
    certificate the app refuses, which resting would not cure."""
    if isinstance(error, ssl.SSLCertVerificationError) or failures.is_tls_refusal(error):  # type: ignore[arg-type]
        return False
    return isinstance(error, _OUTAGES)


def rest(host: str, port: int) -> None:
    """Mark host:port as failed for LDAP_RETRY_AFTER seconds."""
    if settings.LDAP_RETRY_AFTER > 0:
        try:
            caches["directory"].set(_key(host, port), True, timeout=settings.LDAP_RETRY_AFTER)
        except OSError:  # an unwritable CACHE_DIR costs the memory of failures, never the request
            logger.exception("cannot note that directory server %s port %s failed", host, port)
            return
        logger.warning("directory server %s port %s is avoided for %s s", host, port, settings.LDAP_RETRY_AFTER)


def wake(host: str, port: int) -> None:
    try:
        caches["directory"].delete(_key(host, port))
    except OSError:
        logger.exception("cannot note that directory server %s port %s answers again", host, port)


def is_resting(host: str, port: int) -> bool:
    try:
        return bool(caches["directory"].get(_key(host, port)))
    except OSError:
        return False


def in_trying_order(urls: list[str]) -> list[str]:
    """`urls` in their order, the resting ones moved to the end: still tried when every other server fails."""
    resting = {url for url in urls if is_resting(*failures.host_and_port(url))}
    return [url for url in urls if url not in resting] + [url for url in urls if url in resting]
