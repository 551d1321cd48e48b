"""Resetting every account of a domain to the domain's default quota: the one action the domain page and
`resetquota --domain` share (one audit row for the domain). It lives in the shared layer because the domain page
(domains/) and the command (accounts/) may not import each other's app."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from django import forms

from mailadmin import events
from mailadmin.addresses import display_address
from mailadmin.audit import audited_action
from mailadmin.directory import Conflict, Directory, Invalid
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory.accounts import Account
from mailadmin.directory.domains import MailDomain
from mailadmin.fields import refused_error
from mailadmin.permissions import Access


@dataclass(frozen=True)
class QuotaReset:
    """What resetting a domain's quotas does: its `default` (kB), the accounts to change, how many have it already,
    and how many the user may not change (console users' own mailboxes, for anyone below a superadmin)."""

    default: int
    accounts: tuple[Account, ...]
    unchanged: int
    not_allowed: int
    failed: tuple[str, ...] = ()  # addresses the directory refused to change (changed meanwhile, or refused)

    @property
    def changed(self) -> int:
        return len(self.accounts) - len(self.failed)


class DomainQuotaResetForm(forms.Form):
    """Put every account of the domain back to its default quota, in one pass. `access=None`: the command line.
    `plan(directory)` says what would change (the confirmation, a dry run); `save(directory)` returns the QuotaReset
    applied (with the refused addresses in `failed`), or None."""

    def __init__(self, *args, domain: MailDomain, access: Access | None = None, **kwargs):
        self.domain = domain
        self.access = access
        super().__init__(*args, **kwargs)

    def plan(self, directory: Directory) -> QuotaReset | None:
        try:
            default, differ, unchanged = ldap_accounts.quota_resets(directory, self.domain.name)
        except Invalid as e:
            self.add_error(None, refused_error(e))
            return None
        allowed = tuple(a for a in differ if self.access is None or self._may_reset(a))
        return QuotaReset(default, allowed, unchanged, len(differ) - len(allowed))

    def _may_reset(self, account: Account) -> bool:
        return self.access.outranks_signer(account) and self.access.may_change_account(account.mail, {"quota_kb"})

    def save(self, directory: Directory, *, actor: str, step: Callable[[], None] = lambda: None) -> QuotaReset | None:
        """One audit row for the whole domain; `step()` after each account (the command's progress bar)."""
        return audited_action(self, actor, events.DOMAIN_QUOTA_RESET, self.domain.name,
                              lambda: self._save(directory, step), new=lambda done: _reset_values(done))

    def _save(self, directory: Directory, step: Callable[[], None]) -> QuotaReset | None:
        reset = self.plan(directory)
        if reset is None:
            return None
        failed = []
        for account in reset.accounts:
            try:
                ldap_accounts.update_account(directory, account, {"quota_kb": reset.default})
            except (Conflict, Invalid):
                failed.append(account.mail)
            step()
        return dataclasses.replace(reset, failed=tuple(failed))


def _reset_values(done: QuotaReset | None) -> dict:
    """The audit row of a domain-wide reset: the quota set and every address changed or refused."""
    if done is None:
        return {}
    return {"quota_kb": done.default, "failed": list(done.failed),
            "changed": [display_address(a.mail) for a in done.accounts if a.mail not in done.failed]}
