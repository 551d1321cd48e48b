"""The audit log: one row per change made through the console or a command, failures included."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields, is_dataclass

from django.db.models import Q
from django.utils import translation

from mailadmin.models import AuditEntry


def _plain(value) -> dict:
    if value is None:
        return {}
    if is_dataclass(value):
        # Our records are flat (text, numbers, tuples of text): no need for asdict's recursive deep copy, which
        # costs a bulk import more than its adds.
        value = {f.name: getattr(value, f.name) for f in fields(value)}
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dict(value).items() if k not in ("csn", "password")}


def record(actor: str, action: str, target: str, *, old=None, new=None, ok: bool = True, detail: str = "") -> None:
    """Write one audit row. Passwords never reach it (the `password` key is dropped)."""
    AuditEntry.objects.create(
        actor=actor[:150], action=action[:64], target=target[:512], old=_plain(old), new=_plain(new), ok=ok,
        detail=detail,
    )


def refusal_detail(form) -> str:
    """A refused form's messages for the audit row, one a line. The form's fixed texts (lazy, such as the conflict
    message) are written in English, so that the dashboard shows each in the reader's language (AuditEntry.failure);
    a message already filled in with values stays in the language of whoever made the change."""
    with translation.override("en"):
        return "\n".join(str(e) for errors in form.errors.values() for e in errors)


@contextmanager
def audited(actor: str, action: str, target: str, *, old=None, new=None) -> Iterator[None]:
    """Record the change when the block ends: as a success, or as a failure with the error, re-raised."""
    try:
        yield
    except Exception as e:
        record(actor, action, target, old=old, new=new, ok=False, detail=f"{type(e).__name__}: {e}")
        raise
    record(actor, action, target, old=old, new=new)


def audited_action(form, actor: str, action: str, target: str, run: Callable[[], object], *, old=None, new=None):
    """Run a form's directory action and write its one audit row; return the action's result.

    The action returns its result, or None after adding form errors (a refusal: the row holds the form's messages);
    an exception is recorded with its text and re-raised. `old` and `new` are the row's values, or functions of the
    result (None on a refusal) when only the result says them."""
    try:
        result = run()
    except Exception as e:
        record(actor, action, target, old=_of(old, None), ok=False, detail=f"{type(e).__name__}: {e}")
        raise
    detail = "" if result is not None else refusal_detail(form)
    record(actor, action, target, old=_of(old, result), new=_of(new, result), ok=result is not None, detail=detail)
    return result


def _of(value, result):
    return value(result) if callable(value) else value


def recent(limit: int = 20, domains: Collection[str] | None = None, refusals_of: str | None = None) -> list[AuditEntry]:
    """The latest rows, newest first: with `domains`, only changes made to one of them or to an address in one; with
    `refusals_of`, only that actor's refusals. A refusal belongs to whoever tried (and to superadmins): shown with the
    target, it would tell another tenant who tried what on their addresses."""
    changes = Q(ok=True)
    if domains is not None:
        in_scope = Q(pk__in=[])
        for domain in domains:
            in_scope |= Q(target__iexact=domain) | Q(target__iendswith="@" + domain)
        changes &= in_scope
    refusals = Q(ok=False) if refusals_of is None else Q(ok=False, actor=refusals_of)
    return list(AuditEntry.objects.filter(changes | refusals)[:limit])


def record_many(actor: str, action: str, changes: Iterable[tuple[str, object]], batch_size: int = 500) -> None:
    """One successful row per (target, new value), written in batches: a bulk import audits each entry it wrote."""
    AuditEntry.objects.bulk_create(
        (AuditEntry(actor=actor[:150], action=action[:64], target=target[:512], old={}, new=_plain(new), ok=True)
         for target, new in changes),
        batch_size=batch_size,
    )
