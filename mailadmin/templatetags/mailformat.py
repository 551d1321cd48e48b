"""Template filters that show stored values the way people type them: quotas in human units, Unicode domains."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import formats, timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from mailadmin.addresses import display_address, display_domain, format_quota

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
