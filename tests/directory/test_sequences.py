"""A sorted sequence kept in chunks (mailadmin/directory/sequences.py): items inserted and removed one by one read
back in order, across chunks that split and empty, and an evicted chunk is said, never read as missing items."""

from django.core.cache import cache

from mailadmin.directory import sequences


def _all(stored: sequences.Stored) -> list:
    return sequences.read(stored, 0, stored.total)


def test_insertions_and_removals_keep_the_order_across_split_and_emptied_chunks(monkeypatch):
    monkeypatch.setattr(sequences, "CHUNK", 3)
    expected = list(range(0, 40, 4))
    stored = sequences.store(expected)
    for item in [n for n in range(1, 12) if n % 4] + [-5, 99]:  # 1…11 pile into the first chunks, which split past 6
        stored = sequences.with_item(stored, item)
        expected.append(item)
    for item in (12, 16, 20, 0, 99):  # a whole chunk (12, 16, 20) and both ends
        stored = sequences.without_item(stored, item)
        expected.remove(item)
    assert max(stored.sizes) <= 6 and len(stored.keys) > 4
    assert _all(stored) == sorted(expected) and stored.total == len(expected)
    assert sequences.with_item(stored, 4) == stored and sequences.without_item(stored, 12) == stored
    for start in range(stored.total):
        assert sequences.read(stored, start, start + 5) == sorted(expected)[start:start + 5]


def test_an_empty_sequence_takes_items_and_a_window_past_the_end_is_empty():
    stored = sequences.with_item(sequences.store([]), ("a", "dn"))
    assert _all(stored) == [("a", "dn")] and sequences.read(stored, 5, 10) == []
    assert sequences.without_item(stored, ("a", "dn")).total == 0


def test_an_evicted_chunk_is_said():
    stored = sequences.store(list(range(5000)))
    cache.delete(stored.keys[1])
    assert sequences.read(stored, 2100, 2150) is None
    assert sequences.with_item(stored, 2500) is None and sequences.without_item(stored, 2500) is None
    assert sequences.read(stored, 0, 50) == list(range(50))
