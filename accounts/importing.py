"""Import of mail accounts from CSV or LDIF: each row is checked by the console's account form, compared with the
directory (the entries holding the file's addresses and logins, read in a few searches before any add), and written
as one add, so it is created whole or not at all.

Idempotent: a row whose account exists with the same values is "unchanged"; one that collides with different
values is an error, never an overwrite.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from accounts.bulk import COLUMNS
from accounts.forms import AccountCreateForm
from mailadmin import addresses, ldif
from mailadmin.commands import form_error
from mailadmin.directory import AlreadyExists, Directory, DirectoryError, Invalid
from mailadmin.directory import domains as ldap_domains
from mailadmin.directory import schema as s
from mailadmin.directory.accounts import Account, NewAccount, quota_rule
from mailadmin.directory.bulk import (
    HASH_SCHEMES,
    PASSWORD,
    AccountEntry,
    Claims,
    account_values,
    digest,
    directory_claims,
    read_account,
)
from mailadmin.fields import TextField, check_new_addresses, in_use_error
from mailadmin.spreadsheet import unsafe_cell

AUDIT_BATCH = 500  # written entries per batch of audit rows
ADD_WINDOW = 64  # adds in flight: enough to keep slapd busy while this process checks and audits
NO_QUOTA = "none"  # a quota cell meaning "no mailuserquota at all" (export writes it for such accounts)
CREATE, UNCHANGED, ERROR, SKIPPED = "create", "unchanged", "error", "skipped"
OPTIONS = {"local_part": "address", "password": "password_hash"}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (unknown columns, no address column): nothing is imported."""


class ImportInterrupted(Exception):
    """The directory failed during the adds: `written` were confirmed (and audited); the addresses in `unanswered`
    were sent without an answer, so the directory may hold them or not."""

    def __init__(self, written: int, unanswered: list[str], cause: Exception):
        super().__init__(str(cause))
        self.written = written
        self.unanswered = unanswered


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str] = field(default_factory=dict)
    error: str = ""  # the row could not even be read


@dataclass(frozen=True)
class Outcome:
    line: int
    address: str
    status: str
    message: str = ""
    entry: AccountEntry | None = None


class YesNoField(forms.CharField):
    """yes/no, true/false, 1/0 (any case); empty means `default`."""

    def __init__(self, *, default: bool, **kwargs):
        self.default = default
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        text = (super().clean(value) or "").strip().lower()
        if not text:
            return self.default
        if text in ("yes", "true", "1", "y"):
            return True
        if text in ("no", "false", "0", "n"):
            return False
        raise forms.ValidationError(_("Write yes or no."))


class AccountImportForm(AccountCreateForm):
    """The console's creation form, plus what a migration brings: display name, status, mailbox path and a password
    hash. No password is typed: without a hash the account gets none until `passwd` sets one."""

    name = TextField(label=_l("Display name"))
    keep_copy = YesNoField(default=False, label=_l("Keep a copy"))
    enabled = YesNoField(default=True, label=_l("Enabled"))
    mailbox = forms.CharField(required=False, label=_l("Mailbox path"))
    password_hash = forms.CharField(required=False, strip=True, label=_l("Password hash"))
    no_quota = forms.BooleanField(required=False, widget=forms.HiddenInput)  # the quota cell said "none"

    def clean_mailbox(self) -> str:
        path = self.cleaned_data["mailbox"]
        try:
            return addresses.check_mailbox(path, settings.MAIL_MAILBOX_TEMPLATE) if path else ""
        except ValueError as e:
            raise forms.ValidationError(str(e)) from None

    def clean_password_hash(self) -> str:
        value = self.cleaned_data["password_hash"]
        if value and not HASH_SCHEMES.match(value):
            raise forms.ValidationError(_("Give a hash such as {SSHA}…, never a cleartext password."))
        return value

    def entry(self, quota_kb: int | None) -> AccountEntry:
        data = self.cleaned_data
        new = NewAccount(
            address=data["address"], uid=data["uid"], first_name=data["first_name"], last_name=data["last_name"],
            quota_kb=quota_kb, aliases=data["aliases"], keep_copy=data["keep_copy"], enabled=data["enabled"],
            forwards=tuple(f for f in data["forwards"] if f != data["address"]),
        )
        return AccountEntry(new, name=data["name"], mailbox=data["mailbox"], password_hash=data["password_hash"])


# --- Reading files ---------------------------------------------------------------------------------------------


def read_rows(path: Path, fmt: str) -> Iterator[Row]:
    """The rows of a CSV (header row first) or LDIF file, with their line numbers. Raises ImportFileError."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        yield from (_csv_rows(f) if fmt == "csv" else _ldif_rows(f))


def _csv_rows(f) -> Iterator[Row]:
    reader = csv.reader(f)
    header = [h.strip().lower() for h in next(reader, [])]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown or "address" not in header or len(set(header)) != len(header):
        raise ImportFileError(_("Line 1 must name the columns, among: %(columns)s (address is required).")
                              % {"columns": ", ".join(COLUMNS)})
    start = reader.line_num + 1
    for cells in reader:
        if any(cells):
            if len(cells) != len(header):
                yield Row(start, error=_("%(found)d cells where the header has %(expected)d.")
                          % {"found": len(cells), "expected": len(header)})
            else:
                yield Row(start, {name: unsafe_cell(cell) for name, cell in zip(header, cells, strict=True)})
        start = reader.line_num + 1


def _ldif_rows(f) -> Iterator[Row]:
    for item in ldif.read(f):
        if isinstance(item, ldif.LdifError):
            yield Row(item.line, error=str(item))
        elif s.MAIL_ACCOUNT.lower() not in {c.lower() for c in item.values("objectClass")}:
            yield Row(item.line, error=_("The entry is not a mail account (objectClass mailAccount)."))
        elif len(item.values(s.MAIL)) != 1:
            yield Row(item.line, error=_("A mail account has exactly one mail value."))
        else:
            yield Row(item.line, _ldif_values(item))


def _ldif_values(item: ldif.LdifRecord) -> dict[str, str]:
    mail = item.first(s.MAIL).lower()
    drops = item.values(s.FORWARDS)
    forwards = [f for f in drops if f.lower() != mail]
    return {
        "address": mail, "uid": item.first("uid"), "name": item.first("cn"), "first_name": item.first("givenName"),
        "last_name": item.first("sn"), "quota": item.first(s.QUOTA, NO_QUOTA),
        "aliases": " ".join(item.values(s.ALIASES)), "forwards": " ".join(forwards),
        "keep_copy": str(bool(forwards) and len(forwards) < len(drops)),
        "enabled": str(item.first(s.ENABLED, s.ENABLED_VALUE).upper() == s.ENABLED_VALUE),
        "mailbox": item.first(s.MAILBOX), "password_hash": item.first(PASSWORD),
    }


# --- Planning --------------------------------------------------------------------------------------------------


class Planner:
    """Checks every row against the form and the hosted domains, then against what the directory holds for the
    addresses and logins of the rows that passed (read in a few searches), in the order of the file."""

    def __init__(self, directory: Directory):
        self.directory = directory
        self.domains = {d.name: d for d in ldap_domains.list_domains(directory)}
        self.lines: dict[str, int] = {}  # address or DN -> line of this file that claimed it
        self.forms: dict[str, AccountImportForm] = {}  # domain -> its form, re-validated for each row
        self.claims = Claims({}, set(), {})

    def plan(self, rows: Iterable[Row]) -> list[Outcome]:
        checked = [self.check(row) for row in rows]
        entries = [o.entry.new for o in checked if o.entry is not None]
        self.claims = directory_claims(self.directory, [a for new in entries for a in (new.address, *new.aliases)],
                                       [new.uid for new in entries])
        return [self._against_directory(o.line, o.entry) if o.entry is not None else o for o in checked]

    def check(self, row: Row) -> Outcome:
        """The row through the form alone: an error, or the entry it would create (not compared with the directory)."""
        address = row.values.get("address", "").strip()
        if row.error:
            return Outcome(row.line, address, ERROR, row.error)
        try:
            form = self._form(row.values)
        except ValueError as e:
            return Outcome(row.line, address, ERROR, f"address: {e}")
        if not form.is_valid() or not self._hosted(form):
            return Outcome(row.line, address, ERROR, str(form_error(form, OPTIONS)))
        entry = form.entry(self._quota(form))
        return Outcome(row.line, entry.new.address, CREATE, entry=entry)

    def _form(self, values: dict[str, str]) -> AccountImportForm:
        """The domain's form, validated on this row's data (full_clean starts from no errors and no cleaned data)."""
        address = addresses.normalise_address(values["address"])
        local, domain = addresses.split_address(address)
        if domain not in self.domains:
            raise ValueError(_("%(address)s is not in a domain hosted here.")
                             % {"address": addresses.display_address(address)})
        data = {key: value for key, value in values.items() if key != "address"}
        data |= {"local_part": local, "generate": "on"}  # no typed password: none, or the row's hash
        data["no_quota"] = data.get("quota", "").strip().lower() == NO_QUOTA
        if data["no_quota"]:
            data["quota"] = ""
        data["aliases"], data["forwards"] = (_list(data.get(k, "")) for k in ("aliases", "forwards"))
        # One form per domain, not per row: a new form deep-copies its fields and builds its bound fields, which
        # cost more than the checks themselves. Validation only reads the fields (tests/cli/test_import_form_reuse.py).
        if (form := self.forms.get(domain)) is None:
            form = self.forms[domain] = AccountImportForm(data, domain=self.domains[domain])
        form.data = data
        form.full_clean()
        return form

    def _hosted(self, form: AccountImportForm) -> bool:
        aliases = form.cleaned_data["aliases"]
        # The domains were read under the claim lock: only an unknown one needs the form's own check (and message).
        if all(addresses.domain_of(a) in self.domains for a in aliases):
            return True
        return check_new_addresses(form, "aliases", aliases, self.directory, None)

    def _quota(self, form: AccountImportForm) -> int | None:
        if form.cleaned_data["quota"] is not None or form.cleaned_data["no_quota"]:
            return form.cleaned_data["quota"]
        return quota_rule(form.domain)

    def _against_directory(self, line: int, entry: AccountEntry) -> Outcome:
        new, dn = entry.new, s.normalise_dn(entry.dn)
        if self.claims.addresses.get(new.address) == dn:
            return self._existing(line, entry, dn)
        if error := self._collision(entry, dn):
            return Outcome(line, new.address, ERROR, error)
        for key in (new.address, *new.aliases, dn):
            self.lines[key] = line
        self.claims.addresses.update(dict.fromkeys((new.address, *new.aliases), dn))
        self.claims.dns.add(dn)
        return Outcome(line, new.address, CREATE, entry=entry)

    def _collision(self, entry: AccountEntry, dn: str) -> str:
        """The first reason `entry` cannot be added: an address or its DN taken (by the directory or this file)."""
        for field_name, address in [("address", entry.new.address), *(("aliases", a) for a in entry.new.aliases)]:
            if address in self.lines:
                return f"{field_name}: " + _("%(address)s is already on line %(line)d.") % {
                    "address": address, "line": self.lines[address]}
            if address in self.claims.addresses:
                return f"{field_name}: " + in_use_error(self.directory, AlreadyExists(address=address)).messages[0]
        if dn in self.claims.dns:
            where = _("on line %(line)d") % {"line": self.lines[dn]} if dn in self.lines else _("in the directory")
            return "uid: " + _("The login %(uid)s is taken already (%(where)s).") % {
                "uid": entry.new.uid, "where": where}
        return ""

    def _existing(self, line: int, entry: AccountEntry, dn: str) -> Outcome:
        address = entry.new.address
        if address in self.lines:
            return Outcome(line, address, ERROR, "address: " + _("%(address)s is already on line %(line)d.")
                           % {"address": address, "line": self.lines[address]})
        stored, password_hash = self.claims.accounts.get(dn, (b"", ""))
        same_password = not entry.password_hash or entry.password_hash == password_hash
        if stored == digest(entry.values()) and same_password:
            self.lines[address] = line
            return Outcome(line, address, UNCHANGED)
        account, password_hash = read_account(self.directory, entry.dn)  # only to say what differs
        changed = differences(entry, account, password_hash) if account else ["mail"]
        return Outcome(line, address, ERROR, _("%(address)s exists with other values (%(fields)s); it is not "
                                               "overwritten.") % {"address": address, "fields": ", ".join(changed)})


def _list(text: str) -> str:
    """Aliases and forwards in a cell are separated by spaces or ";" (the form also takes commas and lines)."""
    return "\n".join(text.replace(";", " ").split())


def differences(entry: AccountEntry, account: Account, password_hash: str) -> list[str]:
    """The fields in which the existing `account` differs from what the row would create."""
    changed = [name for (name, wanted), (_name, actual) in zip(entry.values(), account_values(account), strict=True)
               if wanted != actual]
    if entry.password_hash and entry.password_hash != password_hash:
        changed.append("password_hash")
    return changed


def plan(directory: Directory, rows: Iterable[Row]) -> list[Outcome]:
    return Planner(directory).plan(rows)


def write(directory: Directory, outcomes: list[Outcome], *, continue_on_error: bool, progress, audit) -> list[Outcome]:
    """Add every planned entry through Directory.adds (pipelined); return the outcomes with the refusals filled in.
    Without `continue_on_error`, nothing more is sent after the first refusal (adds in flight still complete).

    `audit(outcomes)` receives the written entries in batches as their answers arrive: the log holds what was written
    even if the import stops half-way, and writing it overlaps with slapd's work on the adds still in flight."""
    done: list[Outcome] = []
    written: list[Outcome] = []
    refused = False

    def answered(finished: list, *, last: bool = False) -> None:
        nonlocal refused
        for outcome, error in finished:
            done.append(_written(outcome, error))
            refused = refused or error is not None
            if error is None:
                written.append(outcome)
        progress.step(len(finished))
        if written and (last or len(written) >= AUDIT_BATCH):
            audit(written)
            written.clear()

    adds = None
    try:
        with directory.adds(window=ADD_WINDOW) as adds:
            for outcome in outcomes:
                if outcome.status != CREATE:
                    done.append(outcome)
                elif refused and not continue_on_error:
                    done.append(replace(outcome, status=SKIPPED, entry=None))
                else:
                    entry = outcome.entry
                    answered(adds.add(outcome, entry.dn, s.ACCOUNT_CLASSES, entry.attributes(entry.new.quota_kb)))
            answered(adds.finish(), last=True)
    except DirectoryError as e:
        if written:
            audit(written)  # what was answered before the failure is in the directory: the log says so
        unanswered = [outcome.address for outcome in adds.unanswered] if adds is not None else []
        raise ImportInterrupted(sum(o.status == CREATE for o in done), unanswered, e) from e
    return sorted(done, key=lambda o: o.line)


def _written(outcome: Outcome, error: DirectoryError | None) -> Outcome:
    """The outcome once the add was answered: unchanged when it went through, an error naming why otherwise."""
    if error is None:
        return outcome
    if isinstance(error, AlreadyExists):
        message = _("Someone else created this address or login meanwhile; it was not written.")
    elif isinstance(error, Invalid):
        message = _("The directory refused the change: %(reason)s") % {"reason": error}
    else:
        message = _("The directory failed on this entry; it was not written.")
    return replace(outcome, status=ERROR, message=message, entry=None)
