"""Remembered values computed again off the view that noticed they may lag (remembered.py): in a daemon thread with a
connection of its own, so that no view waits for a domain's sort after another tool's write.

Once per value and DIRECTORY_CACHE_SECONDS / 2 at most, across every worker that shares the cache: the first view that
notices takes a lock (cache.add) that is left to expire rather than released, which is the rate limit. A directory
written every second (ppolicy noting failed binds) so costs one computation per value every 30 s by default."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started

from .errors import DirectoryError

if TYPE_CHECKING:
    from .connection import Directory

logger = logging.getLogger(__name__)
_running: list[threading.Thread] = []
_request = threading.local()  # .waiting: the refreshes the request being answered started, or None outside one


def start(name: str, work: Callable[[Directory], object], failed: str = "remembered value not refreshed") -> None:
    """Run work(directory) in the background unless `name` ran or started less than DIRECTORY_CACHE_SECONDS / 2 ago;
    during a request, once its response is sent (the thread would hold Python's one core while the page renders).
    A directory error is logged as a warning beginning with `failed`."""
    if not cache.add(f"{name}:refreshing", 1, max(1, settings.DIRECTORY_CACHE_SECONDS // 2)):
        return
    thread = threading.Thread(target=_run, args=(work, failed), name=f"refresh {name}", daemon=True)
    waiting = getattr(_request, "waiting", None)
    if waiting is None:
        _launch(thread)
    else:
        waiting.append(thread)


def _launch(thread: threading.Thread) -> None:
    _running[:] = [t for t in _running if t.is_alive()]
    _running.append(thread)
    thread.start()


def _launch_waiting(**_signal) -> None:
    for thread in getattr(_request, "waiting", None) or ():
        _launch(thread)
    _request.waiting = None


def _hold(**_signal) -> None:
    _launch_waiting()  # any left by a request whose end was not signalled
    _request.waiting = []


request_started.connect(_hold, dispatch_uid="mailadmin.refresh.hold")
request_finished.connect(_launch_waiting, dispatch_uid="mailadmin.refresh.launch")


def _run(work: Callable[[Directory], object], failed: str) -> None:
    from .connection import connect  # connection builds on remembered, which starts refreshes

    try:
        with connect(check=False) as directory:
            work(directory)
    except DirectoryError as e:  # the value stays as it is; a view computes it when it may no longer be used
        logger.warning("%s: %s", failed, e)


def join() -> None:
    """Wait for the refreshes started so far (tests, and the benchmark's "ready" figures)."""
    for thread in list(_running):
        thread.join()
