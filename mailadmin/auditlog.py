"""Reading the audit log: who sees which rows, the filters of the log page, the CSV export and `manage.py auditlog`
(one form for both), the before -> after diff of a row, and pruning old rows."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from mailadmin import audit, events
from mailadmin.addresses import normalise_address
from mailadmin.fields import DomainNameField
from mailadmin.models import ACTION_LABELS, AuditAddress, AuditEntry
from mailadmin.permissions import Access
from mailadmin.spreadsheet import safe_cell

DONE, REFUSED = "done", "refused"
CSV_COLUMNS = ("at", "actor", "role", "client", "action", "target", "outcome", "detail", "changes")


def visible_rows(access: Access, username: str) -> QuerySet[AuditEntry]:
    """The rows a console user may read: superadmins and auditors every row; a domain admin the changes made in its
    domains; everyone their own rows, refusals included. Another actor's refusal stays hidden from a domain admin:
    it would tell one tenant who tried what on its addresses."""
    if access.superadmin or access.auditor:
        return AuditEntry.objects.all()
    mine = Q(actor=username)
    if access.admin_of:
        mine |= Q(ok=True, domain__in=access.admin_of)
    return AuditEntry.objects.filter(mine)


def _action_choices():
    return [("", _l("any")), *sorted(ACTION_LABELS.items(), key=lambda item: str(item[1]))]


class AuditFilterForm(forms.Form):
    """The filters of the log page, its CSV export and `manage.py auditlog`; every field may be left blank."""

    actor = forms.CharField(label=_l("Who"), max_length=150, required=False)
    domain = DomainNameField(label=_l("Domain"), required=False)
    address = forms.CharField(label=_l("Address"), max_length=2000, required=False,
                              help_text=_l("An account, alias, forward or virtual alias address (or several, "
                                           "separated by spaces)."))
    action = forms.ChoiceField(label=_l("What"), choices=_action_choices, required=False)
    outcome = forms.ChoiceField(label=_l("Result"), required=False,
                                choices=[("", _l("any")), (DONE, _l("done")), (REFUSED, _l("refused"))])
    since = forms.DateField(label=_l("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_l("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_address(self) -> list[str]:
        """The addresses asked for, lower-case: an account's history asks for its address and its aliases."""
        try:
            return [normalise_address(value).lower() for value in self.cleaned_data["address"].replace(",", " ").split()]
        except ValueError as e:
            raise forms.ValidationError(str(e)) from None

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def rows(self, rows: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        """`rows` narrowed by the filters given (call after is_valid())."""
        data = self.cleaned_data
        if data["actor"].strip():
            rows = rows.filter(actor=data["actor"].strip())
        if data["domain"]:
            rows = rows.filter(domain=data["domain"])
        if data["address"]:
            rows = rows.filter(pk__in=AuditAddress.objects.filter(address__in=data["address"]).values("entry"))
        if data["action"]:
            rows = rows.filter(action=data["action"])
        if data["outcome"]:
            rows = rows.filter(ok=data["outcome"] == DONE)
        if data["since"]:
            rows = rows.filter(at__gte=_day_start(data["since"]))
        if data["until"]:
            rows = rows.filter(at__lt=_day_start(data["until"] + timedelta(days=1)))
        return rows


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Change:
    """One attribute of a row: its value before and after; for lists, the values added and removed."""

    attribute: str
    before: str = ""
    after: str = ""
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def _text(value) -> str:
    return "" if value is None else str(value)


def diff(entry: AuditEntry) -> list[Change]:
    """The attributes a row changed (or set, or had), in name order. A password never reaches the log: the password
    event reads "password set"."""
    changes = [Change("password", after=_("password set"))] if entry.action == events.ACCOUNT_PASSWORD else []
    old, new = entry.old or {}, entry.new or {}
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if isinstance(before, list) or isinstance(after, list):
            was, now = [_text(v) for v in before or []], [_text(v) for v in after or []]
            added = tuple(v for v in now if v not in was)
            removed = tuple(v for v in was if v not in now)
            if added or removed or not entry.old or not entry.new:
                changes.append(Change(name, added=added, removed=removed))
        elif before != after or not entry.old or not entry.new:
            changes.append(Change(name, before=_text(before), after=_text(after)))
    return changes


def summary(changes: Iterable[Change]) -> str:
    """The diff on one line, for the CSV: `attr: before -> after`, `attr: +added -removed`."""
    parts = []
    for c in changes:
        if c.added or c.removed:
            parts.append(f"{c.attribute}: " + " ".join([*(f"+{v}" for v in c.added), *(f"-{v}" for v in c.removed)]))
        else:
            parts.append(f"{c.attribute}: {c.before} -> {c.after}")
    return "; ".join(parts)


def as_dict(entry: AuditEntry) -> dict:
    """A row for `--json` and the CSV: every column, the diff as one line; a refusal's `detail` in English and (JSON
    only) its `messages` as recorded, message ids with their values, to be translated by whoever reads them."""
    return {
        "at": entry.at.isoformat(), "actor": entry.actor, "role": entry.role, "client": entry.client or "",
        "action": entry.action, "target": entry.target, "outcome": DONE if entry.ok else REFUSED,
        "detail": entry.detail, "messages": entry.messages, "changes": summary(diff(entry)),
    }


class _Sink:
    def __init__(self, write: Callable[[str], object]):
        self.write = write


def csv_lines(rows: Iterable[AuditEntry]) -> Iterable[str]:
    """The header and one formula-safe CSV line per row, as they are read (for a streamed download)."""
    lines: list[str] = []
    writer = csv.writer(_Sink(lines.append), lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    yield from lines
    for entry in rows:
        lines.clear()
        row = as_dict(entry)
        writer.writerow([safe_cell(row[c]) for c in CSV_COLUMNS])
        yield from lines


AGE = re.compile(r"^([1-9][0-9]{0,5})d$")


class PruneForm(forms.Form):
    """`manage.py pruneaudit --older-than 400d`: rows older than a number of days go."""

    older_than = forms.CharField(max_length=8)

    def clean_older_than(self) -> int:
        match = AGE.match(self.cleaned_data["older_than"].strip())
        if match is None:
            raise forms.ValidationError(_("Give a number of days, such as 400d."))
        return int(match.group(1))

    def doomed(self) -> QuerySet[AuditEntry]:
        return AuditEntry.objects.filter(at__lt=timezone.now() - timedelta(days=self.cleaned_data["older_than"]))

    def prune(self, *, actor: str) -> int:
        """Delete the rows and audit the pruning itself; return how many went."""
        days = self.cleaned_data["older_than"]
        count = self.doomed().count()
        with audit.audited(actor, events.AUDIT_PRUNE, "audit log", new={"older_than_days": days, "rows": count}):
            self.doomed().delete()
        return count
