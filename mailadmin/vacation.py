"""The vacation (out-of-office) reply of a mailbox: a Sieve script of its own, `mailadmin-vacation`, in the mailbox's
Sieve storage, written through Dovecot's doveadm HTTP API and run before the user's own active script
(`sieve_before`, written by mailconfig). It is never activated, so the user's own rules stay active and untouched;
turning vacation off deletes that one script. The form's settings are kept in its first line, so the script is the
only record of them."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import asdict, dataclass

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from mailadmin import dovecot, events
from mailadmin.audit import audited_action
from mailadmin.directory.accounts import Account
from mailadmin.fields import CONFLICT_MESSAGE, TextField

SCRIPT_NAME = "mailadmin-vacation"
MARKER = "# mailadmin-vacation "
MESSAGE_MAX = 4000
MAX_DAYS = 90  # sieve_vacation_max_period in mailconfig's Dovecot settings
VACATION_UNREACHABLE = _l("Dovecot cannot be reached right now; the vacation reply was not changed.")
# The codes of the form's refusals that are not about its values (the JSON API answers them with 409 and 502).
FOREIGN, UNREACHABLE = "foreign", "unreachable"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # all but tab and newline


@dataclass(frozen=True)
class Vacation:
    subject: str
    message: str
    first_day: datetime.date | None
    last_day: datetime.date | None
    days: int  # the same sender gets one reply per this many days


@dataclass(frozen=True)
class VacationState:
    """What the mailbox holds: our vacation (None: off), or a script of that name that mailadmin did not write."""

    vacation: Vacation | None
    foreign: bool
    version: str  # a digest of the script as read: the form's guard against overwriting a newer change


def _sieve_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_sieve(vacation: Vacation, addresses: tuple[str, ...]) -> str:
    """The script: one vacation action, within the dates when there are any, for mail to any of `addresses`."""
    settings = {**asdict(vacation), "first_day": str(vacation.first_day or ""), "last_day": str(vacation.last_day or "")}
    tests = [f'currentdate :value "{op}" "date" "{day}"'
             for op, day in (("ge", vacation.first_day), ("le", vacation.last_day)) if day]
    action = (f"vacation :days {vacation.days} :subject {_sieve_string(vacation.subject)} "
              f":addresses [{', '.join(_sieve_string(a) for a in addresses)}] {_sieve_string(vacation.message)};")
    return "\n".join([
        MARKER + json.dumps(settings),
        "# Written by mailadmin (its vacation forms change it); run before the mailbox's own active script.",
        'require ["vacation", "date", "relational"];',
        f"if allof({', '.join(tests)}) {{\n  {action}\n}}" if tests else action,
        "",
    ])


def _day(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def from_sieve(text: str) -> Vacation | None:
    """The settings of a script mailadmin wrote; None for any other script."""
    first = text.split("\n", 1)[0]
    if not first.startswith(MARKER):
        return None
    try:
        data = json.loads(first[len(MARKER):])
        return Vacation(str(data["subject"]), str(data["message"]), _day(data["first_day"]), _day(data["last_day"]),
                        int(data["days"]))
    except (ValueError, KeyError, TypeError):
        return None


def read_vacation(account: Account) -> VacationState:
    """The mailbox's vacation as Dovecot holds it. Raises DovecotUnavailable."""
    text = dovecot.get_script(account.mail, SCRIPT_NAME)
    vacation = from_sieve(text) if text is not None else None
    version = hashlib.sha256((text or "").encode()).hexdigest()[:16]
    return VacationState(vacation, foreign=text is not None and vacation is None, version=version)


class MessageField(forms.CharField):
    def clean(self, value):
        value = super().clean(value).replace("\r\n", "\n")
        if _CONTROL.search(value):
            raise forms.ValidationError(_("The message holds a control character."))
        return value


class VacationForm(forms.Form):
    """Vacation on or off, its subject, message, optional first and last day and reply period. `save(actor=…)` writes
    or removes the script and returns True, or adds errors and returns None; it audits itself either way. Shared by
    the account page (admins) and self-service (the mail user), hence here rather than in one app."""

    enabled = forms.BooleanField(label=_l("Send a vacation reply"), required=False)
    subject = TextField(label=_l("Subject"), max_length=200)
    message = MessageField(label=_l("Message"), max_length=MESSAGE_MAX, required=False, widget=forms.Textarea(
        attrs={"rows": 4}))
    first_day = forms.DateField(label=_l("First day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_l("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=_l("Reply to the same sender at most once every (days)"), min_value=1,
                              max_value=MAX_DAYS, initial=7)
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, account: Account, state: VacationState, **kwargs):
        self.account, self.state = account, state
        current = state.vacation
        initial = {"version": state.version, "enabled": current is not None, "days": 7,
                   "subject": _("Out of office")}
        if current is not None:
            initial |= {k: v for k, v in asdict(current).items()}
        kwargs.setdefault("initial", initial)
        kwargs.setdefault("auto_id", "vacation-%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("enabled") and not data.get("message"):
            self.add_error("message", _("Write the message to send."))
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The last day comes before the first."))
        return data

    def audited(self) -> dict:
        """The values saved, for the audit row."""
        return {k: str(v) if v is not None else "" for k, v in self.cleaned_data.items() if k != "version"}

    def save(self, *, actor: str) -> bool | None:
        """Write or remove the script and write the audit row (`events.ACCOUNT_VACATION`, refusals included): True,
        or None after adding form errors."""
        return audited_action(self, actor, events.ACCOUNT_VACATION, self.account.mail, self._save,
                              new=lambda done: self.audited() if done else None)

    def _save(self) -> bool | None:
        try:
            now = read_vacation(self.account)
            if now.foreign:
                self.add_error(None, forms.ValidationError(
                    _l("This mailbox has its own Sieve script named “%(name)s”, which mailadmin did not write: it is "
                       "left as it is."), code=FOREIGN, params={"name": SCRIPT_NAME}))
                return None
            if (self.cleaned_data.get("version") or now.version) != now.version:
                self.add_error(None, CONFLICT_MESSAGE)
                self.data = self.data.copy()
                self.data["version"] = now.version
                return None
            self._write()
            return True
        except dovecot.DovecotUnavailable:
            self.add_error(None, forms.ValidationError(VACATION_UNREACHABLE, code=UNREACHABLE))
            return None

    def _write(self) -> None:
        data = self.cleaned_data
        if not data["enabled"]:
            dovecot.delete_script(self.account.mail, SCRIPT_NAME)
            return
        vacation = Vacation(data["subject"], data["message"], data["first_day"], data["last_day"], data["days"])
        dovecot.put_script(self.account.mail, SCRIPT_NAME, to_sieve(vacation, self.account.addresses))


def vacation_form(account: Account, data=None) -> VacationForm | None:
    """The vacation form with the mailbox's current state, or None when Dovecot cannot tell it (not configured, down)."""
    if not dovecot.configured():
        return None
    try:
        return VacationForm(data, account=account, state=read_vacation(account))
    except dovecot.DovecotUnavailable:
        return None
