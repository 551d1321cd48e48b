"""A sorted sequence kept in Django's cache in chunks (about CHUNK items each), so that a window of it reads one or two
chunks and an item is inserted or removed by rewriting one chunk, whatever the sequence's length (remembered.py keeps
each domain's order this way; ownwrites.py applies mailadmin's own writes to it).

Chunks are written under new keys, never rewritten in place: a reader holding the previous Stored still finds the
chunks it names, consistent with each other."""

from __future__ import annotations

import uuid
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from django.core.cache import cache

CHUNK = 2000  # items per chunk as stored; one grows to 2 * CHUNK by insertions before it is split
KEPT = 24 * 3600  # seconds: chunks go with the value that names them, or by eviction


@dataclass(frozen=True)
class Stored:
    """A remembered sequence: its chunks' cache keys, sizes and first items (where an item goes, without reading)."""

    keys: tuple[str, ...]
    sizes: tuple[int, ...]
    firsts: tuple

    @property
    def total(self) -> int:
        return sum(self.sizes)

    def starts(self) -> list[int]:
        return list(accumulate(self.sizes, initial=0))[:-1]


def store(items: Sequence) -> Stored:
    chunks = [list(items[n:n + CHUNK]) for n in range(0, len(items), CHUNK)]
    return Stored(_put(chunks), tuple(map(len, chunks)), tuple(chunk[0] for chunk in chunks))


def read(stored: Stored, start: int, stop: int) -> list | None:
    """Items [start, stop), or None when a chunk they lie in was evicted."""
    if not stored.keys or start >= stored.total:
        return []
    starts = stored.starts()
    first, last = bisect_right(starts, start) - 1, bisect_right(starts, max(start, stop - 1)) - 1
    keys = stored.keys[first:last + 1]
    chunks = cache.get_many(keys)
    if len(chunks) < len(keys):
        return None
    items = [item for key in keys for item in chunks[key]]
    return items[start - starts[first]:stop - starts[first]]


def with_item(stored: Stored, item) -> Stored | None:
    """`stored` with `item` in its place (unchanged when it is there already); None when its chunk was evicted."""
    at = max(0, bisect_right(stored.firsts, item) - 1)
    chunk = cache.get(stored.keys[at]) if stored.keys else []
    if chunk is None:
        return None
    i = bisect_left(chunk, item)
    if i < len(chunk) and chunk[i] == item:
        return stored
    chunk = [*chunk[:i], item, *chunk[i:]]
    half = len(chunk) // 2
    return _replaced(stored, at, [chunk] if len(chunk) <= 2 * CHUNK else [chunk[:half], chunk[half:]])


def without_item(stored: Stored, item) -> Stored | None:
    """`stored` without `item` (unchanged when it is not there); None when its chunk was evicted."""
    at = bisect_right(stored.firsts, item) - 1
    if at < 0:
        return stored
    chunk = cache.get(stored.keys[at])
    if chunk is None:
        return None
    i = bisect_left(chunk, item)
    if i == len(chunk) or chunk[i] != item:
        return stored
    rest = [*chunk[:i], *chunk[i + 1:]]
    return _replaced(stored, at, [rest] if rest else [])


def _replaced(stored: Stored, at: int, chunks: list[list]) -> Stored:
    """`stored` with its chunk number `at` (none, for an empty sequence) replaced by `chunks`."""
    return Stored(
        (*stored.keys[:at], *_put(chunks), *stored.keys[at + 1:]),
        (*stored.sizes[:at], *map(len, chunks), *stored.sizes[at + 1:]),
        (*stored.firsts[:at], *(chunk[0] for chunk in chunks), *stored.firsts[at + 1:]),
    )


def _put(chunks: list[list]) -> tuple[str, ...]:
    token = uuid.uuid4().hex
    keys = tuple(f"mailadmin:directory:chunk:{token}:{n}" for n in range(len(chunks)))
    cache.set_many(dict(zip(keys, chunks, strict=True)), KEPT)
    return keys
