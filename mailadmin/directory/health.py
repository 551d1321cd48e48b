"""Directory health: what Postfix and Dovecot would trip over, found with a fixed number of paged searches (one per
subtree, never one per entry), and the few repairs that are safe to make without a person deciding."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings

from mailadmin.addresses import domain_of, mailbox_path

from . import schema as s
from .changes import delete_values, replace
from .connection import Directory, Record
from .controls import assertion
from .errors import Conflict, Invalid
from .groups import list_groups

DUPLICATE = "duplicate address"
GROUP_ALIAS = "legacy group alias"
MAIL_GROUP_ALIAS = "mail-group alias"
SEVERAL_MAIL = "several mail values"
UNHOSTED_ACCOUNT = "account in unhosted domain"
UNHOSTED_ALIAS = "alias in unhosted domain"
MISSING_FORWARD = "local forward target missing"
GONE_MEMBER = "virtual-alias member gone"
DISABLED_MEMBER = "virtual-alias member disabled"
NO_MAILBOX = "account without mailbox"
BAD_QUOTA = "quota not a non-negative integer"

_ACCOUNT_MAIL, _ACCOUNT_ALIAS, _VIRTUAL_ALIAS = "mail", "alias", "virtual alias"
_ACCOUNT_ATTRS = ("uid", s.MAIL, s.ALIASES, s.FORWARDS, s.ENABLED, s.MAILBOX, s.QUOTA)


@dataclass(frozen=True)
class Finding:
    """One problem: `dn` is the entry to look at, `value` the address, DN or quota concerned, `others` the other
    entries involved (for duplicates). `fixable`: checkdirectory --fix repairs it safely."""

    kind: str
    dn: str
    value: str = ""
    others: tuple[str, ...] = ()
    fixable: bool = False


@dataclass
class _Seen:
    """What the single pass over the directory keeps: hosted domains, address holders, accounts by DN."""

    domains: set[str] = field(default_factory=set)
    holders: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))  # addr -> (dn, how)
    enabled: dict[str, bool] = field(default_factory=dict)  # normalised account DN -> mailenable=OK
    groups: dict[str, str] = field(default_factory=dict)  # address of an MDS mail group -> the group's DN


def _quota_ok(value: str) -> bool:
    return value.isdigit()  # "-1", "10M", " 5" and "" are all refused; digits only is integer >= 0


def _account_findings(record: Record, seen: _Seen) -> Iterator[Finding]:
    mails = record.values(s.MAIL)
    if len(mails) > 1:
        yield Finding(SEVERAL_MAIL, record.dn, " ".join(mails))
    mail = (mails[0] if mails else "").lower()
    if mail and domain_of(mail) not in seen.domains:
        yield Finding(UNHOSTED_ACCOUNT, record.dn, mail)
    for alias in record.values(s.ALIASES):
        if domain_of(alias.lower()) not in seen.domains:
            yield Finding(UNHOSTED_ALIAS, record.dn, alias.lower())
    if not record.first(s.MAILBOX).strip():
        yield Finding(NO_MAILBOX, record.dn, mail, fixable=bool(record.first("uid")))
    quotas = record.values(s.QUOTA)
    if len(quotas) > 1 or (quotas and not _quota_ok(quotas[0])):
        yield Finding(BAD_QUOTA, record.dn, " ".join(quotas))


def _claim(seen: _Seen, record: Record, attr: str, how: str) -> None:
    for value in record.values(attr):
        seen.holders[value.lower()].append((record.dn, how))


def _duplicates(seen: _Seen) -> Iterator[Finding]:
    for address, holders in seen.holders.items():
        if len(holders) < 2:
            continue
        dns = tuple(dn for dn, _how in holders)
        if address in seen.groups:  # copies MMC made of a mail group's address (maybe half migrated): migrategroups
            yield Finding(MAIL_GROUP_ALIAS, seen.groups[address], address, dns)
            continue
        # The old console copied a group's address into the mailalias of every member: report, never "fix".
        legacy = all(how == _ACCOUNT_ALIAS for _dn, how in holders)
        yield Finding(GROUP_ALIAS if legacy else DUPLICATE, dns[0], address, dns[1:])


def _forward_findings(records: list[tuple[str, tuple[str, ...], str]], seen: _Seen) -> Iterator[Finding]:
    for dn, forwards, mail in records:
        for target in forwards:
            target = target.lower()
            if target != mail and domain_of(target) in seen.domains and target not in seen.holders:
                yield Finding(MISSING_FORWARD, dn, target)


def _valias_findings(record: Record, seen: _Seen) -> Iterator[Finding]:
    address = record.first(s.ALIASES).lower()
    if address and domain_of(address) not in seen.domains:
        yield Finding(UNHOSTED_ALIAS, record.dn, address)
    for member in record.values(s.MEMBERS):
        enabled = seen.enabled.get(s.normalise_dn(member))
        if enabled is None:
            yield Finding(GONE_MEMBER, record.dn, member, fixable=True)
        elif not enabled:
            yield Finding(DISABLED_MEMBER, record.dn, member)


def _domain_findings(record: Record) -> Iterator[Finding]:
    quotas = record.values(s.QUOTA)
    if len(quotas) > 1 or (quotas and not _quota_ok(quotas[0])):
        yield Finding(BAD_QUOTA, record.dn, " ".join(quotas))


def check(directory: Directory) -> list[Finding]:
    """Every finding, from four paged searches (domains, accounts, virtual aliases, mail groups) whatever the
    directory's size."""
    seen, findings = _Seen(), []
    seen.groups = {group.address: group.dn for group in list_groups(directory)}
    for record in directory.paged(s.domains_dn(), s.all_domains(), (s.DOMAIN, s.QUOTA)):
        seen.domains.update(v.lower() for v in record.values(s.DOMAIN))
        findings.extend(_domain_findings(record))
    forwards = []
    for record in directory.paged(s.users_dn(), s.accounts_filter(), _ACCOUNT_ATTRS):
        findings.extend(_account_findings(record, seen))
        _claim(seen, record, s.MAIL, _ACCOUNT_MAIL)
        _claim(seen, record, s.ALIASES, _ACCOUNT_ALIAS)
        seen.enabled[s.normalise_dn(record.dn)] = record.first(s.ENABLED).upper() == s.ENABLED_VALUE
        if record.values(s.FORWARDS):
            forwards.append((record.dn, record.values(s.FORWARDS), record.first(s.MAIL).lower()))
    for record in directory.paged(s.aliases_dn(), s.is_class(s.MAIL_ALIAS), s.VALIAS_ATTRS):
        _claim(seen, record, s.ALIASES, _VIRTUAL_ALIAS)
        findings.extend(_valias_findings(record, seen))
    findings.extend(_forward_findings(forwards, seen))
    findings.extend(_duplicates(seen))
    return findings


def fix(directory: Directory, finding: Finding) -> str:
    """Repair a fixable finding with one modify; return what was written. Raises Conflict when the entry changed,
    Invalid when the template cannot make a safe path from the entry's uid."""
    if finding.kind == GONE_MEMBER:
        directory.modify(finding.dn, {s.MEMBERS: delete_values([finding.value])})
        return finding.value
    if finding.kind == NO_MAILBOX:
        record = directory.read(finding.dn, ("uid", s.MAIL))
        if record is None:
            raise Conflict(finding.dn)
        try:
            path = mailbox_path(settings.MAIL_MAILBOX_TEMPLATE, record.first("uid"), record.first(s.MAIL).lower())
        except ValueError as e:  # a uid the template cannot take safely ("../x"): left for a person to decide
            raise Invalid(str(e)) from None
        # Only while the entry still has no mailbox: a path someone set meanwhile is never replaced.
        directory.modify(finding.dn, {s.MAILBOX: replace(path)}, controls=[assertion(s.negate(s.has(s.MAILBOX)))])
        return path
    raise ValueError(f"{finding.kind} is not fixable")
