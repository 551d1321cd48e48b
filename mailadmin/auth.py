"""Sign-in with a mailbox: the address and its mailbox password, checked by an LDAP bind as the entry the user's
role was granted for (its DN and entryUUID, recorded in DirectoryIdentity)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from mailadmin import events
from mailadmin.addresses import normalise_address
from mailadmin.audit import record
from mailadmin.directory import Directory, DirectoryError, connect
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory.connection import password_matches
from mailadmin.directory.signin import SignInEntry, get_sign_in_entry
from mailadmin.models import DirectoryIdentity
from mailadmin.permissions import CONSOLE_USER, console_user


def login_name(text: str) -> str:
    """The one spelling of a sign-in name: an address normalised (case, spaces, trailing dot), anything else stripped
    and lower-cased. Failed sign-ins are counted under it, so every spelling of one account shares one count."""
    try:
        return normalise_address(text)
    except ValueError:
        return (text or "").strip().lower()


def axes_username(request: HttpRequest | None, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: the name failures are counted under: login_name, and for an alias its account's
    primary address. Mail users sign in with an alias too; counted apart, guesses spread over a mailbox's aliases
    would pass the directory's own lockout (pwdMaxFailure), which locks the mailbox for IMAP and SMTP as well."""
    name = login_name((credentials or {}).get("username", ""))
    if "@" not in name:
        return name
    # axes asks several times a sign-in (the lock check, then the failure or success): one lookup a request and name.
    known = request.__dict__.setdefault("_mailadmin_primary_addresses", {}) if request is not None else {}
    if name not in known:
        known[name] = _primary_address(name)
    return known[name]


def _primary_address(address: str) -> str:
    """The primary address of the account that accepts `address`; `address` itself when none does or the directory
    cannot say (a sign-in then fails anyway)."""
    try:
        with connect() as directory:
            account = ldap_accounts.get_account(directory, address)
    except DirectoryError:
        return address
    return account.mail if account else address


def tied_entry(user, address: str) -> SignInEntry | None:
    """The entry `user` signs in as, if it is still the one recorded at grant time (same DN and entryUUID), holds
    `address` as its primary `mail` and is enabled. An entry removed and re-created with the same address, even by
    someone allowed to, is another person's; a pending identity has no entry yet. Raises DirectoryUnavailable."""
    identity = DirectoryIdentity.objects.filter(user=user).first()
    if identity is None or identity.pending:
        return None
    with connect() as directory:
        entry = get_sign_in_entry(directory, identity.dn)
    tied = bool(entry and entry.enabled and entry.mail == address.lower() and entry.dn.lower() == identity.dn.lower()
                and entry.entry_uuid == identity.entry_uuid)
    return entry if tied else None


ANYONE = Q()


def _users_tied_to(entry: SignInEntry, among: Q = ANYONE):
    if not entry.entry_uuid:
        return get_user_model().objects.none()
    return get_user_model().objects.filter(among, directory_identity__entry_uuid=entry.entry_uuid)


def tied_user(entry: SignInEntry, among: Q):
    """The user (of those `among` selects) tied to `entry`, whatever it is named: the tie is the entry's entryUUID,
    which no one can give another entry, recorded at grant time or at a mail user's first sign-in. None if none."""
    return _users_tied_to(entry, among).first()


def follow_rename(user, entry: SignInEntry) -> bool:
    """Name `user` by its tied entry's primary address, when the account was renamed since (by the console, a command
    or another tool), so that its roles and second factor follow the mailbox; audited. False when another user holds
    that name already (the user keeps its own)."""
    users = get_user_model().objects
    if user.username.lower() == entry.mail:
        return True
    if users.filter(username__iexact=entry.mail).exists():
        return False
    former, user.username = user.username, entry.mail
    user.save(update_fields=["username"])
    record("system", events.USER_RENAME, entry.mail, old={"username": former}, new={"username": entry.mail})
    return True


def follow_renamed_account(directory: Directory, dn: str) -> None:
    """After mailadmin renamed the account at `dn`: the users tied to it take its new address as their name now, not
    at their next sign-in, so that the former address names nobody (a new mailbox there signs in as its own owner,
    and the renamed address is a console user's at once, out of reach of those who may not change one)."""
    entry = get_sign_in_entry(directory, dn)
    for user in _users_tied_to(entry) if entry else ():
        follow_rename(user, entry)


def free_address(entry: SignInEntry) -> None:
    """Before `entry` signs in with its primary address: a user still named by that address but tied to another
    entry, which another tool has renamed since, takes that entry's new address (follow_rename). The address then
    signs in as `entry`'s owner, who never inherits that user's roles or second factor. Raises DirectoryUnavailable."""
    stale = _stale_holder(entry.mail, entry.entry_uuid)
    if stale is not None:
        with connect() as directory:
            _follow_if_renamed(directory, stale)


def free_name(directory: Directory, address: str, holder_uuid: str) -> None:
    """free_address() before a role is granted to `address`, whose entry now has entryUUID `holder_uuid` ("" for
    none): the role goes to whoever the address names now, not to a console user another tool renamed away from it."""
    stale = _stale_holder(address, holder_uuid)
    if stale is not None:
        _follow_if_renamed(directory, stale)


def _stale_holder(address: str, holder_uuid: str):
    """The user named `address` but tied to an entry other than the one with entryUUID `holder_uuid`, or None."""
    return (get_user_model().objects.filter(username__iexact=address, directory_identity__entry_uuid__gt="")
            .exclude(directory_identity__entry_uuid=holder_uuid).select_related("directory_identity").first())


def _follow_if_renamed(directory: Directory, user) -> None:
    identity = user.directory_identity
    former = get_sign_in_entry(directory, identity.dn)
    if former and former.entry_uuid == identity.entry_uuid and former.mail != user.username.lower():
        follow_rename(user, former)


def entry_at(directory: Directory, address: str) -> SignInEntry | None:
    """The sign-in entry of the account whose primary address is `address` (normalised), or None: an alias names
    nobody's sign-in."""
    account = ldap_accounts.get_account(directory, address)
    return get_sign_in_entry(directory, account.dn) if account and account.mail == address else None


def _console_user_renamed_to(address: str):
    """The console user tied to the entry whose primary address is now `address`, under a former name, or None."""
    with connect() as directory:
        entry = entry_at(directory, address)
    return tied_user(entry, CONSOLE_USER) if entry else None


def password_stamp(entry: SignInEntry) -> str:
    """A keyed digest of the entry's password state, kept in the session: it differs once the password changed."""
    return salted_hmac("mailadmin.auth.password_stamp", "\n".join(entry.password_state)).hexdigest()


class LDAPBindBackend(ModelBackend):
    """Authenticate `local@domain` by binding as the user's tied entry with the given password (never compared here).

    The entry must still be the one recorded at grant time, hold the address as its primary `mail` and be enabled."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs):
        # An empty password would be an anonymous bind, which LDAP reports as a success: refuse it before any I/O.
        if not username or not password or not password.strip():
            return None
        try:
            address = normalise_address(username)
        except ValueError:
            return None
        # Users are never created here: only a superadmin delegates roles.
        user = console_user(address) or _console_user_renamed_to(address)
        if user is None or not self.user_can_authenticate(user):
            return None
        entry = tied_entry(user, address)
        if entry is None or not password_matches(entry.dn, password) or not follow_rename(user, entry):
            return None
        user.password_stamp = password_stamp(entry)  # for the session (mailadmin.sessions)
        return user


def forget_failures(sender, request: HttpRequest, user, **kwargs) -> None:
    """user_logged_in: clear this login's failed attempts, and only these (axes' own reset-on-success also clears
    every failure of the client address, so a success on one's own account would reset guesses at another's)."""
    from axes.models import AccessAttempt  # axes' models load with the app registry, after this module

    AccessAttempt.objects.filter(username=login_name(user.get_username())).delete()
