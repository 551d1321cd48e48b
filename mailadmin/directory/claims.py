"""An address is claimed once: `mail` and `mailalias` of accounts and virtual aliases are unique together.

The unique overlay checks one attribute at a time and is not race-safe, so every write that adds an accepted address
checks all holders and writes while holding one lock in Django's database (a row lock, so it also holds across app
hosts sharing a PostgreSQL database).

With several providers, the host holding the lock may write to another server than the last claimer did. So the lock's
row keeps the `contextCSN` values of the server the last claim was written to, and a claimer first waits (up to
LDAP_TIMEOUT) until its own server holds every change those values name; a server still behind then refuses the claim
as unavailable rather than check against stale data.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F

from mailadmin.models import ClaimLock

from . import schema as s
from .connection import Directory
from .errors import AlreadyExists, DirectoryUnavailable

LOCK_NAME = "addresses"


@contextmanager
def claim_lock(directory: Directory) -> Iterator[None]:
    """Hold the address lock until the block ends; claims by other threads and hosts wait for it. Raises
    DirectoryUnavailable when `directory`'s server has not received the last claim within LDAP_TIMEOUT."""
    with transaction.atomic():
        lock = ClaimLock.objects.filter(name=LOCK_NAME)
        if not _take(lock):  # migration 0002 creates the row; put it back if it was deleted since
            ClaimLock.objects.get_or_create(name=LOCK_NAME)
            _take(lock)
        _wait_until_holds(directory, lock.values_list("seen", flat=True).get().split())
        yield
        lock.update(seen=" ".join(_context_csns(directory)))


def _take(lock) -> bool:
    """Update the lock's row, which locks it until the transaction ends; False when there is no row."""
    return bool(lock.update(taken=F("taken") + 1))


def _context_csns(directory: Directory) -> tuple[str, ...]:
    """The server's contextCSN values (none without the syncprov overlay, or when LDAP_BASE_DN is not the suffix)."""
    record = directory.read(s.base_dn(), (s.CONTEXT_CSN,))
    return record.values(s.CONTEXT_CSN) if record else ()


def _holds(have: Iterable[str], wanted: Iterable[str]) -> bool:
    """True when, for each provider (serverID, the CSN's third field) in `wanted` that the server knows, `have` is at
    least as new (CSNs of one format compare as text). A provider the server has never heard of is not waited for:
    after a change of servers (one without syncprov, a provider removed) claims must not stop for good."""
    newest = {csn.split("#")[2]: csn for csn in have if csn.count("#") == 3}
    return all(newest.get(csn.split("#")[2], csn) >= csn for csn in wanted if csn.count("#") == 3)


def _wait_until_holds(directory: Directory, wanted: list[str]) -> None:
    deadline = time.monotonic() + settings.LDAP_TIMEOUT
    while wanted and not _holds(_context_csns(directory), wanted):
        if time.monotonic() > deadline:
            raise DirectoryUnavailable("address claim", causes=(
                "this directory server has not received the latest address claims from the other provider(s) "
                "within LDAP_TIMEOUT: replication is behind or broken",))
        time.sleep(0.02)


def holders(directory: Directory, address: str) -> list[tuple[str, str]]:
    """Return (dn, owner address) of every account and virtual alias that accepts `address`."""
    found = [
        (r.dn, r.first(s.MAIL) or address)
        for r in directory.find(s.users_dn(), s.address_claims(address), (s.MAIL,), limit=10)
    ]
    found += [
        (r.dn, r.first(s.ALIASES)) for r in directory.find(s.aliases_dn(), s.valias_by_address(address), (s.ALIASES,))
    ]
    return found


@dataclass(frozen=True)
class Use:
    """How an entry accepts an address: `kind` is ACCOUNT, ACCOUNT_ALIAS or VIRTUAL_ALIAS; `owner` is that entry's
    primary address (the account's `mail`, or the virtual alias' own address)."""

    kind: str
    owner: str


ACCOUNT, ACCOUNT_ALIAS, VIRTUAL_ALIAS = "account", "account alias", "virtual alias"


def uses(directory: Directory, address: str) -> list[Use]:
    """Every entry that accepts `address` and how, for messages that name where an address is used (two searches)."""
    found = []
    for r in directory.find(s.users_dn(), s.address_claims(address), (s.MAIL,), limit=10):
        mail = r.first(s.MAIL).lower()
        found.append(Use(ACCOUNT if mail == address.lower() else ACCOUNT_ALIAS, mail))
    found += [
        Use(VIRTUAL_ALIAS, r.first(s.ALIASES).lower())
        for r in directory.find(s.aliases_dn(), s.valias_by_address(address), (s.ALIASES,), limit=2)
    ]
    return found


def ensure_free(
    directory: Directory, addresses: Iterable[str], *, owner_dn: str = "", handing_over: Iterable[str] = ()
) -> None:
    """Raise AlreadyExists for the first address held by any entry other than `owner_dn`.

    `handing_over`: DNs of accounts that hold the address as an alias and give it up right after this claim. It is
    the one exception to "claimed once", for exactly the migration of an MDS mail group (groups.migrate_group): MMC
    copied the group's address into every member's mailalias, and the virtual alias replacing those copies must exist
    before they go, or mail to the group would bounce in between. It never excuses a primary address."""
    mine = s.normalise_dn(owner_dn) if owner_dn else ""
    passing = {s.normalise_dn(dn) for dn in handing_over}
    for address in addresses:
        for dn, holder in holders(directory, address):
            normal = s.normalise_dn(dn)
            if normal != mine and not (normal in passing and holder.lower() != address.lower()):
                raise AlreadyExists(f"{address} is used by {holder}", address=address, holder=holder)
