"""Bulk work on an already bound connection: a minimal BER encoder for AddRequest (RFC 4511 §4.7) and for
SearchRequest with equality, presence and substring filters (§4.5.1) and the simple paged results control (RFC 2696),
and a decoder for their responses, because ldap3's generic pyasn1 encoding costs more than slapd's whole add, and far
more than slapd's search when a filter holds a few hundred addresses, and its decoding of entries (about 12,000 a
second) more than slapd's paging of a whole domain.

Only the import's adds and claim searches, and the paged address streams of directories without sssvlv, travel this
way. The connection is opened, secured (TLS/StartTLS) and bound
by connection.open_first, so every rule of the normal path holds; this module just writes the requests and reads the
answers. Filters still come from schema.py as escaped RFC 4515 text; compile_filter turns that text into BER.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import DirectoryError, DirectoryUnavailable

_SEQUENCE, _SET, _INTEGER, _OCTETS, _BOOLEAN, _ENUMERATED = 0x30, 0x31, 0x02, 0x04, 0x01, 0x0A
_ADD_REQUEST, ADD_RESPONSE, EXTENDED_RESPONSE = 0x68, 0x69, 0x78
_SEARCH_REQUEST, SEARCH_ENTRY, SEARCH_DONE, SEARCH_REFERENCE = 0x63, 0x64, 0x65, 0x73
_AND, _OR, _NOT, _EQUALITY, _SUBSTRINGS, _PRESENT = 0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0x87
_INITIAL, _ANY, _FINAL, _CONTROLS = 0x80, 0x81, 0x82, 0xA0
PAGED_OID = "1.2.840.113556.1.4.319"


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _length(len(body)) + body


def _octets(text: str) -> bytes:
    return _tlv(_OCTETS, text.encode("utf-8"))


def _integer(n: int) -> bytes:
    return _tlv(_INTEGER, n.to_bytes((n.bit_length() + 8) // 8, "big", signed=True))


def add_request(message_id: int, dn: str, attrs: dict[str, str | Iterable[str]]) -> bytes:
    """The BER bytes of one LDAPMessage carrying an AddRequest."""
    attributes = b"".join(
        _tlv(_SEQUENCE, _octets(name) + _tlv(_SET, b"".join(_octets(v) for v in ([values] if isinstance(
            values, str) else values))))
        for name, values in attrs.items()
    )
    add = _tlv(_ADD_REQUEST, _octets(dn) + _tlv(_SEQUENCE, attributes))
    return _tlv(_SEQUENCE, _integer(message_id) + add)


def search_request(message_id: int, base: str, flt: str, attrs: Iterable[str], *, page: tuple[int, bytes] | None = None
                   ) -> bytes:
    """The BER bytes of one LDAPMessage carrying a subtree SearchRequest (no size or time limit of its own); with
    `page` = (size, cookie), the simple paged results control asks for the next `size` entries."""
    body = (_octets(base) + _tlv(_ENUMERATED, b"\x02") + _tlv(_ENUMERATED, b"\x00") + _integer(0) + _integer(0)
            + _tlv(_BOOLEAN, b"\x00") + compile_filter(flt) + _tlv(_SEQUENCE, b"".join(_octets(a) for a in attrs)))
    controls = b""
    if page is not None:
        value = _tlv(_SEQUENCE, _integer(page[0]) + _tlv(_OCTETS, page[1]))
        controls = _tlv(_CONTROLS, _tlv(_SEQUENCE, _octets(PAGED_OID) + _tlv(_OCTETS, value)))
    return _tlv(_SEQUENCE, _integer(message_id) + _tlv(_SEARCH_REQUEST, body) + controls)


def compile_filter(text: str) -> bytes:
    """BER of an RFC 4515 filter made of &, |, !, equality, presence and substrings (what schema.py writes).
    Raises ValueError on anything else, such as an ordering match or an unbalanced filter."""
    try:
        encoded, end = _filter(text, 0)
    except IndexError:
        raise ValueError(f"unbalanced filter: {text[:80]}") from None
    if end != len(text):
        raise ValueError(f"text after the filter: {text[end:end + 80]}")
    return encoded


def _filter(text: str, pos: int) -> tuple[bytes, int]:
    """(BER of the filter starting at `pos`, position after it)."""
    if text[pos] != "(":
        raise ValueError(f"a filter starts with '(' at {pos}")
    op = text[pos + 1]
    if op in "&|!":
        parts, pos = [], pos + 2
        while text[pos] == "(":
            part, pos = _filter(text, pos)
            parts.append(part)
        if text[pos] != ")" or (op == "!" and len(parts) != 1):
            raise ValueError(f"malformed {op} filter at {pos}")
        return _tlv({"&": _AND, "|": _OR, "!": _NOT}[op], b"".join(parts)), pos + 1
    end = text.index(")", pos)  # escaped values hold no ")": RFC 4515 writes it \29
    attr, equals, value = text[pos + 1 : end].partition("=")
    if not equals or not attr or attr[-1] in "<>~:":
        raise ValueError(f"only equality and presence filters go this way: {text[pos:end + 1]}")
    if value == "*":
        return _tlv(_PRESENT, attr.encode("ascii")), end + 1
    if "*" in value:
        return _tlv(_SUBSTRINGS, _octets(attr) + _tlv(_SEQUENCE, _substrings(value.split("*")))), end + 1
    return _tlv(_EQUALITY, _octets(attr) + _tlv(_OCTETS, _unescape(value))), end + 1


def _substrings(parts: list[str]) -> bytes:
    """initial*any*…*final: the first and last parts when not empty, the middle ones as `any`."""
    tagged = [(_INITIAL, parts[0]), *((_ANY, p) for p in parts[1:-1]), (_FINAL, parts[-1])]
    return b"".join(_tlv(tag, _unescape(part)) for tag, part in tagged if part)


def _unescape(value: str) -> bytes:
    """The assertion value of an RFC 4515 value: `\\XX` is the byte XX, the rest is UTF-8."""
    parts = value.split("\\")
    return parts[0].encode("utf-8") + b"".join(bytes.fromhex(p[:2]) + p[2:].encode("utf-8") for p in parts[1:])


def _read_tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, start of value, end of value) of the element at `pos`; IndexError when `data` is cut short."""
    tag, first = data[pos], data[pos + 1]
    if first < 0x80:
        return tag, pos + 2, pos + 2 + first
    size = first & 0x7F
    length = int.from_bytes(data[pos + 2 : pos + 2 + size], "big")
    if pos + 2 + size > len(data):
        raise IndexError("cut short")
    return tag, pos + 2 + size, pos + 2 + size + length


@dataclass(frozen=True)
class Response:
    """One decoded response: an add's, a search's end, or one entry a search found (`entry`: its DN and its
    attributes by lower-case name; code 0)."""

    message_id: int
    op: int
    code: int
    message: str
    size: int  # bytes of the buffer this message used
    entry: tuple[str, dict[str, tuple[str, ...]]] | None = None
    cookie: bytes = b""  # a search's end: the paged results cookie (empty when there is no next page)


def _entry(data: bytes, start: int, end: int) -> tuple[str, dict[str, tuple[str, ...]]]:
    """The DN and attributes of a SearchResultEntry whose contents are data[start:end]."""
    _tag, dn_start, dn_end = _read_tlv(data, start)
    _tag, position, attrs_end = _read_tlv(data, dn_end)
    attrs = {}
    while position < attrs_end:
        _tag, attr_start, attr_end = _read_tlv(data, position)
        _tag, name_start, name_end = _read_tlv(data, attr_start)
        _tag, value, values_end = _read_tlv(data, name_end)
        values = []
        while value < values_end:
            _tag, value_start, value_end = _read_tlv(data, value)
            values.append(data[value_start:value_end].decode("utf-8", "replace"))
            value = value_end
        attrs[data[name_start:name_end].decode("ascii", "replace").lower()] = tuple(values)
        position = attr_end
    return data[dn_start:dn_end].decode("utf-8", "replace"), attrs


def read_response(data: bytes) -> Response | None:
    """Decode the LDAPMessage at the start of `data`, or None while it is incomplete. Raises DirectoryUnavailable on a
    notice of disconnection, DirectoryError on an answer that is neither an add's nor a search's."""
    try:
        _tag, start, end = _read_tlv(data, 0)
        if end > len(data):
            return None
        _tag, id_start, id_end = _read_tlv(data, start)
        message_id = int.from_bytes(data[id_start:id_end], "big", signed=True)
        op, op_start, op_end = _read_tlv(data, id_end)
        if op in (SEARCH_ENTRY, SEARCH_REFERENCE):
            entry = _entry(data, op_start, op_end) if op == SEARCH_ENTRY else None
            return Response(message_id, op, 0, "", end, entry)
        _tag, code_start, code_end = _read_tlv(data, op_start)
        code = int.from_bytes(data[code_start:code_end], "big")
        _tag, _dn_start, dn_end = _read_tlv(data, code_end)
        _tag, msg_start, msg_end = _read_tlv(data, dn_end)
    except IndexError:
        return None
    if op == EXTENDED_RESPONSE and message_id == 0:
        raise DirectoryUnavailable("the directory closed the connection")
    if op not in (ADD_RESPONSE, SEARCH_DONE):
        raise DirectoryError(f"unexpected LDAP operation {op:#x} in a reply")
    cookie = _paged_cookie(data, op_end, end) if op == SEARCH_DONE else b""
    return Response(message_id, op, code, data[msg_start:msg_end].decode("utf-8", "replace"), end, cookie=cookie)


def _paged_cookie(data: bytes, pos: int, end: int) -> bytes:
    """The cookie of the paged results control among the controls at data[pos:end] (b"" when there is none)."""
    if pos >= end or data[pos] != _CONTROLS:
        return b""
    _tag, position, controls_end = _read_tlv(data, pos)
    while position < controls_end:
        _tag, start, control_end = _read_tlv(data, position)
        _tag, oid_start, oid_end = _read_tlv(data, start)
        if data[oid_start:oid_end].decode("ascii", "replace") == PAGED_OID:
            tag, value_start, value_end = _read_tlv(data, oid_end)
            if tag == _BOOLEAN:  # criticality, when sent
                tag, value_start, value_end = _read_tlv(data, value_end)
            _tag, seq_start, _seq_end = _read_tlv(data, value_start)
            _tag, _size_start, size_end = _read_tlv(data, seq_start)
            _tag, cookie_start, cookie_end = _read_tlv(data, size_end)
            return data[cookie_start:cookie_end]
        position = control_end
    return b""
