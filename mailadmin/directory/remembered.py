"""Counts and domain orders kept between requests in Django's cache, so that a page does not count or sort a whole
domain again for every view (README, "Remembered counts and orders").

A remembered value is used while the directory has not changed since it was computed, and otherwise for at most
DIRECTORY_CACHE_SECONDS after that:
- where the server keeps its database's change sequence (contextCSN on the suffix entry: the syncprov overlay), a value
  is kept with the contextCSN it was computed under; while that has not moved, the value is right, however old;
- once it moved (anyone wrote), or where there is none, the value may lag: it is used until it is
  DIRECTORY_CACHE_SECONDS old, and the page says "as of" when. Meanwhile the view that notices it starts computing it
  again in the background (refresh.py), so that a fresh value is usually there before this one would expire;
- mailadmin's own writes apply what they did to the values (ownwrites.py), or drop every value when they cannot.
DIRECTORY_CACHE_SECONDS = 0 turns remembering off: every page counts and sorts as it comes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache

from . import refresh, sequences

if TYPE_CHECKING:
    from .connection import Directory

T = TypeVar("T")
_GENERATION = "mailadmin:directory:generation"  # a new one drops every value
_WRITING = "mailadmin:directory:writing"  # a new one as each of mailadmin's writes starts and ends: see writing()
_BUSY = "busy "  # how the one set as a write starts begins
_CONTEXT_CSN = "contextCSN"
_COUNTS = "counts"  # every remembered count shares one cache entry, so that an own write adjusts them all at once
_ANY = "any"  # set when a value is kept: a write reads contextCSN for the values only if there may be some
_MAX_COUNTS = 200  # scopes kept (the dashboard's, each domain admin's, the domain list's pages)
_LOCK_SECONDS = 10  # a lock left by a worker that died goes after this
_WRITE_SECONDS = 60  # how long a write is taken to be under way at most
_LOCK_TRIES = 50  # 10 ms apart
_computations: ContextVar[int] = ContextVar("mailadmin_computations", default=0)
_FLIGHT_WAIT = 30  # seconds a view waits for a value its process is computing already, before computing it too
_flights: dict[str, threading.Event] = {}  # the values being computed in this process, set when done
_flights_lock = threading.Lock()


@dataclass(frozen=True)
class Remembered(Generic[T]):
    value: T
    computed: float  # time.time() when its computation started reading the directory
    mark: str  # the suffix's contextCSN then; "" when the server keeps none
    lagging: bool = False  # the directory changed since, or cannot say (no contextCSN)
    read_until: float = 0.0  # time.time() when it had read all it holds (or when an own write applied to it ended)

    @property
    def as_of(self) -> datetime | None:
        """When the value was computed, if it may lag behind the directory."""
        return datetime.fromtimestamp(self.computed, UTC) if self.lagging else None

    @property
    def lifetime(self) -> int:
        """Seconds it may stay in the cache: checked against contextCSN, until evicted; else its remaining time."""
        if self.mark:
            return sequences.KEPT
        return max(1, round(self.computed + settings.DIRECTORY_CACHE_SECONDS - time.time()))


@dataclass(frozen=True)
class Window(Generic[T]):
    items: tuple[T, ...]
    total: int
    as_of: datetime | None


def enabled() -> bool:
    return settings.DIRECTORY_CACHE_SECONDS > 0


def changed() -> None:
    """The directory changed in a way not applied to the values: every one goes. A new random generation rather than a
    counter, so that an evicted counter cannot bring back an older generation's keys."""
    cache.set(_GENERATION, uuid.uuid4().hex, None)


def writing(busy: bool) -> None:
    """One of mailadmin's writes starts (busy) or ends. A value is kept only if no write started or ended while it was
    computed and none was under way when it began: a value that may hold part of a write is never kept, and one kept
    before a write began had read the directory before that write's first change (ownwrites.py relies on it)."""
    # A worker that dies in a write would leave "busy" for good: it goes after _WRITE_SECONDS, when a value computed
    # meanwhile that the write did change is dropped by its end as one that read after it began.
    cache.set(_WRITING, (_BUSY if busy else "") + uuid.uuid4().hex, _WRITE_SECONDS if busy else None)


def change_mark(directory: Directory) -> str:
    """The suffix's contextCSN (one value per server that wrote), "" when the server keeps none: one search."""
    record = directory.read(settings.LDAP_BASE_DN, (_CONTEXT_CSN,))
    return " ".join(sorted(record.values(_CONTEXT_CSN))) if record else ""


def key(what: str) -> str:
    """A cache key for `what` (any text: memcached keys are short and without spaces), in the current generation."""
    text = f"{settings.LDAP_BASE_DN}\n{cache.get(_GENERATION, '')}\n{what}"
    return "mailadmin:directory:" + hashlib.sha256(text.encode()).hexdigest()[:40]


def kept_any() -> bool:
    """Whether a value may be remembered (in this generation)."""
    return enabled() and bool(cache.get(key(_ANY)))


def counts_key() -> str:
    return key(_COUNTS)


def order_of(domain: str) -> str:
    """What a domain's order is remembered as."""
    return f"order {domain}"


@contextmanager
def locked(name: str) -> Iterator[bool]:
    """A short lock across workers (cache.add), True when taken within half a second: callers act without it only in
    ways that cannot lose another worker's work (dropping a value)."""
    lock = f"{name}:lock"
    for _ in range(_LOCK_TRIES):
        if cache.add(lock, 1, _LOCK_SECONDS):
            try:
                yield True
            finally:
                cache.delete(lock)
            return
        time.sleep(0.01)
    yield False


class _Slot:
    """Where one value is kept. The key is fixed when the view starts: a value computed across a change of
    generation lands in the old one, never read."""

    def __init__(self, what: str, key: str):
        self.what, self.key = what, key

    def get(self) -> Remembered | None:
        return cache.get(self.key)

    def put(self, value: Remembered, writes: str) -> None:
        """Keep `value`, computed since `writes` was the latest write mark, unless a write started or ended meanwhile:
        checked under the lock ownwrites.py adjusts the value under, so that it cannot come between the two."""
        if writes.startswith(_BUSY):
            return
        with locked(self.key) as taken:
            if taken and cache.get(_WRITING, "") == writes:
                self._store(value)
                cache.set(key(_ANY), True, sequences.KEPT)

    def _store(self, value: Remembered) -> None:
        cache.set(self.key, value, value.lifetime)


class _Count(_Slot):
    """One of the counts, kept with the others under counts_key()."""

    def get(self) -> Remembered | None:
        return cache.get(self.key, {}).get(self.what)

    def _store(self, value: Remembered) -> None:
        now = time.time()
        counts = {what: kept for what, kept in cache.get(self.key, {}).items()
                  if kept.mark or now - kept.computed < settings.DIRECTORY_CACHE_SECONDS}
        counts[self.what] = value
        newest = sorted(counts.items(), key=lambda item: item[1].computed)[-_MAX_COUNTS:]
        cache.set(self.key, dict(newest), sequences.KEPT)


def _checked(hit: Remembered | None, mark: str) -> Remembered | None:
    """`hit` as it may be used now (marked lagging when the directory may have changed since), or None."""
    if hit is None:
        return None
    if mark and hit.mark == mark:
        return hit
    if time.time() - hit.computed < settings.DIRECTORY_CACHE_SECONDS:
        return dataclasses.replace(hit, lagging=True)
    return None


def _remembered(directory: Directory, slot: _Slot, compute: Callable[[Directory], T], again: bool) -> Remembered[T]:
    mark = change_mark(directory)
    usable = None if again else _checked(slot.get(), mark)
    if usable is None:
        return _computed_once(directory, slot, compute, mark)
    if usable.lagging and (mark or time.time() - usable.computed >= settings.DIRECTORY_CACHE_SECONDS / 2):
        # The directory changed (or cannot say) since: a fresh value, computed off this view.
        refresh.start(key(slot.what), lambda fresh: _computed_once(fresh, slot, compute, change_mark(fresh)))
    return usable


def _computed_once(directory: Directory, slot: _Slot, compute: Callable[[Directory], T], mark: str) -> Remembered[T]:
    """computed(), unless this process computes the same value already (the warm-up, a background refresh, another
    thread's view): then that one, once done, if it was kept and may be used (a second sort of the same domain at the
    same time would only slow both)."""
    flight = f"{slot.key}\n{slot.what}"
    with _flights_lock:
        running = _flights.get(flight)
        if running is None:
            _flights[flight] = mine = threading.Event()
    if running is not None:
        running.wait(_FLIGHT_WAIT)
        return _checked(slot.get(), mark) or computed(directory, slot, compute, mark)
    try:
        return computed(directory, slot, compute, mark)
    finally:
        with _flights_lock:
            del _flights[flight]
        mine.set()


def computed(directory: Directory, slot: _Slot, compute: Callable[[Directory], T], mark: str) -> Remembered[T]:
    """compute()'s value now, kept in `slot` unless one of mailadmin's writes was under way (see writing())."""
    writes, start = cache.get(_WRITING, ""), time.time()
    value = compute(directory)
    _computations.set(_computations.get() + 1)
    fresh = Remembered(value, start, mark, lagging=not mark, read_until=time.time())
    slot.put(fresh, writes)
    return fresh


def computations() -> int:
    """How many values this thread has computed (rather than found remembered): what the warm-up reports."""
    return _computations.get()


def remember(directory: Directory, what: str, compute: Callable[[Directory], T]) -> Remembered[T]:
    """A count: compute(directory)'s value, from the cache while it may be used (see the module's docstring)."""
    if not enabled():
        return Remembered(compute(directory), time.time(), "")
    return _remembered(directory, _Count(what, counts_key()), compute, again=False)


def window(
    directory: Directory, what: str, compute: Callable[[Directory], Sequence[T]], start: int, stop: int
) -> Window[T]:
    """Items [start, stop) of the sorted sequence compute(directory) returns, remembered in chunks (sequences.py) so
    that a window reads one or two of them; computed again when it may not be used or a chunk was evicted."""
    if enabled():
        slot = _Slot(what, key(what))
        for again in (False, True):
            stored = _remembered(directory, slot, lambda d: sequences.store(compute(d)), again)
            items = sequences.read(stored.value, start, stop)
            if items is not None:
                return Window(tuple(items), stored.value.total, stored.as_of)
    items = compute(directory)  # not remembering, or a cache too small to keep the chunks it was just given
    return Window(tuple(items[start:stop]), len(items), None)
