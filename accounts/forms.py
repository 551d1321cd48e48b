"""Account and "enable mail" forms: they normalise input and own their directory action.

None of them needs a request: management commands pass plain data dicts, e.g.
`QuotaForm({"quota": "1.5G"}, account=account)` then `form.is_valid() and form.save(directory, actor=actor())`.
Every action method takes the `actor` the audit log names, writes its one audit row (mailadmin.events names the
event), and returns its result, or None after `add_error` when the directory refused (AlreadyExists, Conflict,
Invalid). `access=None` means "no console user": the command-line, which may do anything.

Forms that change an existing entry carry its `csn` (entryCSN) in a hidden field: the change is applied only if
the entry is still at the version the form was opened on; otherwise the form says "changed by someone else", and
its next submit is based on the current version (what the user typed is kept).
"""

from __future__ import annotations

import dataclasses
import posixpath

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from mailadmin import addresses, events
from mailadmin.accountforms import AccountAddressForm as AccountAddressForm  # shared with self-service
from mailadmin.accountforms import AccountForm, PasswordFields, with_copy
from mailadmin.audit import audited_action
from mailadmin.auth import follow_renamed_account
from mailadmin.directory import AlreadyExists, Conflict, Directory, Invalid
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory.accounts import Account, NewAccount, Person
from mailadmin.directory.domains import MailDomain
from mailadmin.fields import (
    CONFLICT_MESSAGE,
    AddressField,
    AddressListField,
    HostField,
    LocalPartField,
    QuotaField,
    TextField,
    UidField,
    check_free,
    check_new_addresses,
    in_use_error,
    refused_error,
)
from mailadmin.permissions import Access


class AccountCreateForm(PasswordFields):
    """A new account in `domain`. `save(directory)` returns (account, generated password or None) or None.

    Data keys: local_part, first_name, last_name, uid (empty: the full address), password + password2 or
    generate, quota (empty: the domain's default), aliases, forwards (one per line), keep_copy.
    """

    local_part = LocalPartField(label=_l("Address"))
    first_name = TextField(label=_l("First name"))
    last_name = TextField(label=_l("Last name"))
    uid = UidField(label=_l("Login (uid)"), required=False, help_text=_l("Empty: the full address."))
    quota = QuotaField(label=_l("Quota"), required=False)
    aliases = AddressListField(label=_l("Aliases"), help_text=_l("One per line, in domains hosted here."))
    forwards = AddressListField(label=_l("Forward to"), help_text=_l("One per line; may be outside addresses."))
    keep_copy = forms.BooleanField(label=_l("Keep a copy in this mailbox"), required=False)

    field_order = ["local_part", "first_name", "last_name", "uid", "password", "password2", "generate", "quota",
                   "aliases", "forwards", "keep_copy"]

    def __init__(self, *args, domain: MailDomain, access: Access | None = None, **kwargs):
        self.domain = domain
        self.access = access
        kwargs.setdefault("initial", {"quota": domain.default_quota_kb})
        super().__init__(*args, **kwargs)
        self.fields["local_part"].help_text = "@" + domain.display_name

    def clean(self):
        data = super().clean()
        if not data.get("local_part"):
            return data
        address = data["address"] = f"{data['local_part']}@{self.domain.name}"
        if len(address) > addresses.ADDRESS_MAX:
            self.add_error("local_part", _("The address is too long."))
        if not data.get("uid") and "uid" not in self.errors:
            try:
                data["uid"] = addresses.normalise_uid(address)
            except ValueError:
                self.add_error("uid", _("The address cannot be the login: type a shorter login."))
        if address in data.get("aliases", ()):
            self.add_error("aliases", _("The account's own address cannot also be its alias."))
        if address in data.get("forwards", ()):  # forwarding to itself is how a copy is kept
            data["keep_copy"] = True
        return data

    def _field_of(self, address: str) -> str:
        data = self.cleaned_data
        if address in data["aliases"]:
            return "aliases"
        return "uid" if address == data["uid"] and address != data["address"] else "local_part"

    def save(self, directory: Directory, *, actor: str) -> tuple[Account, str | None] | None:
        # Read first: a refusal drops the field from cleaned_data. The password never reaches the log.
        wanted = {k: v for k, v in self.cleaned_data.items() if not k.startswith("password")}
        return audited_action(self, actor, events.ACCOUNT_CREATE, wanted["address"], lambda: self._create(directory),
                              new=lambda created: created[0] if created else wanted)

    def check(self, directory: Directory) -> bool:
        """A dry run of save(): every check it makes before writing (domains hosted and administered, every address
        still free), with the same form errors; True when save() would go on to write."""
        data = self.cleaned_data
        own = check_new_addresses(self, "local_part", [data["address"]], directory, self.access)
        if check_new_addresses(self, "aliases", data["aliases"], directory, self.access) and own:
            for address in (data["address"], *data["aliases"]):
                check_free(self, self._field_of(address), address, directory)
        return not self.errors

    def _create(self, directory: Directory) -> tuple[Account, str | None] | None:
        data = self.cleaned_data
        own = check_new_addresses(self, "local_part", [data["address"]], directory, self.access)
        if not check_new_addresses(self, "aliases", data["aliases"], directory, self.access) or not own:
            return None
        new = NewAccount(
            address=data["address"], uid=data["uid"], first_name=data["first_name"], last_name=data["last_name"],
            quota_kb=data["quota"], aliases=data["aliases"], keep_copy=data["keep_copy"],
            forwards=tuple(f for f in data["forwards"] if f != data["address"]),
        )
        try:
            return ldap_accounts.create_account(directory, new, data["password"])
        except AlreadyExists as e:
            self.add_error(self._field_of(e.address), in_use_error(directory, e))
        except Invalid as e:
            self.password_refused(e)
        return None


class AccountEditForm(AccountForm):
    """Everything about an account but its address and password. `save(directory)` returns the updated Account.

    `supports_hidden`: the server's schema has mailhidden. `mailbox_editable`: only a superadmin re-points a mailbox
    (the maildir does not move with it); otherwise the path is shown read-only and the field is absent.
    """

    name = TextField(label=_l("Display name"))
    first_name = TextField(label=_l("First name"))
    last_name = TextField(label=_l("Last name"))
    aliases = AddressListField(label=_l("Aliases"), help_text=_l("One per line, in domains hosted here."))
    forwards = AddressListField(label=_l("Forward to"), help_text=_l("One per line; may be outside addresses."))
    keep_copy = forms.BooleanField(label=_l("Keep a copy in this mailbox"), required=False)
    # Empty is a state MDS directories hold (no mailuserquota: Dovecot applies no rule), so it may stay empty.
    quota = QuotaField(label=_l("Quota"), required=False, help_text=_l(
        "For example 500M, 1.5G, 204800 (kB) or “unlimited”; empty: no quota rule of its own."))
    enabled = forms.BooleanField(label=_l("Enabled (receives mail, may sign in)"), required=False)
    mailbox = TextField(label=_l("Mailbox path"), help_text=_l("Changing it does not move the stored mail."))
    mailhost = HostField(label=_l("Mail host"))
    mailproxy = HostField(label=_l("Mail proxy"))
    hidden = forms.BooleanField(label=_l("Hidden from address books"), required=False)

    ADVANCED = ("mailbox", "mailhost", "mailproxy", "hidden")
    # Edited in their own cards on the account page, whose edit form leaves them out and posts KEEP_ELSEWHERE instead:
    # they then keep their current values, even when the form is saved again after a conflict. (Posted without the
    # mark, as a script may, they apply like any other field.)
    ELSEWHERE = ("aliases", "forwards", "keep_copy", "quota", "enabled")
    KEEP_ELSEWHERE = "keep_elsewhere"

    def __init__(self, *args, account: Account, supports_hidden: bool = True, mailbox_editable: bool = False,
                 **kwargs):
        kwargs.setdefault("initial", {
            "name": account.name, "first_name": account.first_name, "last_name": account.last_name,
            "aliases": account.aliases, "forwards": account.forward_targets, "keep_copy": account.keeps_copy,
            "quota": account.quota_kb, "enabled": account.enabled, "mailbox": account.mailbox,
            "mailhost": account.mailhost, "mailproxy": account.mailproxy, "hidden": account.hidden,
        })
        super().__init__(*args, account=account, **kwargs)
        if self.is_bound and self.data.get(self.KEEP_ELSEWHERE):
            self.data = self.data.copy()
            for name in self.ELSEWHERE:
                self.data[name] = self.fields[name].prepare_value(self.initial[name])
        if not supports_hidden:
            del self.fields["hidden"]
        if not mailbox_editable:
            del self.fields["mailbox"]

    def clean_mailbox(self) -> str:
        path = self.cleaned_data["mailbox"]
        base = addresses.mailbox_base(settings.MAIL_MAILBOX_TEMPLATE)
        # Postfix finds no mailbox for an empty path; a relative or ".." path could point anywhere, and a path
        # outside the base is a directory the mail system was never meant to write (or delete).
        if not path.startswith("/") or posixpath.normpath(path) != path.rstrip("/"):
            raise forms.ValidationError(_("Enter an absolute path without “..”, e.g. /home/vmail/alice/."))
        if not path.startswith(base) or path.rstrip("/") == base.rstrip("/"):
            raise forms.ValidationError(_("The mailbox must be inside %(base)s.") % {"base": base})
        return path

    def clean(self):
        data = super().clean()
        if self.account.mail in data.get("aliases", ()):
            self.add_error("aliases", _("The account's own address cannot also be its alias."))
        return data

    def changes(self) -> dict:
        """The fields that differ from the account as read, in accounts.update_account's vocabulary."""
        data = self.cleaned_data
        forwards = with_copy(data["forwards"], self.account.mail,
                             data["keep_copy"] or self.account.mail in data["forwards"])
        wanted = {key: data[key] for key in ("name", "first_name", "last_name", "enabled", *self.ADVANCED)
                  if key in self.fields}
        wanted |= {"aliases": data["aliases"], "forwards": forwards, "quota_kb": data["quota"]}
        current = {key: getattr(self.account, key) for key in wanted}
        return {key: value for key, value in wanted.items() if not _same(current[key], value)}

    def save(self, directory: Directory, *, actor: str) -> Account | None:
        changes = self.changes()
        return audited_action(self, actor, events.ACCOUNT_UPDATE, self.account.mail,
                              lambda: self._save(directory, changes),
                              old={k: getattr(self.account, k) for k in changes}, new=changes)

    def _save(self, directory: Directory, changes: dict) -> Account | None:
        added = set(changes.get("aliases", ())) - set(self.account.aliases)
        if not check_new_addresses(self, "aliases", sorted(added), directory, self.access):
            return None
        return self.update(directory, changes, "aliases")


def _same(old: object, new: object) -> bool:
    if isinstance(old, tuple):  # multi-valued: the order means nothing to Postfix
        return sorted(old) == sorted(new)  # type: ignore[arg-type]
    return old == new


class QuotaForm(AccountForm):
    """Set the quota (`quota`, human units; empty: no quota rule of its own) or, with `reset` ticked, store the
    domain's default. `save` returns the Account."""

    quota = QuotaField(label=_l("Quota"), required=False, help_text=_l(
        "For example 500M, 1.5G, 204800 (kB) or “unlimited”; empty: no quota rule of its own."))
    reset = forms.BooleanField(label=_l("Set to the domain default"), required=False)

    def __init__(self, *args, account: Account, **kwargs):
        kwargs.setdefault("initial", {"quota": account.quota_kb})
        kwargs.setdefault("auto_id", "quota-%s")  # the account page also holds the edit form's id_quota
        super().__init__(*args, account=account, **kwargs)

    def save(self, directory: Directory, *, actor: str) -> Account | None:
        return audited_action(self, actor, events.ACCOUNT_QUOTA, self.account.mail, lambda: self._save(directory),
                              old={"quota_kb": self.account.quota_kb},
                              new=lambda updated: {"quota_kb": updated.quota_kb if updated else None})

    def quota_to_set(self, directory: Directory) -> int | None:
        """The quota save() would set (the domain's default with `reset`; None: no quota rule of its own): a dry
        run. A domain that is gone adds a form error."""
        if not self.cleaned_data["reset"]:
            return self.cleaned_data["quota"]
        try:
            return ldap_accounts.default_quota(directory, self.account.domain)
        except Invalid as e:
            self.add_error(None, refused_error(e))
            return None

    def _save(self, directory: Directory) -> Account | None:
        quota = self.quota_to_set(directory)
        return None if self.errors else self.update(directory, {"quota_kb": quota}, "quota")


class StatusForm(AccountForm):
    """Enable (`enable=True`) or disable the account: mailenable OK/NONE. `save` returns the updated Account.
    A disabled account receives no mail (it bounces), cannot sign in, and leaves address books."""

    def __init__(self, *args, account: Account, enable: bool, **kwargs):
        self.enable = enable
        super().__init__(*args, account=account, **kwargs)

    def save(self, directory: Directory, *, actor: str) -> Account | None:
        return audited_action(self, actor, events.ACCOUNT_ENABLE if self.enable else events.ACCOUNT_DISABLE,
                              self.account.mail, lambda: self.update(directory, {"enabled": self.enable}),
                              old={"enabled": self.account.enabled}, new={"enabled": self.enable})


class PasswordForm(PasswordFields):
    """Set the password typed twice, or generate one; slapd hashes it (Password Modify), the app never does.
    `save(directory)` returns (account, generated password or None) or None."""

    def __init__(self, *args, account: Account, **kwargs):
        self.account = account
        super().__init__(*args, **kwargs)

    def save(self, directory: Directory, *, actor: str) -> tuple[Account, str | None] | None:
        return audited_action(self, actor, events.ACCOUNT_PASSWORD, self.account.mail, lambda: self._save(directory))

    def _save(self, directory: Directory) -> tuple[Account, str | None] | None:
        try:
            return self.account, ldap_accounts.set_password(directory, self.account, self.cleaned_data["password"])
        except Invalid as e:
            self.password_refused(e)
        except Conflict:
            self.add_error(None, CONFLICT_MESSAGE)
        return None


class RenameAccountForm(AccountForm):
    """Give the account another primary address (`new_address`) in a hosted domain the user administers; the old
    one stays as an alias with `keep_old_as_alias`, and with `move_mailbox` the mailbox path is built again for the
    new address (the mail server's stored mail must then be moved to it). `save(directory)` returns the Account."""

    new_address = AddressField(label=_l("New address"))
    keep_old_as_alias = forms.BooleanField(label=_l("Keep the old address as an alias"), required=False)
    move_mailbox = forms.BooleanField(label=_l("Change the mailbox path to match the new address"), required=False,
                                      help_text=_l("The stored mail does not move: the mail server's administrator "
                                                   "must move the maildir to the new path before the next delivery."))

    def clean(self):
        data = super().clean()
        if data.get("new_address") == self.account.mail:
            self.add_error("new_address", _("This is the account's address already."))
        elif data.get("new_address") and data.get("move_mailbox"):
            try:
                addresses.mailbox_path(settings.MAIL_MAILBOX_TEMPLATE, self.account.uid, data["new_address"])
            except ValueError as e:
                self.add_error("move_mailbox", str(e))
        return data

    def fields_to_set(self) -> dict:
        """The change save() makes, for the page, the audit row and a dry run."""
        data = self.cleaned_data
        return ldap_accounts.renamed_fields(self.account, data["new_address"], keep_old=data["keep_old_as_alias"],
                                            move_mailbox=data["move_mailbox"])

    def check(self, directory: Directory) -> bool:
        """A dry run of save(): the new address must be claimable by this account (True when save() would write)."""
        address = self.cleaned_data["new_address"]
        if check_new_addresses(self, "new_address", [address], directory, self.access):
            check_free(self, "new_address", address, directory, owner_dn=self.account.dn)
        return not self.errors

    def save(self, directory: Directory, *, actor: str) -> Account | None:
        changes = self.fields_to_set()
        return audited_action(self, actor, events.ACCOUNT_RENAME, self.account.mail, lambda: self._save(directory),
                              old={k: getattr(self.account, k) for k in changes}, new=changes)

    def _save(self, directory: Directory) -> Account | None:
        address = self.cleaned_data["new_address"]
        if not check_new_addresses(self, "new_address", [address], directory, self.access):
            return None
        renamed = self.update(directory, self.fields_to_set(), "new_address")
        if renamed is not None:
            follow_renamed_account(directory, renamed.dn)
        return renamed


class RemoveAccountForm(AccountForm):
    """Confirm removal. An entry that is nothing but a mail account is deleted; a person (posixAccount, …) keeps its
    entry and loses only its mail (accounts.plan_removal), unless `delete_entry` is ticked, which only a superadmin
    (or the command line) may do. `remove(directory)` returns (the Removal applied, the DNs of the virtual aliases
    the account left), or None."""

    delete_entry = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("delete_entry") and self.access is not None and not self.access.superadmin:
            raise forms.ValidationError(_("Only a superadmin may delete a person's whole entry."))
        return data

    def plan(self, directory: Directory, *, delete_entry: bool = False) -> ldap_accounts.Removal:
        """What removing would do now, for the confirmation page and a dry run."""
        return ldap_accounts.plan_removal(directory, self.account, delete_entry=delete_entry)

    def remove(self, directory: Directory, *, actor: str) -> tuple[ldap_accounts.Removal, tuple[str, ...]] | None:
        return audited_action(self, actor, events.ACCOUNT_REMOVE, self.account.mail, lambda: self._remove(directory),
                              old=lambda done: _removal_values(self.account, done)[0],
                              new=lambda done: _removal_values(self.account, done)[1])

    def _remove(self, directory: Directory) -> tuple[ldap_accounts.Removal, tuple[str, ...]] | None:
        try:
            removal = ldap_accounts.plan_removal(directory, self.based_on,
                                                 delete_entry=self.cleaned_data["delete_entry"])
            return removal, ldap_accounts.remove_account(directory, removal)
        except Conflict:
            self.conflict()
        except Invalid as e:
            self.add_error(None, refused_error(e))
        return None


def _removal_values(account: Account, done: tuple[ldap_accounts.Removal, tuple[str, ...]] | None) -> tuple[dict, dict]:
    """The audit row's before and after values of a removal: the account as read and, when only its mail went, every
    attribute taken away with its values and the virtual aliases it left, so its mail settings can be put back."""
    old = {field.name: getattr(account, field.name) for field in dataclasses.fields(account)}
    if done is None:
        return old, {}
    removal, left = done
    old |= {"attributes": {name: list(values) for name, values in removal.removed}, "virtual_aliases": list(left)}
    # "kept": the entry stays without the class mailAccount and the attributes listed in `old`.
    return old, {"entry": "deleted" if removal.delete_entry else "kept", "dn": account.dn,
                 "person_classes": list(removal.person_classes)}


class EnableMailForm(forms.Form):
    """Give a person without mail an account: `address` in a hosted domain the user administers, `quota` (empty:
    the domain's default). `save(directory)` returns the new Account."""

    address = AddressField(label=_l("Address"))
    quota = QuotaField(label=_l("Quota"), required=False, help_text=_l("Empty: the domain's default."))

    def __init__(self, *args, person: Person, access: Access | None = None, **kwargs):
        self.person = person
        self.access = access
        kwargs.setdefault("initial", {"address": person.mail})  # a `mail` the person has is the one kept
        super().__init__(*args, **kwargs)

    def save(self, directory: Directory, *, actor: str) -> Account | None:
        wanted = {"uid": self.person.uid, **self.cleaned_data}  # read first: a refusal drops the field
        return audited_action(self, actor, events.ACCOUNT_ENABLE_MAIL, wanted["address"], lambda: self._save(directory),
                              new=wanted)

    def _save(self, directory: Directory) -> Account | None:
        data = self.cleaned_data
        if not check_new_addresses(self, "address", [data["address"]], directory, self.access):
            return None
        new = NewAccount(address=data["address"], uid=self.person.uid, quota_kb=data["quota"])
        try:
            return ldap_accounts.enable_mail(directory, self.person, new)
        except AlreadyExists as e:
            self.add_error("address", in_use_error(directory, e))
        except Conflict:
            self.add_error(None, CONFLICT_MESSAGE)
        except Invalid as e:
            self.add_error(None, refused_error(e))
        return None
