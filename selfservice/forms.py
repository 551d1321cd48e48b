"""Self-service forms: a mail user's own password. Forwards reuse mailadmin.accountforms.AccountAddressForm, the
vacation reply mailadmin.vacation.VacationForm, as the account page does."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _l

from mailadmin import events
from mailadmin.accountforms import PASSWORD_MAX, PasswordFields
from mailadmin.audit import audited_action
from mailadmin.directory import Conflict, Invalid
from mailadmin.directory.accounts import Account
from mailadmin.directory.connection import bound_as
from mailadmin.fields import CONFLICT_MESSAGE


class OwnPasswordForm(PasswordFields):
    """The current password, then the new one twice. `save()` sends Password Modify bound as the account itself,
    with the old password, so the directory's ACLs and password policy judge it as for any mail client."""

    old_password = forms.CharField(label=_l("Current password"), strip=False, max_length=PASSWORD_MAX,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    field_order = ["old_password", "password", "password2"]

    def __init__(self, *args, account: Account, **kwargs):
        self.account = account
        super().__init__(*args, **kwargs)
        del self.fields["generate"]  # a mail user chooses their own password

    def save(self, *, actor: str) -> Account | None:
        """Send the change and write its audit row (`events.ACCOUNT_PASSWORD`, refusals included)."""
        return audited_action(self, actor, events.ACCOUNT_PASSWORD, self.account.mail, self._save)

    def _save(self) -> Account | None:
        directory = bound_as(self.account.dn, self.cleaned_data["old_password"])
        if directory is None:
            self.add_error("old_password", _l("The current password is wrong."))
            return None
        try:
            directory.set_password(self.account.dn, self.cleaned_data["password"], self.cleaned_data["old_password"])
            return self.account
        except Invalid as e:
            self.password_refused(e)
        except Conflict:
            self.add_error(None, CONFLICT_MESSAGE)
        finally:
            directory.close()
        return None
