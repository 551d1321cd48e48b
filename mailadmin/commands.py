"""What every management command shares: directory errors and form errors become one clear line and exit 1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.core.management.base import CommandError

from mailadmin.directory import Directory, DirectoryError, DirectoryUnavailable, connect


@contextmanager
def directory_command() -> Iterator[Directory]:
    """Yield a connection; an unreachable or failing directory ends the command with one line, no traceback."""
    try:
        with connect() as directory:
            yield directory
    except DirectoryUnavailable as e:
        raise CommandError(f"The directory is not reachable ({e}).") from None
    except DirectoryError as e:
        raise CommandError(f"The directory refused: {e}") from None


def form_error(form: forms.Form, options: dict[str, str] | None = None) -> CommandError:
    """The form's errors as one line, each prefixed with the option it came from (`options` maps field to option)."""
    parts = []
    for field, errors in form.errors.items():
        option = (options or {}).get(field, field).replace("_", "-")
        label = "" if field == "__all__" else f"{option}: "
        parts.extend(f"{label}{message}" for message in errors)
    return CommandError(" ".join(parts))


def run_form(form: forms.Form, action, options: dict[str, str] | None = None):
    """Validate `form`, then call `action()`; raise CommandError with the form's messages when either refuses."""
    if not form.is_valid():
        raise form_error(form, options)
    result = action()
    if result is None or form.errors:
        raise form_error(form, options)
    return result
