"""Template filters that show stored values the way people type them: quotas in human units, Unicode domains."""

from __future__ import annotations

from django import template

from mailadmin.addresses import display_address, display_domain, format_quota

register = template.Library()


@register.filter
def quota(kb: int | None) -> str:
    """`512000` -> `500M`, `0` -> `unlimited`, None -> "" (no quota rule)."""
    return format_quota(kb)


@register.filter
def address(value: str) -> str:
    """An address with its domain in Unicode form (`user@bücher.example`)."""
    return display_address(value)


@register.filter
def domain(value: str) -> str:
    """A domain in Unicode form."""
    return display_domain(value)
