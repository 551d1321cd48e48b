"""Counts and domain orders kept between requests in Django's cache, so that a page does not count or sort a whole
domain again for every view (README, Benchmarks: console_bench.py).

A remembered value is used only while it is right, or at most DIRECTORY_CACHE_SECONDS old:
- where the server keeps its database's change sequence (contextCSN on the suffix entry: the syncprov overlay), a
  value is kept with the contextCSN it was computed under and dropped as soon as that moves, whoever wrote;
- without it, a value lives DIRECTORY_CACHE_SECONDS, and mailadmin's own writes drop every value at once.
DIRECTORY_CACHE_SECONDS = 0 turns remembering off: every page counts and sorts as it comes.

The cache is Django's (CACHE_URL): each process's memory by default; the README says what several workers or hosts
need for one write to drop the values of all.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache

if TYPE_CHECKING:
    from .connection import Directory

T = TypeVar("T")
CHUNK = 2000  # entries per cache key of a remembered sequence: a page reads one or two keys, whatever the size
_WRITES = "mailadmin:directory:writes"
_CONTEXT_CSN = "contextCSN"
_KEPT_WITH_CSN = 24 * 3600  # seconds: a value checked against contextCSN needs no age limit, only eviction


@dataclass(frozen=True)
class Remembered(Generic[T]):
    value: T
    computed: float  # time.time() when computed
    mark: str  # the suffix's contextCSN then; "" when the server keeps none

    @property
    def as_of(self) -> datetime | None:
        """When the value was computed, if it may lag behind the directory (no contextCSN to check it against)."""
        return None if self.mark else datetime.fromtimestamp(self.computed, UTC)


def enabled() -> bool:
    return settings.DIRECTORY_CACHE_SECONDS > 0


def changed() -> None:
    """mailadmin wrote to the directory: every remembered value goes (the others' writes move contextCSN)."""
    try:
        cache.incr(_WRITES)
    except ValueError:  # not there yet, or evicted
        cache.set(_WRITES, 1, None)


def change_mark(directory: Directory) -> str:
    """The suffix's contextCSN (one value per server that wrote), "" when the server keeps none: one search."""
    record = directory.read(settings.LDAP_BASE_DN, (_CONTEXT_CSN,))
    return " ".join(sorted(record.values(_CONTEXT_CSN))) if record else ""


def _key(what: str) -> str:
    """A cache key for `what` (any text: memcached keys are short and without spaces), under mailadmin's writes."""
    text = f"{settings.LDAP_BASE_DN}\n{cache.get(_WRITES, 0)}\n{what}"
    return "mailadmin:directory:" + hashlib.sha256(text.encode()).hexdigest()[:40]


def _fresh(hit: Remembered | None, mark: str) -> bool:
    if hit is None:
        return False
    if mark or hit.mark:
        return hit.mark == mark
    return time.time() - hit.computed < settings.DIRECTORY_CACHE_SECONDS


def remember(directory: Directory, what: str, compute: Callable[[], T], *, again: bool = False) -> Remembered[T]:
    """compute()'s value, from the cache while it is fresh (see the module's docstring); `again` computes it anyway."""
    if not enabled():
        return Remembered(compute(), time.time(), "")
    mark, key = change_mark(directory), _key(what)
    hit = None if again else cache.get(key)
    if _fresh(hit, mark):
        return hit
    value = Remembered(compute(), time.time(), mark)
    cache.set(key, value, _KEPT_WITH_CSN if mark else settings.DIRECTORY_CACHE_SECONDS)
    return value


@dataclass(frozen=True)
class _Stored:
    """A remembered sequence: its length, and the cache keys of its chunks."""

    total: int
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Window(Generic[T]):
    items: tuple[T, ...]
    total: int
    as_of: datetime | None


def window(directory: Directory, what: str, compute: Callable[[], Sequence[T]], start: int, stop: int) -> Window[T]:
    """Items [start, stop) of the sequence compute() returns, remembered in chunks of CHUNK so that a window reads
    one or two of them; the whole sequence is computed again when it is not fresh or a chunk was evicted."""
    for again in (False, True):
        stored = remember(directory, what, lambda: _store(compute()), again=again)
        first, last = start // CHUNK, max(start, stop - 1) // CHUNK
        keys = stored.value.keys[first:last + 1]
        chunks = cache.get_many(keys)
        if len(chunks) == len(keys):
            items = [item for key in keys for item in chunks[key]]
            return Window(tuple(items[start - first * CHUNK:stop - first * CHUNK]), stored.value.total, stored.as_of)
    raise RuntimeError("the cache keeps no chunk long enough to be read back")  # a cache of a few kB at most


def _store(items: Sequence) -> _Stored:
    token = uuid.uuid4().hex
    keys = tuple(f"mailadmin:directory:chunk:{token}:{n}" for n in range(-(-len(items) // CHUNK)))
    timeout = max(_KEPT_WITH_CSN, settings.DIRECTORY_CACHE_SECONDS)
    cache.set_many({key: items[n * CHUNK:(n + 1) * CHUNK] for n, key in enumerate(keys)}, timeout)
    return _Stored(len(items), keys)
