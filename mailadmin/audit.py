"""The audit log: one row per change made through the console or a command, failures included."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import fields, is_dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils import translation

from mailadmin.models import AuditAddress, AuditEntry
from mailadmin.permissions import access_for

# The web request being answered, if any: its client address and the actor's role go into the rows it writes.
_request: ContextVar[HttpRequest | None] = ContextVar("audited_request", default=None)


def client_address(request: HttpRequest) -> str | None:
    """Where a web change came from: the peer's address. The one place to honour a trusted proxy's header."""
    return request.META.get("REMOTE_ADDR") or None


def acting_role(access, domain: str) -> str:
    """The role an actor changes `domain` in: its highest one there, else its highest one (a refused attempt outside
    its domains, or its own second factor); `self` for a user holding none (a mail user, self-service)."""
    if access.superadmin:
        return "superadmin"
    if domain and access.administers(domain):
        return "domain_admin"
    if access.helpdesk_everywhere or (domain and domain.lower() in access.helpdesk_of):
        return "helpdesk"
    if access.auditor:
        return "auditor"
    if access.admin_of:
        return "domain_admin"
    return "helpdesk" if access.helpdesk_of else "self"


class AuditOriginMiddleware:
    """Lets the rows written while answering a request name its client address and the role the actor acted in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def target_domain(target: str) -> str:
    """The domain a row's target belongs to: an address's, or the target itself when it is a domain name."""
    name = target.rpartition("@")[2].lower()
    return name if "." in name and " " not in name else ""


def _is_address(text) -> bool:
    return isinstance(text, str) and "@" in text and " " not in text and len(text) <= 320


def named_addresses(target: str, *values: dict) -> set[str]:
    """The addresses a row names: its target and any address among its values (lists included), lower-case. A role's
    target ("user kind domain") is no address."""
    found = {target.lower()} if _is_address(target) else set()
    for value in values:
        for item in value.values():
            found.update(text.lower() for text in (item if isinstance(item, list) else [item]) if _is_address(text))
    return found


def _origin(domain: str) -> dict:
    request = _request.get()
    if request is None:
        return {"role": "cli"}
    return {"client": client_address(request), "role": acting_role(access_for(request.user), domain)}


def _entry(actor: str, action: str, target: str, old: dict, new: dict, **columns) -> AuditEntry:
    domain = target_domain(target)
    return AuditEntry(actor=actor[:150], action=action[:64], target=target[:512], domain=domain[:253], old=old,
                      new=new, **_origin(domain), **columns)


def _index_addresses(entries: Iterable[AuditEntry], batch_size: int | None = None) -> None:
    AuditAddress.objects.bulk_create(
        (AuditAddress(entry=entry, address=address)
         for entry in entries for address in named_addresses(entry.target, entry.old, entry.new)),
        batch_size=batch_size,
    )


def _plain(value) -> dict:
    if value is None:
        return {}
    if is_dataclass(value):
        # Our records are flat (text, numbers, tuples of text): no need for asdict's recursive deep copy, which
        # costs a bulk import more than its adds.
        value = {f.name: getattr(value, f.name) for f in fields(value)}
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dict(value).items() if k not in ("csn", "password")}


def record(actor: str, action: str, target: str, *, old=None, new=None, ok: bool = True, detail: str = "",
           messages: list[dict] | None = None) -> None:
    """Write one audit row. Passwords never reach it (the `password` key is dropped)."""
    entry = _entry(actor, action, target, _plain(old), _plain(new), ok=ok, detail=detail, messages=messages or [])
    entry.save()
    _index_addresses([entry])


def refusal_detail(form) -> str:
    """A refused form's messages in English, one a line: the row's `detail`, as exports and older readers show it."""
    with translation.override("en"):
        return "\n".join(str(e) for errors in form.errors.values() for e in errors)


def refusal_messages(form) -> list[dict]:
    """A refused form's messages for the row's `messages`: each as its message id and the values it is filled in
    with, so that the console shows it in its reader's language (AuditEntry.failure). A message that reached the form
    as plain text (already translated, or filled in) is kept as it reads."""
    with translation.override(None):  # no catalogue: a lazy message reads as its message id
        return [_stored(error) for errors in form.errors.as_data().values() for error in errors]


def _stored(error: ValidationError) -> dict:
    message, params = str(error.message), error.params or {}
    if not message:  # a plural message (ngettext_lazy) has no id of its own until a number picks its form
        return {"message": next(iter(error)), "params": {}}
    return {"message": message, "params": {key: _json_value(value) for key, value in params.items()}}


def _json_value(value):
    return value if isinstance(value, int | float | bool) or value is None else str(value)


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
    refused = result is None
    record(actor, action, target, old=_of(old, result), new=_of(new, result), ok=not refused,
           detail=refusal_detail(form) if refused else "", messages=refusal_messages(form) if refused else [])
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
    entries = AuditEntry.objects.bulk_create(
        (_entry(actor, action, target, {}, _plain(new), ok=True) for target, new in changes), batch_size=batch_size)
    _index_addresses(entries, batch_size)
