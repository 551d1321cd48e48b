"""CSV cells a spreadsheet shows as text: every CSV mailadmin writes (account export, audit log) holds what people
typed, and a cell starting like a formula would run as one."""

from __future__ import annotations

# Spreadsheets run a cell starting with one of these as a formula; "'" itself is escaped so that import can undo it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def safe_cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading "'" before =, +, -, @, TAB, CR (and before "'")."""
    return "'" + value if value.startswith(FORMULA_START) else value


def unsafe_cell(value: str) -> str:
    """Undo safe_cell() on import."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value
