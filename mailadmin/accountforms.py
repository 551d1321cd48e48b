"""The account forms that both the console's account pages (accounts/) and a mail user's own page (selfservice/)
use: a password typed twice, the base of the forms that change one account, and adding or removing one alias or
forward. Apps import only this shared layer, so these live here rather than in either app."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from mailadmin import events
from mailadmin.addresses import TEXT_MAX, display_address
from mailadmin.audit import audited_action
from mailadmin.directory import AlreadyExists, Conflict, Directory, Invalid
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory.accounts import Account
from mailadmin.directory.saslprep import bindable
from mailadmin.fields import (
    CONFLICT_MESSAGE,
    AddressField,
    check_free,
    check_new_addresses,
    in_use_error,
    refused_error,
)
from mailadmin.permissions import Access

PASSWORD_MAX = 128


def with_copy(targets: Iterable[str], own: str, keep_copy: bool) -> tuple[str, ...]:
    """The maildrop values for forwarding to `targets`: the account's own address among them keeps a copy
    (Postfix delivers an address that expands to itself). Without targets, mail is simply delivered locally."""
    targets = tuple(t for t in targets if t != own)
    return (*targets, own) if targets and keep_copy else targets


class PasswordFields(forms.Form):
    """A password typed twice, or `generate` ticked (the server makes one; it is returned once, to be shown)."""

    password = forms.CharField(label=_l("Password"), required=False, strip=False, max_length=PASSWORD_MAX,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_l("Password again"), required=False, strip=False, max_length=PASSWORD_MAX,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    generate = forms.BooleanField(label=_l("Generate a password (shown once)"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("generate"):
            data["password"] = None  # Password Modify without a new password: the server generates one
        elif not data.get("password"):
            self.add_error("password", _("Type the password twice, or tick “Generate a password”."))
        elif data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif not bindable(data["password"]):
            self.add_error("password", _("This password holds a character no mail program can send when signing in "
                                         "(a control or formatting character, or U+FFFD). Choose another."))
        return data

    def password_refused(self, error: Invalid) -> None:
        self.add_error("password", forms.ValidationError(_l("The directory refused this password: %(reason)s"),
                                                    params={"reason": str(error)}))


class AccountForm(forms.Form):
    """Base of the forms that change one account; `account` is the entry as read for this request."""

    csn = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, account: Account, access: Access | None = None, **kwargs):
        self.account = account
        self.access = access
        kwargs.setdefault("initial", {}).setdefault("csn", account.csn)
        super().__init__(*args, **kwargs)

    @property
    def based_on(self) -> Account:
        """The account with the version the form was opened on (the current one when the data has no csn)."""
        return dataclasses.replace(self.account, csn=self.cleaned_data.get("csn") or self.account.csn)

    def conflict(self) -> None:
        """Say so, and base the next submit on the current version; the typed values stay in the form."""
        self.add_error(None, CONFLICT_MESSAGE)
        if self.is_bound:
            self.data = self.data.copy()
            self.data["csn"] = self.account.csn

    def update(self, directory: Directory, fields: dict, field: str | None = None) -> Account | None:
        """Apply `fields` with accounts.update_account (one modify); directory refusals become errors on `field`."""
        try:
            return ldap_accounts.update_account(directory, self.based_on, fields)
        except AlreadyExists as e:
            self.add_error(field, in_use_error(directory, e))
        except Conflict:
            self.conflict()
        except Invalid as e:
            self.add_error(field, refused_error(e))
        return None


class StoredValueField(forms.CharField):
    """A value as the directory holds it (read in lower case): stripped and lower-cased, never normalised."""

    def clean(self, value):
        return super().clean(value).lower()


ADDRESS_EVENTS = {
    ("aliases", True): events.ACCOUNT_ALIASES_ADD, ("aliases", False): events.ACCOUNT_ALIASES_REMOVE,
    ("forwards", True): events.ACCOUNT_FORWARDS_ADD, ("forwards", False): events.ACCOUNT_FORWARDS_REMOVE,
}


def removal_question(account: Account, kind: str, value: str) -> tuple[str, str]:
    """The question and the consequence the confirmation page of removing alias or forward `value` shows."""
    shown = {"value": display_address(value), "address": display_address(account.mail)}
    if kind == "aliases":
        return (_("Remove the alias %(value)s?") % shown,
                _("Mail to %(value)s bounces from now on, unless another entry takes the address.") % shown)
    return (_("Stop forwarding to %(value)s?") % shown,
            _("Mail to %(address)s is no longer sent on to %(value)s.") % shown)


class AccountAddressForm(AccountForm):
    """Add or remove one alias (`kind="aliases"`) or forward (`kind="forwards"`) as one modify.
    Data: `address`; for forwards also `keep_copy`. `add(directory)`/`remove(directory)` return the Account."""

    address = AddressField(label=_l("Address"))
    keep_copy = forms.BooleanField(label=_l("Keep a copy in this mailbox"), required=False)

    def __init__(self, *args, account: Account, kind: str, removing: bool = False, **kwargs):
        if kind not in ("aliases", "forwards"):
            raise ValueError(kind)
        self.kind = kind
        kwargs.setdefault("initial", {"keep_copy": account.keeps_copy})
        kwargs.setdefault("auto_id", f"{kind}-%s")  # unique ids: both forms and the edit form share one page
        super().__init__(*args, account=account, **kwargs)
        if removing:
            # A value to remove is matched as stored: legacy values the normaliser would refuse must stay removable.
            self.fields["address"] = StoredValueField(max_length=TEXT_MAX)
        if kind == "aliases":
            del self.fields["keep_copy"]
            self.fields["address"].label = _l("New alias")
        else:
            self.fields["address"].label = _l("Forward to")

    def add(self, directory: Directory, *, actor: str) -> Account | None:
        return self._audited(actor, ADDRESS_EVENTS[self.kind, True], lambda: self._add(directory))

    def remove(self, directory: Directory, *, actor: str) -> Account | None:
        return self._audited(actor, ADDRESS_EVENTS[self.kind, False], lambda: self._remove(directory))

    def _audited(self, actor: str, event: str, run) -> Account | None:
        return audited_action(self, actor, event, self.account.mail, run, old={self.kind: getattr(self.account, self.kind)},
                              new=lambda updated: {self.kind: getattr(updated, self.kind) if updated else ()})

    def check(self, directory: Directory) -> bool:
        """A dry run of add(): for an alias, every check add() makes before writing (the account does not accept it
        yet, its domain is hosted and administered, nobody holds it), with the same errors; True when add() would
        write. A forward may go anywhere: the form's own validation is all there is to check."""
        address = self.cleaned_data["address"]
        if self.kind == "aliases" and self._alias_allowed(directory, address):
            check_free(self, "address", address, directory)
        return not self.errors

    def _alias_allowed(self, directory: Directory, address: str) -> bool:
        if address in self.account.addresses:
            self.add_error("address", _l("The account already accepts this address."))
        return not self.errors and check_new_addresses(self, "address", [address], directory, self.access)

    def _add(self, directory: Directory) -> Account | None:
        address = self.cleaned_data["address"]
        if self.kind == "forwards":
            targets = [*self.account.forward_targets, address]
            return self.update(directory, {"forwards": with_copy(targets, self.account.mail,
                                                                  self.cleaned_data["keep_copy"])}, "address")
        if not self._alias_allowed(directory, address):
            return None
        return self.update(directory, {"aliases": (*self.account.aliases, address)}, "address")

    def _remove(self, directory: Directory) -> Account | None:
        address = self.cleaned_data["address"]
        current = self.account.aliases if self.kind == "aliases" else self.account.forward_targets
        if address not in current:
            self.conflict()  # removed by someone else meanwhile, or never there
            return None
        remaining = [v for v in current if v != address]
        if self.kind == "aliases":
            return self.update(directory, {"aliases": tuple(remaining)}, "address")
        return self.update(directory, {"forwards": with_copy(remaining, self.account.mail, self.account.keeps_copy)})
