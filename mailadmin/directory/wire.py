"""Pipelined LDAP adds on an already bound connection: a minimal BER encoder for AddRequest and decoder for
AddResponse (RFC 4511 §4.7), because ldap3's generic pyasn1 encoding costs more than slapd's whole add.

Only adds travel this way. The connection is opened, secured (TLS/StartTLS) and bound by connection.open_first,
so every rule of the normal path holds; this module just writes the requests and reads the answers.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import AlreadyExists, DirectoryError, DirectoryUnavailable, Invalid

_SEQUENCE, _SET, _INTEGER, _OCTETS, _ENUM = 0x30, 0x31, 0x02, 0x04, 0x0A
_ADD_REQUEST, _ADD_RESPONSE, _EXTENDED_RESPONSE = 0x68, 0x69, 0x78
_INVALID_CODES = {16, 17, 18, 20, 21, 34, 64, 65, 67, 69}  # attribute, syntax, naming and class violations


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
    return _tlv(_SEQUENCE, _integer(message_id) + _tlv(_ADD_REQUEST, _octets(dn) + _tlv(_SEQUENCE, attributes)))


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


def read_response(data: bytes) -> tuple[int, int, str, int] | None:
    """Decode one LDAPMessage at the start of `data`: (message id, result code, diagnostic message, bytes used),
    or None while the message is incomplete. Raises DirectoryUnavailable on a notice of disconnection."""
    try:
        _tag, start, end = _read_tlv(data, 0)
        if end > len(data):
            return None
        _tag, id_start, id_end = _read_tlv(data, start)
        message_id = int.from_bytes(data[id_start:id_end], "big", signed=True)
        op, op_start, _op_end = _read_tlv(data, id_end)
        _tag, code_start, code_end = _read_tlv(data, op_start)
        code = int.from_bytes(data[code_start:code_end], "big")
        _tag, _dn_start, dn_end = _read_tlv(data, code_end)
        _tag, msg_start, msg_end = _read_tlv(data, dn_end)
    except IndexError:
        return None
    if op == _EXTENDED_RESPONSE and message_id == 0:
        raise DirectoryUnavailable("the directory closed the connection")
    if op != _ADD_RESPONSE:
        raise DirectoryError(f"unexpected LDAP operation {op:#x} in reply to an add")
    return message_id, code, data[msg_start:msg_end].decode("utf-8", "replace"), end


def result_error(code: int, message: str, what: str) -> DirectoryError | None:
    """The package's error for an LDAP result code (None for success), as connection.mapped_errors maps them."""
    if code == 0:
        return None
    if code == 68 or (code == 19 and "unique" in message.lower()):
        return AlreadyExists(what)
    if code in _INVALID_CODES or code == 19:
        return Invalid(message or f"result {code}")
    if code in (51, 52, 53):
        return DirectoryUnavailable(f"{what}: result {code}")
    return DirectoryError(f"{what}: result {code} {message}".strip())
