"""gunicorn's hooks for mailadmin, given with `--config gunicorn.conf.py` by scripts/run.sh and docs/deploy.md's unit
(the workers, threads and bind stay on their command lines)."""


def post_worker_init(worker) -> None:
    """Once the worker has loaded Django, and before it takes requests: remember in the background what the first
    pages need (mailadmin/directory/warmup.py), so that the admin who first reaches this worker does not wait for a
    big domain's sort. post_worker_init, not when_ready (the master) nor post_fork (Django not loaded yet): the
    default cache is each worker's memory, so it must be filled in the worker's own process."""
    from mailadmin.directory import warmup  # Django is set up by now

    warmup.start()
