"""Mail domains: `virtualdomain=<a-label>,ou=mailDomains,<base>` entries of class mailDomain."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from mailadmin.addresses import display_domain

from . import schema as s
from .changes import replace
from .claims import claim_lock
from .connection import Directory, Record
from .controls import assertion
from .errors import Conflict, InUse
from .ownwrites import DomainChange
from .remembered import remember

LIST_PAGE = 50  # domains a page of the domain list shows: each costs one counting search


@dataclass(frozen=True)
class MailDomain:
    name: str  # A-label, lower case
    description: str
    default_quota_kb: int | None  # None: the domain sets no default
    csn: str
    dn: str
    account_count: int | None = None  # filled by with_account_counts only

    @property
    def display_name(self) -> str:
        return display_domain(self.name)


def _quota(record: Record) -> int | None:
    value = record.first(s.QUOTA)
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _domain(record: Record, count: int | None = None) -> MailDomain:
    return MailDomain(
        name=record.first(s.DOMAIN).lower(),
        description=record.first(s.DOMAIN_DESCRIPTION),
        default_quota_kb=_quota(record),
        csn=record.first(s.CSN),
        dn=record.dn,
        account_count=count,
    )


def list_domains(directory: Directory) -> list[MailDomain]:
    """All domains sorted by name (Unicode form), in one paged search; no account counts."""
    records = directory.paged(s.domains_dn(), s.all_domains(), s.DOMAIN_ATTRS)
    return sorted((_domain(r) for r in records), key=lambda d: d.display_name)


def list_pages(domains: Sequence[MailDomain]) -> int:
    """How many pages the domain list of `domains` has (one, empty, for none)."""
    return max(1, -(-len(domains) // LIST_PAGE))


def list_page(domains: Sequence[MailDomain], page: int) -> list[MailDomain]:
    """The domains the domain list's page `page` (from 1) shows."""
    return list(domains[(page - 1) * LIST_PAGE : page * LIST_PAGE])


def with_account_counts(directory: Directory, domains: list[MailDomain]) -> list[MailDomain]:
    """The same domains with their account counts: one counting search each, so callers pass one page of domains."""
    count = directory.count
    return [dataclasses.replace(d, account_count=count(s.users_dn(), s.domain_members(d.name), s.MAIL)) for d in domains]


@dataclass(frozen=True)
class AccountCounts:
    """The account counts of some domains, as remembered for the domain list."""

    counts: tuple[tuple[str, int], ...]  # (domain name, accounts)

    def adjusted(self, changes: Sequence[DomainChange]) -> AccountCounts:
        """The counts after mailadmin's own writes (ownwrites.py)."""
        return AccountCounts(tuple(
            (name, count + sum(c.accounts for c in changes if c.domain == name)) for name, count in self.counts
        ))


def remembered_account_counts(directory: Directory, domains: list[MailDomain]) -> tuple[list[MailDomain], datetime | None]:
    """with_account_counts with the counts remembered (remembered.py), and since when if they may lag."""
    counts = remember(directory, "account counts " + " ".join(d.name for d in domains), lambda fresh: AccountCounts(
        tuple((d.name, d.account_count) for d in with_account_counts(fresh, domains))
    ))
    counted = [dataclasses.replace(d, account_count=n) for d, (_name, n) in zip(domains, counts.value.counts, strict=True)]
    return counted, counts.as_of


def get_domain(directory: Directory, name: str) -> MailDomain | None:
    """The domain with this A-label name, or None."""
    records = directory.find(s.domains_dn(), s.domain_by_name(name), s.DOMAIN_ATTRS, limit=2)
    return _domain(records[0]) if records else None


def hosted(directory: Directory, names) -> set[str]:
    """The subset of the A-label domain `names` that the directory hosts, found with one search (none for no names)."""
    wanted = sorted({n.lower() for n in names if n})
    if not wanted:
        return set()
    records = directory.find(s.domains_dn(), s.domains_named(wanted), (s.DOMAIN,), limit=len(wanted) + 1)
    return {r.first(s.DOMAIN).lower() for r in records} & set(wanted)


def create_domain(
    directory: Directory, name: str, description: str = "", default_quota_kb: int | None = None
) -> MailDomain:
    """Add the domain; raise AlreadyExists when it is there already."""
    attrs: dict = {s.DOMAIN: name}
    if description:
        attrs[s.DOMAIN_DESCRIPTION] = description
    if default_quota_kb is not None:
        attrs[s.QUOTA] = str(default_quota_kb)
    directory.add(s.domain_dn(name), [s.MAIL_DOMAIN], attrs)
    created = get_domain(directory, name)
    assert created is not None
    return created


def update_domain(
    directory: Directory, domain: MailDomain, *, description: str, default_quota_kb: int | None
) -> MailDomain:
    """Set description and default quota in one modify, only if the entry is still as read (else Conflict)."""
    changes = {}
    if description != domain.description:
        changes[s.DOMAIN_DESCRIPTION] = replace(description)
    if default_quota_kb != domain.default_quota_kb:
        changes[s.QUOTA] = replace(None if default_quota_kb is None else str(default_quota_kb))
    if changes:
        directory.modify(domain.dn, changes, controls=[assertion(s.version_is(domain.csn, domain.dn))])
    updated = get_domain(directory, domain.name)
    if updated is None:
        raise Conflict(domain.name)
    return updated


def domain_users(directory: Directory, name: str, limit: int = 20) -> tuple[str, ...]:
    """Up to `limit` addresses that still use the domain: accounts, account aliases, virtual aliases."""
    suffix = "@" + name
    accounts = directory.find(s.users_dn(), s.domain_members(name), (s.MAIL,), limit=limit)
    aliased = directory.find(
        s.users_dn(), s.all_of(s.accounts_filter(), s.ends_with(s.ALIASES, suffix)), (s.MAIL,), limit=limit
    )
    valiases = directory.find(s.aliases_dn(), s.valiases_of_domain(name), (s.ALIASES,), limit=limit)
    found = [r.first(s.MAIL) for r in accounts]
    found += [_("%(address)s (by an alias)") % {"address": r.first(s.MAIL)} for r in aliased]
    found += [r.first(s.ALIASES) for r in valiases]
    return tuple(found[:limit])


def remove_domain(directory: Directory, domain: MailDomain) -> None:
    """Remove the domain entry; raise InUse while any address still uses it, Conflict if it changed since read."""
    # Under the claim lock: no account or alias of the domain can be created between the check and the delete.
    with claim_lock(directory):
        users = domain_users(directory, domain.name)
        if users:
            raise InUse(f"{domain.name} is still used", users=users)
        directory.delete(domain.dn, controls=[assertion(s.version_is(domain.csn, domain.dn))])
