"""Virtual alias forms (mailAlias entries: a list address delivered to member accounts and outside recipients): they
normalise input and own their directory action, audited as the `actor` given, for the console and commands alike."""

from __future__ import annotations

import dataclasses

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from mailadmin import events
from mailadmin.addresses import display_address
from mailadmin.audit import audited_action
from mailadmin.directory import AlreadyExists, Conflict, Directory, Invalid
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory import aliases as ldap_aliases
from mailadmin.directory.aliases import VirtualAlias
from mailadmin.fields import (
    CONFLICT_MESSAGE,
    AddressField,
    AddressListField,
    check_free,
    check_new_addresses,
    in_use_error,
    refused_error,
)
from mailadmin.permissions import Access


class VirtualAliasForm(forms.Form):
    """Add (`valias=None`: `address` is asked) or edit a virtual alias. `save(directory)` returns the VirtualAlias.

    `members` are typed as account addresses (primary or alias) and stored as those accounts' DNs; `external` are
    outside recipients. `access` limits members to accounts of domains the user sees.
    """

    address = AddressField(label=_l("Virtual alias address"))
    members = AddressListField(label=_l("Member accounts"), help_text=_l("Addresses of accounts, one per line."))
    external = AddressListField(label=_l("External recipients"), help_text=_l("One per line; may be outside."))
    enabled = forms.BooleanField(label=_l("Enabled"), required=False, initial=True)
    csn = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, valias: VirtualAlias | None = None, member_addresses: tuple[str, ...] = (),
                 access: Access | None = None, **kwargs):
        self.valias = valias
        self.access = access
        if valias is not None:
            kwargs.setdefault("initial", {"members": member_addresses, "external": valias.external,
                                          "enabled": valias.enabled, "csn": valias.csn})
        super().__init__(*args, **kwargs)
        if valias is not None:
            del self.fields["address"]

    def _member_dns(self, directory: Directory) -> list[str]:
        dns = []
        for address in self.cleaned_data["members"]:
            account = ldap_accounts.get_account(directory, address)
            if account is None or (self.access is not None and not self.access.sees(account.domain)):
                self.add_error("members", forms.ValidationError(_l("There is no account %(address)s."),
                                                                 params={"address": display_address(address)}))
            else:
                dns.append(account.dn)
        return dns

    def check(self, directory: Directory) -> bool:
        """A dry run of save(): every member is an account the user sees and, for a new virtual alias, its address is
        in an administered hosted domain and free; True when save() would write."""
        self._member_dns(directory)
        if self.valias is None:
            address = self.cleaned_data["address"]
            if check_new_addresses(self, "address", [address], directory, self.access):
                check_free(self, "address", address, directory)
        return not self.errors

    def save(self, directory: Directory, *, actor: str) -> VirtualAlias | None:
        if self.valias is None:
            return audited_action(self, actor, events.VALIAS_CREATE, self.cleaned_data["address"],
                                  lambda: self._save(directory), new=lambda valias: valias)
        return audited_action(self, actor, events.VALIAS_UPDATE, self.valias.address, lambda: self._save(directory),
                              old=self.valias, new=lambda updated: updated)

    def _save(self, directory: Directory) -> VirtualAlias | None:
        data = self.cleaned_data
        members = self._member_dns(directory)
        if self.valias is None:
            check_new_addresses(self, "address", [data["address"]], directory, self.access)
        if self.errors:
            return None
        try:
            if self.valias is None:
                return ldap_aliases.create_valias(directory, data["address"], members=members,
                                                  external=data["external"], enabled=data["enabled"])
            based_on = dataclasses.replace(self.valias, csn=data["csn"] or self.valias.csn)
            return ldap_aliases.update_valias(directory, based_on, members=members, external=data["external"],
                                              enabled=data["enabled"])
        except AlreadyExists as e:
            self.add_error("address", in_use_error(directory, e))
        except Conflict:
            self.add_error(None, CONFLICT_MESSAGE)
            self.data = self.data.copy()
            self.data["csn"] = self.valias.csn if self.valias else ""
        except Invalid as e:
            self.add_error(None, refused_error(e))
        return None


class VirtualAliasStatusForm(forms.Form):
    """Enable or disable a virtual alias (members and recipients unchanged). `save` returns the VirtualAlias."""

    def __init__(self, *args, valias: VirtualAlias, enable: bool, **kwargs):
        self.valias = valias
        self.enable = enable
        super().__init__(*args, **kwargs)

    def save(self, directory: Directory, *, actor: str) -> VirtualAlias | None:
        return audited_action(self, actor, events.VALIAS_ENABLE if self.enable else events.VALIAS_DISABLE,
                              self.valias.address, lambda: self._save(directory),
                              old={"enabled": self.valias.enabled}, new={"enabled": self.enable})

    def _save(self, directory: Directory) -> VirtualAlias | None:
        try:
            return ldap_aliases.update_valias(directory, self.valias, members=self.valias.members,
                                              external=self.valias.external, enabled=self.enable)
        except Conflict:
            self.add_error(None, CONFLICT_MESSAGE)
        return None


class RenameVirtualAliasForm(forms.Form):
    """Give the virtual alias another address (a modrdn: members, recipients and status stay). `access` limits the
    new address to domains the user administers. `save(directory)` returns the renamed VirtualAlias, or None."""

    new_address = AddressField(label=_l("New address of the virtual alias"))

    def __init__(self, *args, valias: VirtualAlias, access: Access | None = None, **kwargs):
        self.valias = valias
        self.access = access
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("new_address") == self.valias.address:
            self.add_error("new_address", _("This is the virtual alias's address already."))
        return data

    def check(self, directory: Directory) -> bool:
        """A dry run of save(): the new address is in an administered hosted domain and free."""
        address = self.cleaned_data["new_address"]
        if check_new_addresses(self, "new_address", [address], directory, self.access):
            check_free(self, "new_address", address, directory)
        return not self.errors

    def save(self, directory: Directory, *, actor: str) -> VirtualAlias | None:
        return audited_action(self, actor, events.VALIAS_RENAME, self.valias.address, lambda: self._save(directory),
                              old={"address": self.valias.address},
                              new={"address": self.cleaned_data["new_address"]})

    def _save(self, directory: Directory) -> VirtualAlias | None:
        address = self.cleaned_data["new_address"]
        if not check_new_addresses(self, "new_address", [address], directory, self.access):
            return None
        try:
            return ldap_aliases.rename_valias(directory, self.valias, address)
        except AlreadyExists as e:
            self.add_error("new_address", in_use_error(directory, e))
        except Conflict:
            self.add_error(None, CONFLICT_MESSAGE)
        except Invalid as e:
            self.add_error(None, refused_error(e))
        return None


class RemoveVirtualAliasForm(forms.Form):
    """Confirm removal; `remove(directory)` returns the removed VirtualAlias, or None."""

    def __init__(self, *args, valias: VirtualAlias, **kwargs):
        self.valias = valias
        super().__init__(*args, **kwargs)

    def remove(self, directory: Directory, *, actor: str) -> VirtualAlias | None:
        return audited_action(self, actor, events.VALIAS_REMOVE, self.valias.address, lambda: self._remove(directory),
                              old=self.valias)

    def _remove(self, directory: Directory) -> VirtualAlias | None:
        try:
            ldap_aliases.remove_valias(directory, self.valias)
            return self.valias
        except Conflict:
            self.add_error(None, CONFLICT_MESSAGE)
        return None
