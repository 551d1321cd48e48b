"""Export and import of mail accounts as CSV or LDIF: the file formats, and the import's plan (validate each row with
the console's form, compare with what exists, write what is new). Commands stay thin; the directory work is in
mailadmin.directory.bulk."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable

from mailadmin import ldif
from mailadmin.directory import schema as s
from mailadmin.directory.accounts import Account
from mailadmin.directory.bulk import PASSWORD
from mailadmin.spreadsheet import safe_cell

# The CSV columns, in the order export writes them. Import needs `address`; every other column may be absent.
COLUMNS = (
    "address", "uid", "name", "first_name", "last_name", "quota", "aliases", "forwards", "keep_copy", "enabled",
    "mailbox", "password_hash",
)
LDIF_CLASSES = ("top", "person", "organizationalPerson", "inetOrgPerson", s.MAIL_ACCOUNT)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def account_row(account: Account, password_hash: str = "") -> dict[str, str]:
    """The CSV row of an account, unescaped (quota in kB, "none" when the account has no quota rule)."""
    return {
        "address": account.mail, "uid": account.uid, "name": account.name, "first_name": account.first_name,
        "last_name": account.last_name, "quota": "none" if account.quota_kb is None else str(account.quota_kb),
        "aliases": " ".join(account.aliases), "forwards": " ".join(account.forward_targets),
        "keep_copy": _yes(account.keeps_copy), "enabled": _yes(account.enabled), "mailbox": account.mailbox,
        "password_hash": password_hash,
    }


def ldif_attributes(account: Account, password_hash: str = "") -> list[tuple[str, str]]:
    """The attributes import writes, in a stable order: what an export re-imports to the same entry."""
    attrs = [("objectClass", c) for c in LDIF_CLASSES]
    attrs += [("uid", account.uid), ("cn", account.name)]
    attrs += [("givenName", account.first_name)] if account.first_name else []
    attrs += [("sn", account.last_name), (s.MAIL, account.mail)]
    attrs += [(s.ALIASES, a) for a in account.aliases] + [(s.FORWARDS, f) for f in account.forwards]
    attrs += [(s.ENABLED, s.ENABLED_VALUE if account.enabled else s.DISABLED_VALUE)]
    attrs += [(s.MAILBOX, account.mailbox)] if account.mailbox else []
    attrs += [(s.QUOTA, str(account.quota_kb))] if account.quota_kb is not None else []
    attrs += [(PASSWORD, password_hash)] if password_hash else []
    return attrs


class _Sink:
    def __init__(self, write: Callable[[str], object]):
        self.write = write


def write_csv(write: Callable[[str], object], items: Iterable[tuple[Account, str]], *, with_password: bool) -> int:
    """Write the header and one row per (account, hash) as they come; return the number of rows."""
    columns = COLUMNS if with_password else COLUMNS[:-1]
    writer = csv.writer(_Sink(write), lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for account, password_hash in items:
        row = account_row(account, password_hash)
        writer.writerow([safe_cell(row[c]) for c in columns])
        count += 1
    return count


def write_ldif(write: Callable[[str], object], items: Iterable[tuple[Account, str]], *, with_password: bool) -> int:
    """Write one LDIF record per (account, hash) as they come; return the number of records."""
    write("version: 1\n\n")
    count = 0
    for account, password_hash in items:
        write(ldif.record(account.dn, ldif_attributes(account, password_hash if with_password else "")))
        count += 1
    return count
