"""Who may see and change what. Roles live in Django's database (mailadmin.models.Role); superadmins are
Django superusers. Views never check roles inline: each app's lookup helper asks an Access.

- superadmin: everything.
- domain admin of D: everything inside D, except accounts whose address is itself an admin (equal or higher rank)
  and the reserved postmaster@/abuse@ addresses, which it may not remove, disable or re-point (forwards, or a
  mailhost, which the generated transport map relays to another server).
- helpdesk (of D, or of every domain when its role has no domain): sees the domain, and changes only quota,
  password and enabled on plain mailboxes (never on admins, never disabling postmaster@/abuse@).
- auditor: sees every domain and the whole audit log, and changes nothing: every POST it sends is refused
  (ReadOnlyAuditorMiddleware), whatever other role it holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Q

from mailadmin.addresses import split_address
from mailadmin.models import DirectoryIdentity

if TYPE_CHECKING:
    from mailadmin.directory.accounts import Account

RESERVED_LOCAL_PARTS = frozenset({"postmaster", "abuse"})
# What re-points or removes a reserved address: its status, forwards, removal, the address itself, and mailhost.
RESERVED_FIELDS = frozenset({"enabled", "forwards", "remove", "address", "mailhost"})
HELPDESK_FIELDS = frozenset({"quota_kb", "enabled", "password"})


@dataclass(frozen=True)
class Access:
    superadmin: bool
    admin_of: frozenset[str]
    helpdesk_of: frozenset[str]
    helpdesk_everywhere: bool = False
    auditor: bool = False

    def sees(self, domain: str) -> bool:
        """May see the domain and what is in it (otherwise: 404, so existence stays hidden)."""
        return (self.superadmin or self.auditor or self.helpdesk_everywhere or domain.lower() in self.admin_of
                or domain.lower() in self.helpdesk_of)

    def administers(self, domain: str) -> bool:
        return self.superadmin or (not self.auditor and domain.lower() in self.admin_of)

    @property
    def scope(self) -> frozenset[str] | None:
        """The domains this user sees, or None when it sees every domain (for scoping searches and counts)."""
        if self.superadmin or self.auditor or self.helpdesk_everywhere:
            return None
        return self.admin_of | self.helpdesk_of

    def visible(self, domains):
        """Filter a list of objects with a `.name` (domains) to those this user sees."""
        return [d for d in domains if self.sees(d.name)]

    def may_change_account(self, address: str, fields: frozenset[str] | set[str]) -> bool:
        """May change `fields` of the account `address` (403 otherwise)."""
        domain = split_address(address)[1]
        if self.superadmin:
            return True
        if self.auditor:
            return False
        if is_admin_address(address):
            return False  # equal or higher rank: only a superadmin changes an admin's own mailbox
        if is_reserved(address) and fields & RESERVED_FIELDS:
            return False  # nor does the helpdesk, whose rank is below the domain admin's
        if self.administers(domain):
            return True
        return self.sees(domain) and set(fields) <= HELPDESK_FIELDS

    def outranks_signer(self, account: Account) -> bool:
        """Whether the user outranks whoever signs in as the account's entry. A console user still named by its
        former address (another tool renamed or moved its mailbox since its last sign-in) signs in as it too: only
        a superadmin may change it, or a password or quota set by a domain admin or the helpdesk would reach that
        user's mailbox."""
        return self.superadmin or not is_console_entry(account.dn, account.entry_uuid)

    def may_create_in(self, domain: str) -> bool:
        return self.administers(domain)


def is_reserved(address: str) -> bool:
    return split_address(address)[0].lower() in RESERVED_LOCAL_PARTS


CONSOLE_USER = Q(is_superuser=True) | Q(mail_roles__isnull=False)


def console_user(username: str):
    """The user named `username` (in any case) if it may use the console: a superadmin or the holder of a role."""
    return get_user_model().objects.filter(CONSOLE_USER, username__iexact=username).first()


def is_admin_address(address: str) -> bool:
    """True when a console user signs in with this address and holds a role or is a superadmin."""
    return console_user(address) is not None


def is_console_entry(dn: str, entry_uuid: str = "") -> bool:
    """True when a console user (holding a role, or a superadmin) signs in as the entry `dn`, recorded at grant time,
    or as the entry with entryUUID `entry_uuid` wherever another tool has moved it since (MMC renames a login with a
    modrdn)."""
    users = get_user_model().objects.filter(CONSOLE_USER)
    same_entry = Q(dn__iexact=dn) | Q(entry_uuid=entry_uuid) if entry_uuid else Q(dn__iexact=dn)
    return DirectoryIdentity.objects.filter(same_entry, user__in=users).exists()


def access_for(user) -> Access:
    """The Access of a signed-in user, computed once per request."""
    cached = getattr(user, "_mail_access", None)
    if cached is not None:
        return cached
    roles = list(user.mail_roles.all()) if user.is_authenticated else []
    access = Access(
        superadmin=bool(user.is_authenticated and user.is_superuser),
        admin_of=frozenset(r.domain.lower() for r in roles if r.kind == "domain_admin" and r.domain),
        helpdesk_of=frozenset(r.domain.lower() for r in roles if r.kind == "helpdesk" and r.domain),
        helpdesk_everywhere=any(r.kind == "helpdesk" and not r.domain for r in roles),
        auditor=any(r.kind == "auditor" for r in roles),
    )
    user._mail_access = access
    return access
