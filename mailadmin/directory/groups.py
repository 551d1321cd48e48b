"""MDS mail groups: POSIX groups under ou=Groups with the auxiliary class mailGroup and an address (`mail`).

MMC delivered a group's mail by copying its address into the `mailalias` of every member (`memberUid` = uid), so
Postfix's alias map answers with every member. migrate_group turns a group into a virtual alias (members by DN),
then takes the copies away: in that order the address always has an answer, first from the copies, then from the
virtual alias (Postfix uses the first alias table that answers, and the account aliases come first).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.utils.translation import gettext as _

from mailadmin.addresses import display_address, domain_of

from . import schema as s
from .accounts import Account, accounts_with_alias, accounts_with_uids
from .aliases import VirtualAlias, create_valias, get_valias
from .changes import delete_values
from .claims import ACCOUNT, uses
from .connection import Directory, Record
from .errors import Conflict

GROUP_ATTRS = ("cn", s.MAIL, "memberUid", s.HIDDEN)


@dataclass(frozen=True)
class MailGroup:
    dn: str
    name: str  # cn
    address: str
    member_uids: tuple[str, ...]
    hidden: bool  # mailhidden: YES, for address books

    @property
    def domain(self) -> str:
        return domain_of(self.address)


@dataclass(frozen=True)
class Member:
    uid: str
    account: Account | None  # None: no mail account (a person without mail, or no entry at all)
    holds_copy: bool  # its mailalias holds the group's address, as MMC copied it


def _group(record: Record) -> MailGroup:
    return MailGroup(
        dn=record.dn, name=record.first("cn"), address=record.first(s.MAIL).lower(),
        member_uids=record.values("memberUid"), hidden=record.first(s.HIDDEN).upper() == s.HIDDEN_VALUE,
    )


def _search(directory: Directory, flt: str) -> list[MailGroup]:
    """Groups matching `flt`, sorted by address; none when the directory has no groups OU."""
    if directory.read(s.groups_dn(), ("1.1",)) is None:
        return []
    return sorted((_group(r) for r in directory.paged(s.groups_dn(), flt, GROUP_ATTRS)), key=lambda g: g.address)


def list_groups(directory: Directory, domains: Collection[str] | None = None) -> list[MailGroup]:
    """Mail groups whose address is in `domains` (None: all), sorted by address."""
    return [g for g in _search(directory, s.mail_groups()) if domains is None or g.domain in domains]


def get_group(directory: Directory, name: str) -> MailGroup | None:
    """The mail group whose cn is `name`, or None."""
    found = _search(directory, s.mail_group_named(name))
    return found[0] if found else None


def groups_with_address(directory: Directory, address: str) -> list[MailGroup]:
    return _search(directory, s.mail_groups_with_address(address))


def members(directory: Directory, group: MailGroup) -> list[Member]:
    """Each memberUid with its account (one search for all of them)."""
    accounts = accounts_with_uids(directory, group.member_uids)
    found = []
    for uid in group.member_uids:
        account = accounts.get(uid.lower())
        found.append(Member(uid, account, account is not None and group.address in account.aliases))
    return found


@dataclass(frozen=True)
class MigrationPlan:
    """What migrate_group does: create the virtual alias (unless `valias` exists) with `member_dns`, then remove
    the address from the aliases of `copies`. `problem` says why it cannot be done ("" when it can)."""

    group: MailGroup
    member_dns: tuple[str, ...]
    copies: tuple[Account, ...]
    valias: VirtualAlias | None
    problem: str = ""

    @property
    def done(self) -> bool:
        return self.valias is not None and not self.copies


def _problem(directory: Directory, group: MailGroup, copies: list[Account], member_dns: list[str],
             valias: VirtualAlias | None) -> str:
    """Why migrating would lose or misroute mail, or ""."""
    values = {"address": display_address(group.address)}
    strangers = [a.mail for a in copies if a.uid.lower() not in {u.lower() for u in group.member_uids}]
    if strangers:
        return _("%(accounts)s hold %(address)s as an alias but are not members of the group: add them to it or "
                 "remove that alias first.") % {**values, "accounts": ", ".join(map(display_address, strangers))}
    if any(use.kind == ACCOUNT for use in uses(directory, group.address)):
        return _("%(address)s is the primary address of an account.") % values
    if valias is not None and not valias.enabled:
        return _("The virtual alias %(address)s exists but is disabled: enable it first.") % values
    if valias is None and not member_dns:
        return _("No member of the group has a mail account.")
    return ""


def plan_migration(directory: Directory, group: MailGroup) -> MigrationPlan:
    """What migrating `group` would do now, or why it cannot (three searches)."""
    member_dns = sorted(a.dn for a in accounts_with_uids(directory, group.member_uids).values())
    copies = accounts_with_alias(directory, group.address)
    valias = get_valias(directory, group.address)
    problem = _problem(directory, group, copies, member_dns, valias)
    return MigrationPlan(group, tuple(member_dns), tuple(copies), valias, problem)


def migration_blocker(directory: Directory) -> str:
    """Why no group can become a virtual alias in this directory, or "": the schema lacks the mailAlias class or
    mailaliasmember (an older MDS schema), or there is no entry to put virtual aliases under."""
    if not directory.features.virtual_alias_members:
        return _("The directory's schema has no mailAlias class or no mailaliasmember attribute (an older MDS "
                 "schema), so it cannot hold virtual aliases: load the current mail schema first.")
    if directory.read(s.aliases_dn(), ("1.1",)) is None:
        return _("There is no %(dn)s to hold virtual aliases: `manage.py initdirectory` creates it.") % {
            "dn": s.aliases_dn()}
    return ""


CREATED, UNCOPIED = "created", "uncopied"


def migrate_group(directory: Directory, plan: MigrationPlan,
                  after: Callable[[str, str], None] = lambda step, dn: None) -> None:
    """Carry out `plan` (which must have no problem): create the virtual alias while the copies still answer for the
    address, then remove the copies one account at a time. `after(step, dn)` is called after each write, with
    CREATED and the virtual alias' DN or UNCOPIED and the account's DN, so each step can be audited as it happens.

    Between the first and the last account's write, mail to the address reaches only the members still holding
    their copy: one modify per account, as LDAP cannot change several entries at once. It is never refused.
    An interrupted migration is finished by running it again. Raises Conflict when the directory changed meanwhile,
    AlreadyExists when something else took the address (e.g. the unique overlay on mailalias)."""
    if plan.problem:
        raise ValueError(plan.problem)
    if plan.valias is None:
        created = create_valias(directory, plan.group.address, members=plan.member_dns,
                                handing_over=[a.dn for a in plan.copies])
        after(CREATED, created.dn)
    for account in plan.copies:
        try:
            directory.modify(account.dn, {s.ALIASES: delete_values([plan.group.address])})
        except Conflict:  # already gone (removed by hand, or by a migration running at the same time)
            continue
        after(UNCOPIED, account.dn)
