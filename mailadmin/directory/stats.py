"""Directory-wide counts for the dashboard: a fixed number of paged searches, whatever the size."""

from __future__ import annotations

from dataclasses import dataclass

from . import schema as s
from .connection import Directory


@dataclass(frozen=True)
class Counts:
    domains: int
    accounts: int
    disabled: int
    valiases: int


def directory_counts(directory: Directory) -> Counts:
    domains = sum(1 for _ in directory.paged(s.domains_dn(), s.all_domains(), ("1.1",)))
    accounts = disabled = 0
    for record in directory.paged(s.users_dn(), s.accounts_filter(), (s.ENABLED,)):
        accounts += 1
        disabled += record.first(s.ENABLED).upper() != s.ENABLED_VALUE
    valiases = sum(1 for _ in directory.paged(s.aliases_dn(), s.is_class(s.MAIL_ALIAS), ("1.1",)))
    return Counts(domains, accounts, disabled, valiases)
