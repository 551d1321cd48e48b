"""Directory-wide counts for the dashboard: a fixed number of paged searches, whatever the size."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from . import schema as s
from .connection import Directory


@dataclass(frozen=True)
class Counts:
    domains: int
    accounts: int
    disabled: int
    valiases: int


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
    if domains is not None and not domains:
        return Counts(0, 0, 0, 0)
    domain_filter, account_filter, valias_filter = _filters(domains)
    domain_count = sum(1 for _ in directory.paged(s.domains_dn(), domain_filter, ("1.1",)))
    accounts = disabled = 0
    for record in directory.paged(s.users_dn(), account_filter, (s.ENABLED,)):
        accounts += 1
        disabled += record.first(s.ENABLED).upper() != s.ENABLED_VALUE
    valiases = sum(1 for _ in directory.paged(s.aliases_dn(), valias_filter, ("1.1",)))
    return Counts(domain_count, accounts, disabled, valiases)
