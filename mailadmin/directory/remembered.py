"""Counts and domain orders kept between requests in Django's cache, so that a page does not count or sort a whole
domain again for every view (README, "Remembered counts and orders").

A remembered value is used while the directory has not changed since it was computed, and otherwise for at most
DIRECTORY_CACHE_SECONDS after that:
- where the server keeps its database's change sequence (contextCSN on the suffix entry: the syncprov overlay), a value
  is kept with the contextCSN it was computed under; while that has not moved, the value is right, however old;
- once it moved (anyone wrote), or where there is none, the value may lag: it is used until it is
  DIRECTORY_CACHE_SECONDS old, and the page says "as of" when. A directory written every second (ppolicy notes every
  failed bind) so costs one count or sort per DIRECTORY_CACHE_SECONDS, not one per view;
- mailadmin's own writes drop every value at once.
DIRECTORY_CACHE_SECONDS = 0 turns remembering off: every page counts and sorts as it comes.
"""

from __future__ import annotations

import dataclasses
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
_GENERATION = "mailadmin:directory:generation"  # changed by every write mailadmin makes
_CONTEXT_CSN = "contextCSN"
_KEPT_WITH_CSN = 24 * 3600  # seconds: a value checked against contextCSN needs no age limit, only eviction


@dataclass(frozen=True)
class Remembered(Generic[T]):
    value: T
    computed: float  # time.time() when computed
    mark: str  # the suffix's contextCSN then; "" when the server keeps none
    lagging: bool = False  # the directory changed since, or cannot say (no contextCSN)

    @property
    def as_of(self) -> datetime | None:
        """When the value was computed, if it may lag behind the directory."""
        return datetime.fromtimestamp(self.computed, UTC) if self.lagging else None


def enabled() -> bool:
    return settings.DIRECTORY_CACHE_SECONDS > 0


def changed() -> None:
    """mailadmin wrote to the directory: every remembered value goes (the others' writes move contextCSN). A new
    random generation rather than a counter, so that an evicted counter cannot bring back an older generation's keys."""
    cache.set(_GENERATION, uuid.uuid4().hex, None)


def change_mark(directory: Directory) -> str:
    """The suffix's contextCSN (one value per server that wrote), "" when the server keeps none: one search."""
    record = directory.read(settings.LDAP_BASE_DN, (_CONTEXT_CSN,))
    return " ".join(sorted(record.values(_CONTEXT_CSN))) if record else ""


def _key(what: str) -> str:
    """A cache key for `what` (any text: memcached keys are short and without spaces), under mailadmin's writes."""
    text = f"{settings.LDAP_BASE_DN}\n{cache.get(_GENERATION, '')}\n{what}"
    return "mailadmin:directory:" + hashlib.sha256(text.encode()).hexdigest()[:40]


def _checked(hit: Remembered | None, mark: str) -> Remembered | None:
    """`hit` as it may be used now (marked lagging when the directory may have changed since), or None."""
    if hit is None:
        return None
    if mark and hit.mark == mark:
        return hit
    if time.time() - hit.computed < settings.DIRECTORY_CACHE_SECONDS:
        return dataclasses.replace(hit, lagging=True)
    return None


def remember(directory: Directory, what: str, compute: Callable[[], T], *, again: bool = False) -> Remembered[T]:
    """compute()'s value, from the cache while it may be used (see the module's docstring); `again` computes it
    anyway."""
    if not enabled():
        return Remembered(compute(), time.time(), "")
    mark, key = change_mark(directory), _key(what)
    usable = None if again else _checked(cache.get(key), mark)
    if usable is not None:
        return usable
    value = Remembered(compute(), time.time(), mark, lagging=not mark)
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
    one or two of them; the whole sequence is computed again when it may not be used or a chunk was evicted."""
    for again in (False, True):
        stored = remember(directory, what, lambda: _store(compute()), again=again)
        first, last = start // CHUNK, max(start, stop - 1) // CHUNK
        keys = stored.value.keys[first:last + 1]
        chunks = cache.get_many(keys)
        if len(chunks) == len(keys):
            items = [item for key in keys for item in chunks[key]]
            return Window(tuple(items[start - first * CHUNK:stop - first * CHUNK]), stored.value.total, stored.as_of)
    items = compute()  # a cache too small to keep the chunks it was just given
    return Window(tuple(items[start:stop]), len(items), None)


def _store(items: Sequence) -> _Stored:
    token = uuid.uuid4().hex
    keys = tuple(f"mailadmin:directory:chunk:{token}:{n}" for n in range(-(-len(items) // CHUNK)))
    cache.set_many({key: items[n * CHUNK:(n + 1) * CHUNK] for n, key in enumerate(keys)}, _KEPT_WITH_CSN)
    return _Stored(len(items), keys)
