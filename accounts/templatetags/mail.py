"""Template filters for mail values: human quotas and Unicode addresses (output is autoescaped like any text)."""

from django import template

from mailadmin.addresses import display_address, format_quota

register = template.Library()


@register.filter
def quota(kb: int | None) -> str:
    """200M, 1.5G, unlimited; empty for no quota rule."""
    return format_quota(kb)


@register.filter
def address(value: str) -> str:
    """An address with its domain in Unicode form."""
    return display_address(value)
