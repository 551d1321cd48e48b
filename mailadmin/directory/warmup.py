"""What the first pages after a start need, remembered before anyone asks (README, "Warm-up after a restart"): the
dashboard's counts over every domain, the domain list's counts (its first LIST_PAGES pages, as a superadmin sees them)
and the orders of the biggest domains. Without it, the first view of a big domain after a restart sorts the domain
itself (0.8 s at 100,000 accounts, 3 s at 300,000), once in every worker with the default per-process cache.

In the background at a gunicorn worker's start (gunicorn.conf.py calls start(): a refresh, refresh.py), or in the
foreground with `manage.py warmcache` for a shared cache. Both go through the views' own functions, so the values land
under the keys the views read, and a value still usable is left as it is."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings

from . import accounts, domains, refresh, remembered, stats

if TYPE_CHECKING:
    from .connection import Directory

logger = logging.getLogger(__name__)
# A smaller domain's first view costs about 100 ms cold (the whole order, at 10,000: 135 ms; README, Benchmarks).
WARM_FROM = 5_000
# The domain list's first 1,000 domains, one counting search each (their counts share one cache entry of 200 scopes).
LIST_PAGES = 20


@dataclass(frozen=True)
class Step:
    what: str
    seconds: float
    computed: bool  # False: it was remembered already


def warm(directory: Directory, done: Callable[[Step], object] = lambda step: None) -> list[Step]:
    """Have the values remembered, calling done(step) as each is; the steps, in their order."""
    steps: list[Step] = []

    def step(what: str, work: Callable[[], object]):
        before, start = remembered.computations(), time.perf_counter()
        result = work()
        steps.append(Step(what, time.perf_counter() - start, remembered.computations() > before))
        done(steps[-1])
        return result

    step("dashboard: counts over every domain", partial(stats.remembered_counts, directory))
    listed = domains.list_domains(directory)
    sizes: dict[str, int] = {}
    for page in range(1, min(domains.list_pages(listed), LIST_PAGES) + 1):
        shown = domains.list_page(listed, page)
        counted, _as_of = step(f"domain list: page {page}, {len(shown)} domains",
                               partial(domains.remembered_account_counts, directory, shown))
        sizes.update((d.name, d.account_count) for d in counted)
    for name, size in biggest(sizes, settings.DIRECTORY_WARMUP_ACCOUNTS):
        step(f"order of {name}: {size} accounts", partial(accounts.remember_order, directory, name))
    return steps


def biggest(sizes: dict[str, int], bound: int) -> list[tuple[str, int]]:
    """(name, accounts) of the domains of WARM_FROM accounts or more, largest first, as many as fit in `bound`
    accounts together (a domain that does not fit is passed over for smaller ones)."""
    chosen, total = [], 0
    for name, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        if size < WARM_FROM:
            break
        if total + size <= bound:
            chosen.append((name, size))
            total += size
    return chosen


def start() -> None:
    """At a worker's start: warm() in a daemon thread with a connection of its own (refresh.py), unless remembering is
    off or a worker sharing the cache did it less than DIRECTORY_CACHE_SECONDS / 2 ago. Returns at once, and never
    raises: a worker starts whatever the state of the cache or the directory."""
    if not remembered.enabled():
        return
    try:
        refresh.start(remembered.key("warm-up"), _warm_and_log,
                      failed="cache warm-up not done (each first view computes what it needs)")
    except Exception:  # e.g. memcached unreachable: the worker must start all the same
        logger.warning("cache warm-up not started", exc_info=True)


def _warm_and_log(directory: Directory) -> None:
    start = time.perf_counter()
    steps = warm(directory)
    computed = sum(s.computed for s in steps)
    logger.info("cache warm-up done in %.1f s: %d values computed, %d remembered already",
                time.perf_counter() - start, computed, len(steps) - computed)
