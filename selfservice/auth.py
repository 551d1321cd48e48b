"""Sign-in of plain mail users (no role): an address or alias and the mailbox password, checked by an LDAP bind as
the account's own entry. Console users (roles, superadmins) are left to mailadmin.auth.LDAPBindBackend."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from mailadmin.addresses import normalise_address
from mailadmin.auth import follow_rename, free_address, password_stamp, tied_user
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory import connect
from mailadmin.directory.connection import password_matches
from mailadmin.directory.signin import SignInEntry, get_sign_in_entry
from mailadmin.models import DirectoryIdentity
from mailadmin.permissions import CONSOLE_USER, console_user, is_console_entry
from mailadmin.self_service import self_service_allowed


def _mail_entry(address: str) -> SignInEntry | None:
    """The enabled entry accepting `address` (primary or alias) when its domain allows self-service."""
    with connect() as directory:
        account = ldap_accounts.get_account(directory, address)
        if account is None or not account.enabled or not self_service_allowed(account.domain):
            return None
        return get_sign_in_entry(directory, account.dn)


def _tie(entry: SignInEntry):
    """The Django user standing for the entry (named by its primary address, no local password), tied to the entry
    just bound as: the session checks of mailadmin.sessions then end its sessions like a console user's. The second
    factor hangs on this user, which every sign-in finds again."""
    user = tied_user(entry, ~CONSOLE_USER)  # a console user's entry signs in through the console's backend only
    if user is None or not follow_rename(user, entry):
        user, created = get_user_model().objects.get_or_create(username=entry.mail)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
    DirectoryIdentity.objects.update_or_create(user=user, defaults={"dn": entry.dn, "entry_uuid": entry.entry_uuid})
    return user


class MailUserBackend(ModelBackend):
    """Authenticate a plain mail account by binding as its entry with the given password (never compared here)."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs):
        if not username or not password or not password.strip():
            return None  # an empty password would be an anonymous bind, which "succeeds"
        try:
            address = normalise_address(username)
        except ValueError:
            return None
        entry = _mail_entry(address)
        if entry is None or not entry.enabled:
            return None
        # Free the address from a user whose mailbox another tool renamed: its roles are not this entry's. It only
        # names that user as its own entry is named now, so it may come before the password (the checks below keep
        # a console user's entry from a second bind, which the directory would count as a second failure).
        free_address(entry)
        # A console user's entry signs in through its role only (tied at grant time), never as a plain mail user.
        if console_user(entry.mail) or is_console_entry(entry.dn, entry.entry_uuid):
            return None
        if not password_matches(entry.dn, password):
            return None
        user = _tie(entry)
        if not self.user_can_authenticate(user):
            return None
        user.password_stamp = password_stamp(entry)  # for the session (mailadmin.sessions)
        return user
