"""mailadmin.filecache: a file cache whose add() only one of several workers wins (the locks of remembered.py)."""

import multiprocessing
import os
import subprocess
import sys

import pytest
from django.conf import settings

from mailadmin.filecache import FileCache


@pytest.fixture
def shared(tmp_path) -> FileCache:
    return FileCache(str(tmp_path), {})


def test_of_two_adds_that_both_found_the_key_free_only_one_takes_it(shared, monkeypatch):
    monkeypatch.setattr(FileCache, "has_key", lambda self, key, version=None: False)  # both checked before either wrote
    assert shared.add("lock", "first", 10) is True
    assert shared.add("lock", "second", 10) is False
    monkeypatch.undo()
    assert shared.get("lock") == "first"


def test_an_expired_entry_is_taken_by_the_next_add(shared):
    shared.set("lock", "left by a worker that died", 0)  # expired at once
    assert shared.add("lock", "taken", 10) is True
    assert shared.get("lock") == "taken"
    assert shared.add("lock", "again", 10) is False


def _adds(location: str, keys: int, start, wins) -> None:
    cache = FileCache(location, {})
    start.wait()
    wins.put([k for k in range(keys) if cache.add(f"lock {k}", 1, 60)])


def test_workers_adding_the_same_keys_at_once_take_each_one_once(tmp_path):
    workers, keys = 4, 200
    context = multiprocessing.get_context("fork")
    start, wins = context.Barrier(workers), context.Queue()
    processes = [context.Process(target=_adds, args=(str(tmp_path), keys, start, wins)) for _ in range(workers)]
    for process in processes:
        process.start()
    taken = [k for _ in processes for k in wins.get(timeout=60)]
    for process in processes:
        process.join()
    assert sorted(taken) == list(range(keys))


def test_filecache_urls_and_the_directory_cache_use_it(tmp_path):
    shown = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; "
                               "print(settings.CACHES['default']['BACKEND'], settings.CACHES['directory']['BACKEND'])"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "mailadmin.settings", "CACHE_URL": f"filecache://{tmp_path}"},
        capture_output=True, text=True, check=True, cwd=settings.BASE_DIR,
    ).stdout.split()
    assert shown == ["mailadmin.filecache.FileCache"] * 2
