"""Dovecot's doveadm HTTP API: mailbox usage (`quota get`) and the Sieve scripts of a mailbox (`sieve put/get/
delete`). Every call is one HTTP request with a short timeout; any failure (not configured, down, refused, a reply
that is not what doveadm sends) is DovecotUnavailable, which pages show as "usage unknown"."""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

NEARLY_FULL = 90  # percent of the quota: shown in the warning colour, and what "nearly full" filters on
DOVEADM_ERROR = "error"
NOT_FOUND = 68  # doveadm's exit code for a script (or user) that does not exist (EX_NOHOST... as doveadm uses it)
NO_SUCH_USER = 67  # doveadm's exit code for a user its userdb does not return (EX_NOUSER): e.g. a disabled account


class DovecotUnavailable(Exception):
    """Dovecot could not be asked: not configured, unreachable, too slow, or it refused the request."""


@dataclass(frozen=True)
class Usage:
    """Storage used by a mailbox as Dovecot counts it, in kB, against its limit (None: no limit); and its number of
    messages against theirs, when Dovecot counts them (None: not counted)."""

    used_kb: int
    limit_kb: int | None
    messages: int | None = None
    message_limit: int | None = None

    @property
    def percent(self) -> int | None:
        return None if not self.limit_kb else min(100, round(100 * self.used_kb / self.limit_kb))

    @property
    def nearly_full(self) -> bool:
        return (self.percent or 0) > NEARLY_FULL


def configured() -> bool:
    return bool(settings.DOVEADM_URL and settings.DOVEADM_API_KEY_FILE)


def _api_key() -> str:
    try:
        return Path(settings.DOVEADM_API_KEY_FILE).read_text().strip()
    except OSError as e:
        raise DovecotUnavailable(f"cannot read DOVEADM_API_KEY_FILE: {e.strerror}") from e


def call(commands: list[tuple[str, dict]]) -> list[tuple[str, object]]:
    """Send doveadm commands [(name, parameters)] in one request; return [(kind, answer)] in the same order, kind
    being "doveadmResponse" or "error" (answer: the exit code). Raises DovecotUnavailable."""
    if not configured():
        raise DovecotUnavailable("DOVEADM_URL and DOVEADM_API_KEY_FILE are not set")
    if not settings.DOVEADM_URL.startswith(("http://", "https://")):
        raise DovecotUnavailable("DOVEADM_URL is not an http:// or https:// URL")
    body = json.dumps([[name, params, str(i)] for i, (name, params) in enumerate(commands)]).encode()
    request = urllib.request.Request(  # noqa: S310 (http and https only, checked above)
        settings.DOVEADM_URL.rstrip("/") + "/doveadm/v1", data=body, method="POST",
        headers={"Content-Type": "application/json",
                 "Authorization": "X-Dovecot-API " + base64.b64encode(_api_key().encode()).decode()})
    try:
        with urllib.request.urlopen(request, timeout=settings.DOVEADM_TIMEOUT) as response:  # noqa: S310 (checked above)
            answers = json.load(response)
        return [_answer(item) for item in answers]
    except (OSError, ValueError, TypeError, KeyError, IndexError) as e:  # URLError, timeouts and refusals are OSError
        logger.warning("doveadm HTTP API at %s: %s", settings.DOVEADM_URL, e)
        raise DovecotUnavailable(str(e)) from e


def _answer(item: list) -> tuple[str, object]:
    kind, answer, _tag = item
    if kind == DOVEADM_ERROR:
        return kind, int(answer.get("exitCode", 0))
    return kind, answer


def _limit(value: str) -> int | None:
    return None if value in ("-", "") else int(value)


def _usage(rows: list[dict]) -> Usage | None:
    """The usage in quotaGet's rows for one mailbox (STORAGE, and MESSAGE when counted); None without STORAGE."""
    by_type = {row.get("type"): row for row in rows}
    storage, messages = by_type.get("STORAGE"), by_type.get("MESSAGE")
    if storage is None:
        return None
    counted = (int(messages["value"]), _limit(messages["limit"])) if messages else (None, None)
    return Usage(int(storage["value"]), _limit(storage["limit"]), *counted)


def usage(addresses: Iterable[str]) -> dict[str, Usage]:
    """Storage used by each mailbox, in one request. A mailbox Dovecot does not know is left out; when Dovecot
    cannot be asked at all, the answer is empty (every usage unknown)."""
    addresses = list(dict.fromkeys(addresses))
    if not addresses or not configured():
        return {}
    try:
        answers = call([("quotaGet", {"user": address}) for address in addresses])
    except DovecotUnavailable:
        return {}
    found = {address: _usage(rows) for address, (kind, rows) in zip(addresses, answers, strict=True)
             if kind != DOVEADM_ERROR}
    return {address: usage for address, usage in found.items() if usage is not None}


def mailbox_usage(address: str) -> Usage | None:
    """The usage of one mailbox; None when Dovecot knows no such user (its userdb skips a disabled account).
    Raises DovecotUnavailable."""
    (kind, answer), = call([("quotaGet", {"user": address})])
    if kind == DOVEADM_ERROR:
        if answer == NO_SUCH_USER:
            return None
        raise DovecotUnavailable(f"quota get failed for {address} (exit code {answer})")
    return _usage(answer)


def fullest(mask: str, over: int | None = None) -> list[tuple[str, Usage]]:
    """The mailboxes whose address matches `mask` (`*@example.org`; `*` for all) and, with `over`, use more than
    that % of their quota; fullest first, in one request (Dovecot walks its user list). Raises DovecotUnavailable."""
    (kind, rows), = call([("quotaGet", {"user": mask})])
    if kind == DOVEADM_ERROR:
        raise DovecotUnavailable(f"quota get {mask} failed (exit code {rows})")
    found = [(row["username"], Usage(int(row["value"]), _limit(row["limit"])))
             for row in rows if row.get("type") == "STORAGE"]
    if over is not None:
        found = [(address, u) for address, u in found if u.percent is not None and u.percent > over]
    return sorted(found, key=lambda item: (-(item[1].percent or 0), -item[1].used_kb, item[0]))


def get_script(address: str, name: str) -> str | None:
    """The text of the Sieve script `name` of the mailbox, or None when it has none. Raises DovecotUnavailable."""
    (kind, answer), = call([("sieveGet", {"user": address, "scriptname": name})])
    if kind == DOVEADM_ERROR:
        if answer == NOT_FOUND:
            return None
        raise DovecotUnavailable(f"sieve get failed for {address} (exit code {answer})")
    return answer[0]["sieve script"] if answer else None


def put_script(address: str, name: str, text: str) -> None:
    """Write (or replace) the Sieve script `name` of the mailbox; Dovecot compiles it first and refuses a bad one.
    It is not activated: the user's own active script stays as it is. Raises DovecotUnavailable."""
    (kind, answer), = call([("sievePut", {"user": address, "scriptname": name, "file": text})])
    if kind == DOVEADM_ERROR:
        raise DovecotUnavailable(f"sieve put failed for {address} (exit code {answer})")


def delete_script(address: str, name: str) -> None:
    """Remove the Sieve script `name` of the mailbox (none there is fine). Raises DovecotUnavailable."""
    (kind, answer), = call([("sieveDelete", {"user": address, "scriptname": [name]})])
    if kind == DOVEADM_ERROR and answer != NOT_FOUND:
        raise DovecotUnavailable(f"sieve delete failed for {address} (exit code {answer})")
