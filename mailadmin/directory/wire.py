"""Pipelined LDAP adds on an already bound connection: a minimal BER encoder for AddRequest (RFC 4511 §4.7) and the
extended operations and control of LDAP transactions (RFC 5805), and a decoder for their responses, because ldap3's
generic pyasn1 encoding costs more than slapd's whole add.

Only adds (and the transactions grouping them) travel this way. The connection is opened, secured (TLS/StartTLS)
and bound by connection.open_first, so every rule of the normal path holds; this module just writes the requests and
reads the answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import AlreadyExists, DirectoryError, DirectoryUnavailable, Invalid

_SEQUENCE, _SET, _INTEGER, _OCTETS, _BOOLEAN = 0x30, 0x31, 0x02, 0x04, 0x01
_ADD_REQUEST, ADD_RESPONSE, _EXTENDED_REQUEST, EXTENDED_RESPONSE = 0x68, 0x69, 0x77, 0x78
_CONTROLS, _REQUEST_NAME, _REQUEST_VALUE, _RESPONSE_VALUE = 0xA0, 0x80, 0x81, 0x8B
START_TRANSACTION, TRANSACTION_SPECIFICATION, END_TRANSACTION = "1.3.6.1.1.21.1", "1.3.6.1.1.21.2", "1.3.6.1.1.21.3"
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


def add_request(message_id: int, dn: str, attrs: dict[str, str | Iterable[str]], controls: bytes = b"") -> bytes:
    """The BER bytes of one LDAPMessage carrying an AddRequest (and `controls`, as transaction_control gives)."""
    attributes = b"".join(
        _tlv(_SEQUENCE, _octets(name) + _tlv(_SET, b"".join(_octets(v) for v in ([values] if isinstance(
            values, str) else values))))
        for name, values in attrs.items()
    )
    add = _tlv(_ADD_REQUEST, _octets(dn) + _tlv(_SEQUENCE, attributes))
    return _tlv(_SEQUENCE, _integer(message_id) + add + controls)


def extended_request(message_id: int, oid: str, value: bytes | None = None) -> bytes:
    """The BER bytes of one LDAPMessage carrying an ExtendedRequest (RFC 4511 §4.12)."""
    body = _tlv(_REQUEST_NAME, oid.encode("ascii"))
    if value is not None:
        body += _tlv(_REQUEST_VALUE, value)
    return _tlv(_SEQUENCE, _integer(message_id) + _tlv(_EXTENDED_REQUEST, body))


def transaction_control(transaction: bytes) -> bytes:
    """The controls of a request that belongs to `transaction`: the critical Transaction Specification control."""
    control = _octets(TRANSACTION_SPECIFICATION) + _tlv(_BOOLEAN, b"\xff") + _tlv(_OCTETS, transaction)
    return _tlv(_CONTROLS, _tlv(_SEQUENCE, control))


def end_transaction(transaction: bytes, *, commit: bool) -> bytes:
    """The value of an End Transaction request (commit is TRUE by default, so only an abort spells it out)."""
    return _tlv(_SEQUENCE, (b"" if commit else _tlv(_BOOLEAN, b"\x00")) + _tlv(_OCTETS, transaction))


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
    """One decoded response: an AddResponse, or an ExtendedResponse with its value (b"" when it has none)."""

    message_id: int
    op: int
    code: int
    message: str
    value: bytes
    size: int  # bytes of the buffer this message used


def read_response(data: bytes) -> Response | None:
    """Decode the LDAPMessage at the start of `data`, or None while it is incomplete. Raises DirectoryUnavailable on a
    notice of disconnection, DirectoryError on an answer that is neither an add's nor an extended operation's."""
    try:
        _tag, start, end = _read_tlv(data, 0)
        if end > len(data):
            return None
        _tag, id_start, id_end = _read_tlv(data, start)
        message_id = int.from_bytes(data[id_start:id_end], "big", signed=True)
        op, op_start, op_end = _read_tlv(data, id_end)
        _tag, code_start, code_end = _read_tlv(data, op_start)
        code = int.from_bytes(data[code_start:code_end], "big")
        _tag, _dn_start, dn_end = _read_tlv(data, code_end)
        _tag, msg_start, msg_end = _read_tlv(data, dn_end)
        position, value = msg_end, b""
        while position < op_end:  # optional parts: referral, responseName, responseValue
            tag, value_start, value_end = _read_tlv(data, position)
            value = data[value_start:value_end] if tag == _RESPONSE_VALUE else value
            position = value_end
    except IndexError:
        return None
    if op == EXTENDED_RESPONSE and message_id == 0:
        raise DirectoryUnavailable("the directory closed the connection")
    if op not in (ADD_RESPONSE, EXTENDED_RESPONSE):
        raise DirectoryError(f"unexpected LDAP operation {op:#x} in reply to an add")
    return Response(message_id, op, code, data[msg_start:msg_end].decode("utf-8", "replace"), value, end)


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
