"""Template filters that show stored values the way people type them (quotas in human units, Unicode domains), and
render a form field's widget."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import BoundField, Form
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from mailadmin import events
from mailadmin.addresses import display_address, display_domain, format_quota
from mailadmin.models import AuditEntry

register = template.Library()


@register.filter
def quota(kb: int | None) -> str:
    """`512000` -> `500M`, `0` -> `unlimited`, None -> "" (no quota rule)."""
    return format_quota(kb)


@register.filter
def usage_size(kb: int) -> str:
    """Storage used, rounded for reading (`12.3M`, `820K`): unlike a quota, it need not come back from a form."""
    for unit, size in (("G", 1024**2), ("M", 1024)):
        if kb >= size:
            return f"{kb / size:.1f}".removesuffix(".0") + unit
    return f"{kb}K"


@register.filter
def address(value: str) -> str:
    """An address with its domain in Unicode form (`user@bücher.example`)."""
    return display_address(value)


@register.filter
def domain(value: str) -> str:
    """A domain in Unicode form."""
    return display_domain(value)


@register.filter
def ago(moment: datetime) -> str:
    """How long ago, the way people say it: "just now", "3 hours ago"; past a week the date itself."""
    elapsed = timezone.now() - moment
    if elapsed < timedelta(minutes=1):
        return _("just now")
    if elapsed < timedelta(days=7):
        return _("%(since)s ago") % {"since": timesince(moment, depth=1)}
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")



@register.filter
def first_error(form: Form) -> str | None:
    """Where focus goes after a refused submit: the first visible field with an error, else "__all__" when the form
    has errors of its own only (a conflict), else None."""
    if not form.errors:
        return None
    return next((f.name for f in form.visible_fields() if f.errors), NON_FIELD_ERRORS)


@register.filter
def widget(field: BoundField) -> str:
    """The field's widget, with `autofocus` on the form's first invalid field: after a refused submit the browser
    puts focus (and the screen) on it without any script."""
    if field.name == first_error(field.form):
        return field.as_widget(attrs={"autofocus": True})
    return field.as_widget()


# The page of what an audit row changed, by the first part of its action code.
ENTRY_PAGES = {"domain": "domains:detail", "account": "accounts:detail", "valias": "aliases:detail"}
NO_PAGE = {events.DOMAIN_REMOVE, events.ACCOUNT_REMOVE, events.VALIAS_REMOVE, events.ACCOUNT_IMPORT}


@register.filter
def change_url(entry: AuditEntry) -> str:
    """The page of the entry an audit row changed, or "" when there is none (removed, never created, not an entry)."""
    page = ENTRY_PAGES.get(entry.action.partition(".")[0])
    if page is None or entry.action in NO_PAGE or not entry.ok:
        return ""
    try:
        return reverse(page, args=[entry.target])
    except NoReverseMatch:
        return ""
