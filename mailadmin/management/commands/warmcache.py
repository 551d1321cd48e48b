import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mailadmin.commands import directory_command
from mailadmin.directory import refresh, remembered, warmup

# Django's caches that live in one process: what this command would compute goes with it.
PER_PROCESS = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


class Command(BaseCommand):
    help = ("Remember in the shared cache (CACHE_URL) what the console's first pages need: the dashboard's and the "
            "domain list's counts and the orders of the biggest domains, as each gunicorn worker does in the "
            "background when it starts. Prints each value and how long it took; values still usable are left as they "
            "are. For a cron after a deploy or a restart.")

    def handle(self, *args, **options):
        if not remembered.enabled():
            raise CommandError("DIRECTORY_CACHE_SECONDS is 0: nothing is remembered, so there is nothing to warm.")
        if settings.CACHES["default"]["BACKEND"] in PER_PROCESS:
            raise CommandError("CACHE_URL is each process's memory: what this command computes would go when it ends "
                               "(each gunicorn worker warms its own as it starts). Use it with a shared cache: "
                               "filecache://, pymemcache:// or rediscache://.")
        start = time.perf_counter()
        with directory_command() as directory:
            steps = warmup.warm(directory, done=self._print)
        refresh.join()  # values found lagging (changed since) are being computed again: let them be kept
        computed = sum(s.computed for s in steps)
        self.stdout.write(f"Warmed in {time.perf_counter() - start:.2f} s: {computed} values computed, "
                          f"{len(steps) - computed} remembered already.")

    def _print(self, step: warmup.Step) -> None:
        done = "computed" if step.computed else "remembered already"
        self.stdout.write(f"{step.what:<50} {done:<18} {step.seconds:8.2f} s")
