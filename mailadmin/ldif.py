"""A small LDIF (RFC 2849) reader and writer for content records: no ldap3, no change records, no URLs.

The writer base64-encodes every value that is not a SAFE-STRING, so no value can start a new line, a new attribute or
a new record ("x\\ndn: cn=evil" is written as `attr:: …`); the reader reports errors with their line numbers.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


class LdifError(ValueError):
    """A record the reader cannot take; `line` is the 1-based line where it starts or goes wrong."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class LdifRecord:
    line: int  # where the record's "dn:" line is
    dn: str
    attrs: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lower-case names, values in file order

    def values(self, name: str) -> tuple[str, ...]:
        return self.attrs.get(name.lower(), ())

    def first(self, name: str, default: str = "") -> str:
        values = self.values(name)
        return values[0] if values else default


def _is_safe(value: str) -> bool:
    """RFC 2849 SAFE-STRING, and no trailing space (which readers may strip)."""
    if not value:
        return True
    if value[0] in " :<" or value.endswith(" "):
        return False
    return all(0 < ord(ch) < 128 and ch not in "\r\n" for ch in value)


def line(name: str, value: str) -> str:
    """One `name: value` line, or `name:: base64` when the value is not safe to write as is."""
    if _is_safe(value):
        return f"{name}: {value}\n"
    return f"{name}:: {base64.b64encode(value.encode('utf-8')).decode('ascii')}\n"


def record(dn: str, attrs: Iterable[tuple[str, str]]) -> str:
    """A whole record (ending with the blank line that separates records)."""
    return line("dn", dn) + "".join(line(name, value) for name, value in attrs) + "\n"


def _logical_lines(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """Unfold continuation lines (a leading space) and drop comments; yield (first line number, text). Blank: ""."""
    current: list[str] = []
    start = 0
    for number, raw in enumerate(lines, 1):
        text = raw.rstrip("\r\n")
        if text.startswith(" ") and current:
            current.append(text[1:])
            continue
        if current:
            yield start, "".join(current)
            current = []
        if text.startswith("#") or text.startswith(" "):
            continue  # a comment, or a continuation of a comment
        if not text.strip():
            yield number, ""
            continue
        current, start = [text], number
    if current:
        yield start, "".join(current)


def _parse_line(number: int, text: str) -> tuple[str, str]:
    name, sep, rest = text.partition(":")
    if not sep or not name or " " in name:
        raise LdifError(number, _("This line is not “attribute: value”."))
    if rest.startswith(":"):
        try:
            return name, base64.b64decode(rest[1:].strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise LdifError(number, _("The base64 value does not decode to UTF-8 text.")) from None
    if rest.startswith("<"):
        raise LdifError(number, _("Values read from URLs are not accepted."))
    return name, rest.lstrip(" ")


def _record_from(lines: list[tuple[int, str, str]]) -> LdifRecord:
    first_line, name, dn = lines[0]
    if name.lower() != "dn":
        raise LdifError(first_line, _("A record must start with “dn:”."))
    attrs: dict[str, list[str]] = {}
    for number, attr, value in lines[1:]:
        if attr.lower() in ("changetype", "control", "dn"):
            raise LdifError(number, _("Only plain entries are accepted, not “%(name)s”.") % {"name": attr})
        attrs.setdefault(attr.lower(), []).append(value)
    return LdifRecord(first_line, dn, {k: tuple(v) for k, v in attrs.items()})


def read(lines: Iterable[str]) -> Iterator[LdifRecord | LdifError]:
    """Yield each record, or an LdifError in its place (so a caller may go on past a bad record)."""
    pending: list[tuple[int, str, str]] = []
    bad: LdifError | None = None
    for number, text in _logical_lines(lines):
        if text:
            if bad is None:
                try:
                    name, value = _parse_line(number, text)
                except LdifError as e:
                    bad = e
                    continue
                if not pending and name.lower() == "version":
                    continue  # the optional "version: 1" header
                pending.append((number, name, value))
            continue
        if bad is not None or pending:
            yield bad if bad is not None else _safe_record(pending)
        pending, bad = [], None
    if bad is not None or pending:
        yield bad if bad is not None else _safe_record(pending)


def _safe_record(lines: list[tuple[int, str, str]]) -> LdifRecord | LdifError:
    try:
        return _record_from(lines)
    except LdifError as e:
        return e
