"""mailadmin's own writes applied to what is remembered (remembered.py) instead of dropping it, so that the admin who
just added an account sees it on the domain page at once without the page sorting the whole domain again.

The code that writes declares, inside `changing()`, what its writes did to counts and orders (an account came or went,
one was enabled or disabled, a virtual alias came or went). At the end of the block each remembered count and the orders
of the domains named are adjusted, under a short lock. A value is adjusted only if it had read the directory before the
block began; a value computed across it, a lock not taken within half a second or a chunk evicted drops that value (or
every value), and a write outside a `changing()` block, or one that fails half-way, drops every value as before.

An adjusted value keeps the contextCSN it was computed under: other tools may have written during the block, so it is
used as lagging (saying "As of") and computed again in the background (refresh.py), like after any write. If that
contextCSN was still the directory's when the block began, the value was exact then, and is "as of" that time.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.cache import cache

from . import remembered, sequences
from .remembered import Remembered

if TYPE_CHECKING:
    from .connection import Directory


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
def changing(directory: Directory) -> Iterator[Changes]:
    """Declare in the block what its writes do to counts and orders (see the module's docstring)."""
    mark = remembered.change_mark(directory) if remembered.kept_any() else ""
    remembered.writing(busy=True)
    began = time.time()  # after: a value kept (read_until < began) had read the directory before the block wrote
    changes = Changes()
    token = _current.set(changes)
    try:
        yield changes
    except BaseException:
        if changes.wrote:
            remembered.changed()  # some writes were made, perhaps not all that were declared
        raise
    else:
        if changes.wrote and remembered.enabled():
            _apply(changes, _Block(began, time.time(), mark))
    finally:
        _current.reset(token)
        remembered.writing(busy=False)


def wrote() -> None:
    """Every write of Directory calls this: inside a `changing()` block, the block says what it did; elsewhere every
    remembered value goes."""
    current = _current.get()
    if current is None:
        remembered.changed()
    else:
        current.wrote = True


@dataclass(frozen=True)
class _Block:
    began: float
    ended: float
    mark: str  # the directory's contextCSN when it began

    def adjusted(self, value: Remembered, adjusted: object) -> Remembered:
        """`value` holding `adjusted` instead: what it held, and the block's writes."""
        exact = value.mark and value.mark == self.mark  # nobody had written since it was computed
        return dataclasses.replace(value, value=adjusted, read_until=self.ended,
                                   computed=self.began if exact else value.computed)


def _apply(changes: Changes, block: _Block) -> None:
    applied = _counts_adjusted(changes, block)
    for domain in dict.fromkeys(c.domain for c in changes.domains if c.added or c.removed):
        _order_adjusted(domain, [c for c in changes.domains if c.domain == domain], block)
    if not applied:
        remembered.changed()


def _counts_adjusted(changes: Changes, block: _Block) -> bool:
    """Each remembered count adjusted (or dropped when computed across the block); False if the lock was not taken."""
    key = remembered.counts_key()
    with remembered.locked(key) as taken:
        if not taken:
            return False
        adjusted = {what: block.adjusted(value, value.value.adjusted(changes.domains))
                    for what, value in cache.get(key, {}).items()
                    if value.read_until < block.began and hasattr(value.value, "adjusted")}
        cache.set(key, adjusted, sequences.KEPT)
    return True


def _order_adjusted(domain: str, changes: list[DomainChange], block: _Block) -> None:
    """The domain's remembered order with the pairs added and removed; dropped when that cannot be done."""
    key = remembered.key(remembered.order_of(domain))
    with remembered.locked(key) as taken:
        hit = cache.get(key)
        if hit is None:
            return
        stored = hit.value if taken and hit.read_until < block.began else None
        for change in changes:
            for pair in change.removed:
                stored = stored and sequences.without_item(stored, pair)
            for pair in change.added:
                stored = stored and sequences.with_item(stored, pair)
        if stored is None:
            cache.delete(key)
        else:
            adjusted = block.adjusted(hit, stored)
            cache.set(key, adjusted, adjusted.lifetime)
