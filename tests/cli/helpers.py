"""Run a management command as a script would, and read what the directory holds afterwards."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mailadmin.directory import accounts, connect


class Terminal(io.StringIO):
    """An input that says it is a terminal, so commands prompt (getpass is patched in those tests)."""

    def isatty(self) -> bool:
        return True


def run(*args, stdin: str | io.StringIO | None = None) -> str:
    """The command's stdout; text `stdin` feeds --password-stdin (and reads as no terminal)."""
    out = io.StringIO()
    kwargs = {"stdout": out, "stderr": io.StringIO()}
    if stdin is not None:
        kwargs["stdin"] = io.StringIO(stdin) if isinstance(stdin, str) else stdin
    call_command(*args, **kwargs)
    return out.getvalue()


def run_capture(*args) -> tuple[bool, str, str]:
    """(succeeded, stdout, stderr) of a command that may fail; a failure is still one line, no traceback."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError as e:
        assert "\n" not in str(e)
        return False, out.getvalue(), err.getvalue() + str(e)
    return True, out.getvalue(), err.getvalue()


def run_json(*args):
    return json.loads(run(*args, "--json"))


def refused(*args, stdin: str | io.StringIO | None = None) -> str:
    """The one-line error of a command that must fail."""
    with pytest.raises(CommandError) as e:
        run(*args, stdin=stdin)
    message = str(e.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def account(address: str):
    with connect() as directory:
        return accounts.get_account(directory, address)


def binds(slapd, dn: str, password: str) -> bool:
    """True when `password` binds as `dn` (checked by slapd, never by comparing hashes)."""
    import subprocess

    result = subprocess.run(["ldapwhoami", "-x", "-H", slapd.uri, "-D", dn, "-w", password], capture_output=True)
    return result.returncode == 0
