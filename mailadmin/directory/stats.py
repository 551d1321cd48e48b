"""Directory-wide counts for the dashboard: four counting searches, whatever the size."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from . import schema as s
from .connection import Directory
from .ownwrites import DomainChange
from .remembered import Remembered, remember


@dataclass(frozen=True)
class Counts:
    domains: int
    accounts: int
    disabled: int
    valiases: int
    scope: frozenset[str] | None = None  # the domains counted; None: all

    def adjusted(self, changes: Sequence[DomainChange]) -> Counts:
        """The counts after mailadmin's own writes (ownwrites.py)."""
        mine = [c for c in changes if self.scope is None or c.domain in self.scope]
        return dataclasses.replace(
            self, accounts=self.accounts + sum(c.accounts for c in mine),
            disabled=self.disabled + sum(c.disabled for c in mine), valiases=self.valiases + sum(c.valiases for c in mine),
        )


def _filters(domains: Collection[str] | None) -> tuple[str, str, str]:
    """Filters for domains, accounts and virtual aliases: all of them, or those of `domains`."""
    if domains is None:
        return s.all_domains(), s.accounts_filter(), s.is_class(s.MAIL_ALIAS)
    names = sorted(domains)
    return (
        s.any_of(*(s.domain_by_name(d) for d in names)),
        s.all_of(s.accounts_filter(), s.in_domains(names)),
        s.any_of(*(s.valiases_of_domain(d) for d in names)),
    )


def directory_counts(directory: Directory, domains: Collection[str] | None = None) -> Counts:
    """Counts over every domain, or over `domains` only (so a domain admin sees nothing of the others)."""
    scope = None if domains is None else frozenset(domains)
    if scope is not None and not scope:
        return Counts(0, 0, 0, 0, scope)
    domain_filter, account_filter, valias_filter = _filters(domains)
    return Counts(
        scope=scope,
        domains=directory.count(s.domains_dn(), domain_filter, s.DOMAIN),
        accounts=directory.count(s.users_dn(), account_filter, s.MAIL),
        disabled=directory.count(s.users_dn(), s.all_of(account_filter, s.negate(s.eq(s.ENABLED, s.ENABLED_VALUE))), s.MAIL),
        valiases=directory.count(s.aliases_dn(), valias_filter, s.ALIASES),
    )


def remembered_counts(directory: Directory, domains: Collection[str] | None = None) -> Remembered[Counts]:
    """directory_counts, remembered for the dashboard (remembered.py)."""
    scope = "*" if domains is None else " ".join(sorted(domains))
    return remember(directory, f"counts {scope}", lambda fresh: directory_counts(fresh, domains))
