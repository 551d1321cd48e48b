"""LDAP controls ldap3 has no helper for: Assertion (RFC 4528), server-side sort (RFC 2891) and VLV."""

from __future__ import annotations

from ldap3.operation.search import compile_filter, parse_filter
from pyasn1.codec.ber import decoder, encoder
from pyasn1.type import namedtype, tag, univ

ASSERTION_OID = "1.3.6.1.1.12"
SORT_OID = "1.2.840.113556.1.4.473"
VLV_REQUEST_OID = "2.16.840.1.113730.3.4.9"
VLV_RESPONSE_OID = "2.16.840.1.113730.3.4.10"


def assertion(filter_str: str) -> tuple[str, bool, bytes]:
    """The write applies only while the entry matches `filter_str`; otherwise slapd answers 122 assertionFailed."""
    node = parse_filter(filter_str, None, True, True, None, False)
    return (ASSERTION_OID, True, encoder.encode(compile_filter(node.elements[0])))


def _ctx(number: int, constructed: bool = False) -> tag.Tag:
    fmt = tag.tagFormatConstructed if constructed else tag.tagFormatSimple
    return tag.Tag(tag.tagClassContext, fmt, number)


class _SortKey(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("attributeType", univ.OctetString()),
        namedtype.OptionalNamedType("orderingRule", univ.OctetString().subtype(implicitTag=_ctx(0))),
        namedtype.DefaultedNamedType("reverseOrder", univ.Boolean(False).subtype(implicitTag=_ctx(1))),
    )


class _SortKeyList(univ.SequenceOf):
    componentType = _SortKey()


class _ByOffset(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("offset", univ.Integer()), namedtype.NamedType("contentCount", univ.Integer())
    )


class _Target(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("byOffset", _ByOffset().subtype(implicitTag=_ctx(0, True))),
        namedtype.NamedType("greaterThanOrEqual", univ.OctetString().subtype(implicitTag=_ctx(1))),
    )


class _VLVRequest(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("beforeCount", univ.Integer()),
        namedtype.NamedType("afterCount", univ.Integer()),
        namedtype.NamedType("target", _Target()),
        namedtype.OptionalNamedType("contextID", univ.OctetString()),
    )


def sort(attr: str, rule: str = "caseIgnoreOrderingMatch") -> tuple[str, bool, bytes]:
    """No MDS attribute has an ORDERING rule, so the rule is always named."""
    key = _SortKey()
    key["attributeType"] = attr
    key["orderingRule"] = rule
    keys = _SortKeyList()
    keys.append(key)
    return (SORT_OID, True, encoder.encode(keys))


def vlv(offset: int, count: int) -> tuple[str, bool, bytes]:
    """A window of `count` entries from the 1-based `offset` of the sorted result."""
    req = _VLVRequest()
    req["beforeCount"] = 0
    req["afterCount"] = max(count - 1, 0)
    req["target"]["byOffset"]["offset"] = offset
    req["target"]["byOffset"]["contentCount"] = 0
    return (VLV_REQUEST_OID, True, encoder.encode(req))


def vlv_total(result: dict) -> int:
    """The total number of entries the window was cut from (contentCount of the VLV response)."""
    control = (result.get("controls") or {}).get(VLV_RESPONSE_OID)
    if not control:
        return 0
    seq, _rest = decoder.decode(control["value"])
    return int(seq[1])
