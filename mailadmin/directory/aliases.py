"""Virtual aliases: `mailalias=<address>,ou=mailAliases,<base>` entries of class mailAlias.

Postfix expands `mail` (external recipients) and, through `special_result_attribute`, the `mail` of every member DN.
It does not look at the members' `mailenable`: a disabled member's address is passed on, finds no mailbox and bounces
to the sender as "user unknown" (tests/mailstack/test_delivery.py; shown by the console).
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from mailadmin.addresses import domain_of

from . import ownwrites
from . import schema as s
from .accounts import Account, get_account_by_dn
from .changes import replace, values_delta
from .claims import claim_lock, ensure_free
from .connection import Directory, Record
from .controls import assertion
from .errors import Conflict


@dataclass(frozen=True)
class VirtualAlias:
    dn: str
    address: str
    members: tuple[str, ...]  # DNs of accounts
    external: tuple[str, ...]  # `mail` values: recipients outside the directory
    enabled: bool
    csn: str

    @property
    def domain(self) -> str:
        return domain_of(self.address)


def _valias(record: Record) -> VirtualAlias:
    return VirtualAlias(
        dn=record.dn,
        address=record.first(s.ALIASES).lower(),
        members=record.values(s.MEMBERS),
        external=tuple(v.lower() for v in record.values(s.MAIL)),
        enabled=record.first(s.ENABLED).upper() == s.ENABLED_VALUE,
        csn=record.first(s.CSN),
    )


def get_valias(directory: Directory, address: str) -> VirtualAlias | None:
    records = directory.find(s.aliases_dn(), s.valias_by_address(address), s.VALIAS_ATTRS, limit=2)
    return _valias(records[0]) if records else None


def list_valiases(directory: Directory, domain: str = "") -> list[VirtualAlias]:
    """Virtual aliases of one domain (or all), sorted by address."""
    flt = s.valiases_of_domain(domain) if domain else s.is_class(s.MAIL_ALIAS)
    return sorted((_valias(r) for r in directory.paged(s.aliases_dn(), flt, s.VALIAS_ATTRS)), key=lambda v: v.address)


def valias_page(directory: Directory, *, page: int = 1, per_page: int = 50, text: str = "",
                domains: Collection[str] | None = None) -> tuple[list[VirtualAlias], int]:
    """One page of the virtual aliases whose address contains `text`, in `domains` (None: every domain), sorted by
    address, and how many match: their addresses stream by page by page and only the first page * per_page are
    kept (heapq), then the page's entries are read by one search."""
    total = 0

    def addresses():
        nonlocal total
        for record in directory.paged(s.aliases_dn(), s.valiases_matching(text, domains), (s.ALIASES,)):
            total += 1
            yield record.first(s.ALIASES).lower()

    shown = heapq.nsmallest(page * per_page, addresses())[(page - 1) * per_page:]
    if not shown:
        return [], total
    found = {v.address: v for v in map(_valias, directory.find(s.aliases_dn(), s.valiases_named(shown),
                                                                  s.VALIAS_ATTRS))}
    return [found[a] for a in shown if a in found], total


def valiases_with_member(directory: Directory, dn: str) -> list[VirtualAlias]:
    """The virtual aliases that hold the entry `dn` as a member, sorted by address."""
    records = directory.find(s.aliases_dn(), s.valiases_with_member(dn), s.VALIAS_ATTRS)
    return sorted(map(_valias, records), key=lambda v: v.address)


def member_accounts(directory: Directory, valias: VirtualAlias) -> list[tuple[str, Account | None]]:
    """Each member DN with its account, or None for a dangling DN (Postfix skips it); one read per member."""
    return [(dn, get_account_by_dn(directory, dn)) for dn in valias.members]


def member_addresses(directory: Directory, valias: VirtualAlias) -> tuple[str, ...]:
    """The members' addresses (a dangling DN has none: it drops out when the virtual alias is saved next)."""
    return tuple(account.mail for _dn, account in member_accounts(directory, valias) if account)


def _attrs(members: Iterable[str], external: Iterable[str], enabled: bool) -> dict:
    attrs: dict = {s.ENABLED: s.ENABLED_VALUE if enabled else s.DISABLED_VALUE}
    if members := list(members):
        attrs[s.MEMBERS] = members
    if external := list(external):
        attrs[s.MAIL] = external
    return attrs


def create_valias(
    directory: Directory, address: str, *, members: Iterable[str] = (), external: Iterable[str] = (),
    enabled: bool = True, handing_over: Iterable[str] = (),
) -> VirtualAlias:
    """Add the virtual alias; raise AlreadyExists when any entry already accepts `address` (but the accounts
    `handing_over` their copy of it: see claims.ensure_free)."""
    with ownwrites.changing(directory) as declared, claim_lock(directory):
        ensure_free(directory, [address], handing_over=handing_over)
        directory.add(s.valias_dn(address), [s.MAIL_ALIAS], {s.ALIASES: address, **_attrs(members, external, enabled)})
        declared.valias(domain_of(address), 1)
    created = get_valias(directory, address)
    assert created is not None
    return created


def update_valias(
    directory: Directory, valias: VirtualAlias, *, members: Iterable[str], external: Iterable[str], enabled: bool
) -> VirtualAlias:
    """Change members, external recipients and status in one modify, only if unchanged since read (else Conflict)."""
    changes: dict = {}
    if delta := values_delta(valias.members, members):
        changes[s.MEMBERS] = delta
    if delta := values_delta(valias.external, external):
        changes[s.MAIL] = delta
    if enabled != valias.enabled:
        changes[s.ENABLED] = replace(s.ENABLED_VALUE if enabled else s.DISABLED_VALUE)
    if changes:
        directory.modify(valias.dn, changes, controls=[assertion(s.version_is(valias.csn, valias.dn))])
    updated = get_valias(directory, valias.address)
    if updated is None:
        raise Conflict(valias.address)
    return updated


def rename_valias(directory: Directory, valias: VirtualAlias, address: str) -> VirtualAlias:
    """Give the virtual alias the address `address`: a modrdn (its RDN is its address), so members, recipients and
    status stay as they are; only if unchanged since read (else Conflict). Raises AlreadyExists when any entry
    accepts `address` already."""
    with ownwrites.changing(directory) as declared, claim_lock(directory):
        ensure_free(directory, [address])
        directory.rename(valias.dn, s.valias_rdn(address), controls=[assertion(s.version_is(valias.csn, valias.dn))])
        declared.valias(domain_of(valias.address), -1)
        declared.valias(domain_of(address), 1)
    renamed = get_valias(directory, address)
    if renamed is None:
        raise Conflict(address)
    return renamed


def remove_valias(directory: Directory, valias: VirtualAlias) -> None:
    with ownwrites.changing(directory) as declared:
        directory.delete(valias.dn, controls=[assertion(s.version_is(valias.csn, valias.dn))])
        declared.valias(domain_of(valias.address), -1)
