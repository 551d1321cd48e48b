"""mailadmin's own writes applied to what is remembered (remembered.py) instead of dropping it, so that the admin who
just added an account sees it on the domain page at once without the page sorting the whole domain again.

The code that writes declares, inside `changing()`, what its writes did to counts and orders (an account came or went,
one was enabled or disabled, a virtual alias came or went). At the end of the block each remembered count and the orders
of the domains named are adjusted, under a short lock. A value is adjusted only if it had read the directory before the
block began; a value computed across it, a lock not taken within half a second or a chunk evicted drops that value (or
every value), and a write outside a `changing()` block, or one that fails half-way, drops every value as before.

An adjusted value keeps the contextCSN it was computed under: other tools may have written too, so it is used as lagging
(saying "As of") and computed again in the background (refresh.py), like after any write.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core.cache import cache

from . import remembered, sequences
from .remembered import Remembered


@dataclass(frozen=True)
class DomainChange:
    """What writes did to one domain's counts and order."""

    domain: str
    accounts: int = 0
    disabled: int = 0
    valiases: int = 0
    added: tuple[tuple[str, str], ...] = ()  # (lower-case address, DN) pairs now in the domain's order
    removed: tuple[tuple[str, str], ...] = ()  # and those gone from it


@dataclass
class Changes:
    """What the writes of one `changing()` block did, as the code that makes them declares it."""

    domains: list[DomainChange] = field(default_factory=list)
    wrote: bool = False

    def account(self, domain: str, address: str, dn: str, *, enabled: bool, sign: int) -> None:
        """An account came (sign 1) or went (-1)."""
        pair = ((address.lower(), dn),)
        self.domains.append(DomainChange(
            domain, accounts=sign, disabled=0 if enabled else sign,
            added=pair if sign > 0 else (), removed=pair if sign < 0 else (),
        ))

    def disabled(self, domain: str, sign: int) -> None:
        """An account was disabled (1) or enabled (-1)."""
        self.domains.append(DomainChange(domain, disabled=sign))

    def valias(self, domain: str, sign: int) -> None:
        """A virtual alias came (1) or went (-1)."""
        self.domains.append(DomainChange(domain, valiases=sign))


_current: ContextVar[Changes | None] = ContextVar("mailadmin_changes", default=None)


@contextmanager
def changing() -> Iterator[Changes]:
    """Declare in the block what its writes do to counts and orders (see the module's docstring)."""
    began = time.time()
    remembered.writing()
    changes = Changes()
    token = _current.set(changes)
    try:
        yield changes
    except BaseException:
        if changes.wrote:
            remembered.changed()  # some writes were made, perhaps not all that were declared
        raise
    finally:
        _current.reset(token)
    if changes.wrote and remembered.enabled():
        _apply(changes, began, time.time())
    remembered.writing()


def wrote() -> None:
    """Every write of Directory calls this: inside a `changing()` block, the block says what it did; elsewhere every
    remembered value goes."""
    current = _current.get()
    if current is None:
        remembered.changed()
    else:
        current.wrote = True


def _apply(changes: Changes, began: float, ended: float) -> None:
    applied = _counts_adjusted(changes, began, ended)
    for domain in dict.fromkeys(c.domain for c in changes.domains if c.added or c.removed):
        _order_adjusted(domain, [c for c in changes.domains if c.domain == domain], began, ended)
    if not applied:
        remembered.changed()


def _counts_adjusted(changes: Changes, began: float, ended: float) -> bool:
    """Each remembered count adjusted (or dropped when computed across the block); False if the lock was not taken."""
    key = remembered.counts_key()
    with remembered.locked(key) as taken:
        if not taken:
            return False
        adjusted = {what: _adjusted(value, changes, ended) for what, value in cache.get(key, {}).items()
                    if value.read_until < began and hasattr(value.value, "adjusted")}
        cache.set(key, adjusted, sequences.KEPT)
    return True


def _adjusted(value: Remembered, changes: Changes, ended: float) -> Remembered:
    return dataclasses.replace(value, value=value.value.adjusted(changes.domains), read_until=ended)


def _order_adjusted(domain: str, changes: list[DomainChange], began: float, ended: float) -> None:
    """The domain's remembered order with the pairs added and removed; dropped when that cannot be done."""
    key = remembered.key(remembered.order_of(domain))
    with remembered.locked(key) as taken:
        hit = cache.get(key)
        if hit is None:
            return
        stored = hit.value if taken and hit.read_until < began else None
        for change in changes:
            for pair in change.removed:
                stored = stored and sequences.without_item(stored, pair)
            for pair in change.added:
                stored = stored and sequences.with_item(stored, pair)
        if stored is None:
            cache.delete(key)
        else:
            cache.set(key, dataclasses.replace(hit, value=stored, read_until=ended), hit.lifetime)
