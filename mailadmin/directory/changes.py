"""Builders for one LDAP modify: single values replaced, multi-valued attributes changed value by value."""

from __future__ import annotations

from collections.abc import Iterable

from ldap3 import MODIFY_ADD, MODIFY_DELETE, MODIFY_REPLACE


def replace(value: str | None) -> list:
    """Set a single value; None or "" removes the attribute (a no-op when it is absent)."""
    return [(MODIFY_REPLACE, [value] if value else [])]


def values_delta(old: Iterable[str], new: Iterable[str]) -> list:
    """Add and delete only the values that differ (case-insensitively), never replace the list from a stale copy."""
    old_keys = {v.lower(): v for v in old}
    new_keys = {v.lower(): v for v in new}
    removed = [v for k, v in old_keys.items() if k not in new_keys]
    added = [v for k, v in new_keys.items() if k not in old_keys]
    ops = []
    if removed:
        ops.append((MODIFY_DELETE, removed))
    if added:
        ops.append((MODIFY_ADD, added))
    return ops


def add_values(values: Iterable[str]) -> list:
    return [(MODIFY_ADD, list(values))]


def delete_values(values: Iterable[str]) -> list:
    return [(MODIFY_DELETE, list(values))]


def replace_values(values: Iterable[str]) -> list:
    return [(MODIFY_REPLACE, list(values))]
