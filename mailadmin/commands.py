"""What every management command shares: directory errors and form errors become one clear line and exit 1."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from mailadmin.addresses import display_address, normalise_address, normalise_domain
from mailadmin.directory import Directory, DirectoryError, DirectoryUnavailable, Refused, connect
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory import aliases as ldap_aliases
from mailadmin.directory import domains as ldap_domains
from mailadmin.directory.accounts import Account
from mailadmin.directory.aliases import VirtualAlias
from mailadmin.directory.domains import MailDomain
from mailadmin.directory.routing import Route


@contextmanager
def directory_command(*, check: bool = True) -> Iterator[Directory]:
    """Yield a connection; an unreachable, failing or unready directory ends the command with one line naming the
    cause for each server, no traceback. `check`: as connect()'s."""
    try:
        with connect(check=check) as directory:
            yield directory
    except DirectoryUnavailable as e:
        raise CommandError(f"The directory cannot be used: {e}. Run `manage.py checkconnection` for details.") from None
    except Refused as e:  # says what was refused and what to change on the server
        raise CommandError(str(e)) from None
    except DirectoryError as e:
        raise CommandError(f"The directory refused: {e}") from None
    except DatabaseError as e:  # the audit log and the claim lock live in Django's database
        raise CommandError(f"The database is not ready ({e}): run `manage.py migrate`.") from None


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


def actor() -> str:
    """Who the audit log names for a command: "cli:" and the operating-system user running it."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME (some containers)
        name = str(os.getuid())
    return f"cli:{name}"


def write_json(stdout, data) -> None:
    """One JSON document on stdout, for scripts (`--json`)."""
    stdout.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))


def account_json(account: Account) -> dict:
    """An account as `--json` prints it: every field the account page shows (no entryCSN)."""
    return {"address": account.mail, "dn": account.dn, "uid": account.uid, "name": account.name,
            "first_name": account.first_name, "last_name": account.last_name, "aliases": list(account.aliases),
            "forwards": list(account.forward_targets), "keep_copy": account.keeps_copy, "enabled": account.enabled,
            "quota_kb": account.quota_kb, "mailbox": account.mailbox, "mailhost": account.mailhost,
            "mailproxy": account.mailproxy, "hidden": account.hidden, "extra_mail": list(account.extra_mail)}


def route_json(route: Route) -> dict:
    """A route explanation as `--json` prints it: the verdict, whether mail is delivered, and each lookup."""
    return {"address": route.address, "delivered": route.delivered, "verdict": route.verdict,
            "next_addresses": list(route.next_addresses),
            "steps": [{"name": str(step.name), "outcome": str(step.outcome), "explanation": str(step.explanation),
                       "status": step.status} for step in route.steps]}


def write_route(stdout, route: Route) -> None:
    """A route explanation as text: one line per lookup, then the verdict."""
    for step in route.steps:
        stdout.write(f"{step.name}: {step.outcome}. {step.explanation}")
    stdout.write(str(route.verdict))


def stdin_of(options: dict):
    """The command's input: call_command(stdin=...) in tests, else the process' own (declare stealth_options)."""
    return options.get("stdin") or sys.stdin


def read_passwords(stdin, *, from_stdin: bool) -> tuple[str, str]:
    """The new password as typed twice (the form compares them): from a prompt, or the first line of stdin with
    `--password-stdin`; never from argv. Raises CommandError when there is no terminal to prompt on."""
    if from_stdin:
        password = stdin.readline().rstrip("\r\n")
        return password, password
    if not stdin.isatty():
        raise CommandError(_("No terminal to ask for the password: use --password-stdin or --generate."))
    return getpass.getpass(_("New password: ")), getpass.getpass(_("Repeat it: "))


def find_mail_domain(directory: Directory, name: str) -> MailDomain:
    """The hosted domain given as typed; CommandError when it is invalid or not hosted."""
    try:
        name = normalise_domain(name)
    except ValueError as e:
        raise CommandError(str(e)) from None
    domain = ldap_domains.get_domain(directory, name)
    if domain is None:
        raise CommandError(_("There is no domain %(name)s.") % {"name": name})
    return domain


def find_domain(directory: Directory, name: str) -> str:
    """The A-label of a hosted domain given as typed; CommandError when it is invalid or not hosted."""
    return find_mail_domain(directory, name).name


def command_address(address: str) -> str:
    """An address given on the command line, normalised; CommandError when it is not one."""
    try:
        return normalise_address(address)
    except ValueError as e:
        raise CommandError(str(e)) from None


def find_valias(directory: Directory, address: str) -> VirtualAlias:
    """The virtual alias named `address`; CommandError when it is invalid or unknown."""
    address = command_address(address)
    valias = ldap_aliases.get_valias(directory, address)
    if valias is None:
        raise CommandError(_("There is no virtual alias %(address)s.") % {"address": display_address(address)})
    return valias


def find_account(directory: Directory, address: str) -> Account:
    """The account whose primary address is `address`; CommandError when it is invalid, unknown or only an alias."""
    address = command_address(address)
    account = ldap_accounts.get_account(directory, address)
    if account is None:
        raise CommandError(_("There is no account %(address)s.") % {"address": display_address(address)})
    if account.mail != address:
        raise CommandError(_("%(address)s is an alias of %(owner)s: name the account by its own address.")
                           % {"address": display_address(address), "owner": display_address(account.mail)})
    return account


class Progress:
    """A one-line progress bar on stderr, drawn only when stdout is a terminal (never in pipes, cron or tests).

    With no `total` (a stream of unknown length) it shows a running count instead of a bar."""

    WIDTH = 30

    def __init__(self, stdout, total: int | None, label: str, stream=None):
        self.total, self.label, self.done = total, label, 0
        self.stream = stream or sys.stderr
        self.active = bool(getattr(stdout, "isatty", lambda: False)()) and total != 0

    def step(self, count: int = 1) -> None:
        self.done += count
        if not self.active or (self.done != self.total and self.done % 100):
            return
        if self.total:
            filled = self.WIDTH * self.done // self.total
            self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done}/{self.total}")
        else:
            self.stream.write(f"\r{self.label}: {self.done}")
        self.stream.flush()

    def close(self) -> None:
        if self.active:
            self.stream.write("\n")
            self.stream.flush()
