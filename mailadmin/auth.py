"""Sign-in with a mailbox: the address and its mailbox password, checked by an LDAP bind as the account's entry."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from mailadmin.addresses import normalise_address
from mailadmin.directory import connect
from mailadmin.directory.accounts import get_account
from mailadmin.directory.connection import password_matches


def _console_user(address: str):
    """The Django user named `address`, if it may use the console: a superadmin or the holder of a role.

    Users are never created here: superadmins delegate roles, and only then may an address sign in."""
    user = get_user_model().objects.filter(username__iexact=address).first()
    if user is None or not (user.is_superuser or user.mail_roles.exists()):
        return None
    return user


class LDAPBindBackend(ModelBackend):
    """Authenticate `local@domain` by binding as that account's DN with the given password (never compared here).

    The account must be enabled (mailenable OK) and the address must be its primary `mail`, as for Dovecot."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs):
        # An empty password would be an anonymous bind, which LDAP reports as a success: refuse it before any I/O.
        if not username or not password or not password.strip():
            return None
        try:
            address = normalise_address(username)
        except ValueError:
            return None
        user = _console_user(address)
        if user is None or not self.user_can_authenticate(user):
            return None
        with connect() as directory:
            account = get_account(directory, address)
        if account is None or account.mail != address or not account.enabled:
            return None
        return user if password_matches(account.dn, password) else None
