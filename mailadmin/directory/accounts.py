"""Mail accounts: person entries under ou=Users that carry the auxiliary class mailAccount."""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from mailadmin.addresses import domain_of, mailbox_path

from . import ownwrites, remembered, subschema
from . import schema as s
from .changes import add_values, delete_values, replace, replace_values, values_delta
from .claims import claim_lock, ensure_free
from .connection import Directory, Record
from .controls import assertion, sort, vlv, vlv_total
from .errors import AlreadyExists, Conflict, DirectoryError, Invalid, OutOfRange, SizeLimited

if TYPE_CHECKING:
    from .domains import MailDomain


@dataclass(frozen=True)
class Account:
    dn: str
    uid: str
    mail: str  # the one primary address and login
    name: str  # cn
    first_name: str
    last_name: str
    aliases: tuple[str, ...]
    forwards: tuple[str, ...]  # maildrop; the account's own address among them means "keep a copy"
    enabled: bool
    quota_kb: int | None  # None: no mailuserquota; 0: unlimited
    mailbox: str
    mailhost: str
    mailproxy: str
    hidden: bool
    csn: str  # entryCSN: the version this copy was read at
    extra_mail: tuple[str, ...] = ()  # further `mail` values: a legacy anomaly (a second mailbox), shown, never written
    entry_uuid: str = ""  # entryUUID: the entry whoever it is named or wherever it is moved (a console user's tie)

    @property
    def domain(self) -> str:
        return domain_of(self.mail)

    @property
    def keeps_copy(self) -> bool:
        return self.mail.lower() in (f.lower() for f in self.forwards)

    @property
    def forward_targets(self) -> tuple[str, ...]:
        """Forwards other than the account's own address."""
        return tuple(f for f in self.forwards if f.lower() != self.mail.lower())

    @property
    def addresses(self) -> tuple[str, ...]:
        return (self.mail, *self.aliases)


@dataclass(frozen=True)
class NewAccount:
    address: str
    uid: str
    first_name: str = ""
    last_name: str = ""
    quota_kb: int | None = None  # None: the domain's default
    aliases: tuple[str, ...] = ()
    forwards: tuple[str, ...] = ()
    keep_copy: bool = False
    enabled: bool = True

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.address


@dataclass(frozen=True)
class AccountPage:
    accounts: tuple[Account, ...]
    total: int
    page: int
    per_page: int
    as_of: datetime | None = None  # set when the page comes from a remembered order that may lag (remembered.py)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class Person:
    """A directory person without mail (no mailAccount class)."""

    dn: str
    uid: str
    name: str
    mail: str


def _int_or_none(value: str) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def account_from_record(record: Record) -> Account:
    mails = record.values(s.MAIL)
    return Account(
        dn=record.dn,
        uid=record.first("uid"),
        mail=(mails[0] if mails else "").lower(),
        name=record.first("cn"),
        first_name=record.first("givenName"),
        last_name=record.first("sn"),
        aliases=tuple(v.lower() for v in record.values(s.ALIASES)),
        forwards=tuple(v.lower() for v in record.values(s.FORWARDS)),
        enabled=record.first(s.ENABLED).upper() == s.ENABLED_VALUE,
        quota_kb=_int_or_none(record.first(s.QUOTA)),
        mailbox=record.first(s.MAILBOX),
        mailhost=record.first(s.MAILHOST),
        mailproxy=record.first(s.MAILPROXY),
        hidden=record.first(s.HIDDEN).upper() == s.HIDDEN_VALUE,
        csn=record.first(s.CSN),
        extra_mail=tuple(v.lower() for v in mails[1:]),
        entry_uuid=record.first(s.UUID).lower(),
    )


def get_account(directory: Directory, address: str) -> Account | None:
    """The account whose primary address or alias is `address`, or None (primary address wins over an alias)."""
    records = directory.find(s.users_dn(), s.account_by_address(address), s.ACCOUNT_ATTRS, limit=20)
    accounts = [account_from_record(r) for r in records]
    for account in accounts:
        if account.mail == address:
            return account
    return accounts[0] if accounts else None


def get_account_by_dn(directory: Directory, dn: str) -> Account | None:
    record = directory.read(dn, s.ACCOUNT_ATTRS)
    if record is None or s.MAIL_ACCOUNT.lower() not in {c.lower() for c in record.values("objectClass")}:
        return None
    return account_from_record(record)


def accounts_with_uids(directory: Directory, uids: Collection[str]) -> dict[str, Account]:
    """The accounts among `uids` by lower-case uid (one search; people without mail are not accounts)."""
    if not uids:
        return {}
    records = directory.find(s.users_dn(), s.all_of(s.accounts_filter(), s.with_uids(uids)), s.ACCOUNT_ATTRS)
    return {account.uid.lower(): account for account in map(account_from_record, records)}


def accounts_with_alias(directory: Directory, address: str) -> list[Account]:
    """Every account whose mailalias holds `address` (several for a group address MMC copied to its members)."""
    records = directory.find(s.users_dn(), s.all_of(s.accounts_filter(), s.eq(s.ALIASES, address)), s.ACCOUNT_ATTRS)
    return sorted(map(account_from_record, records), key=lambda a: a.mail)


def list_domain_accounts(
    directory: Directory, domain: str, *, page: int = 1, per_page: int = 50, text: str = ""
) -> AccountPage:
    """One page of a domain's accounts sorted by address. Without a filter text, from the domain's remembered order
    (remembered.py) when remembering is on. Otherwise one search, a server-side sorted window (VLV), or without VLV (a
    stock slapd) the addresses alone, paged and sorted here, then the page's entries read by one search.

    A page past the end comes back empty, with the right total (one more search, in that case only)."""
    page = max(page, 1)
    flt = s.domain_members(domain, text)
    if not text and remembered.enabled():
        try:
            return _page_in_order(directory, domain, flt, page, per_page)
        except SizeLimited:
            if not directory.features.vlv:
                raise
            # The bind account may not page through the whole domain, but slapd's sorted windows are not cut.
    return _page_searched(directory, flt, page, per_page)


def list_accounts(
    directory: Directory, *, disabled: bool = False, text: str = "", domains: Collection[str] | None = None,
    page: int = 1, per_page: int = 50,
) -> AccountPage:
    """One page of every account of `domains` (None: every domain) — only the disabled ones with `disabled`, only
    those the search box finds for `text` with `text` —, sorted by address: a server-side sorted window (VLV), or
    without VLV (a stock slapd) the addresses alone, paged and sorted here, then the page's entries read by one
    search. Never from a remembered order: those are kept per domain."""
    page = max(page, 1)
    flt = s.disabled_accounts() if disabled else s.accounts_filter()
    if text:
        flt = s.all_of(flt, s.search_text(text))
    if domains is not None:
        if not domains:
            return AccountPage((), 0, page, per_page)
        flt = s.all_of(flt, s.in_domains(domains))
    return _page_searched(directory, flt, page, per_page)


def _page_searched(directory: Directory, flt: str, page: int, per_page: int) -> AccountPage:
    """The page by one search: a server-side sorted window where slapd offers VLV, else sorted here."""
    if not directory.features.vlv:
        return _page_sorted_here(directory, flt, page, per_page)
    return _page_sorted_by_slapd(directory, flt, page, per_page)


def _page_sorted_by_slapd(directory: Directory, flt: str, page: int, per_page: int) -> AccountPage:
    """The page as a server-side sorted window (VLV): one search."""
    try:
        records, result = directory.search(
            s.users_dn(), flt, s.ACCOUNT_ATTRS, controls=[sort(s.MAIL), vlv((page - 1) * per_page + 1, per_page)]
        )
    except OutOfRange:
        _first, result = directory.search(s.users_dn(), flt, ("1.1",), controls=[sort(s.MAIL), vlv(1, 1)])
        return AccountPage((), vlv_total(result), page, per_page)
    return AccountPage(tuple(account_from_record(r) for r in records), vlv_total(result), page, per_page)


def _addresses(directory: Directory, flt: str) -> Iterator[tuple[str, str]]:
    """The (lower-case address, DN as sent) of every match, streamed: neither slapd nor ldap3 sorts or decodes whole
    entries. The DNs are normalised only for the page shown (_entries): for all of them, that took longer than the
    paged searches."""
    for record in directory.stream(s.users_dn(), flt, (s.MAIL,)):
        yield record.first(s.MAIL).lower(), record.dn


def _page_in_order(directory: Directory, domain: str, flt: str, page: int, per_page: int) -> AccountPage:
    """The page from the domain's (address, DN) pairs in order, remembered: sorted here once, then a page costs
    reading its slice and one search for its entries, whatever the domain's size or the page's position."""
    start = (page - 1) * per_page
    order = _order_window(directory, domain, flt, start, start + per_page)
    return AccountPage(_entries(directory, flt, order.items), order.total, page, per_page, order.as_of)


def _order_window(directory: Directory, domain: str, flt: str, start: int, stop: int) -> remembered.Window:
    return remembered.window(
        directory, remembered.order_of(domain), lambda fresh: sorted(_addresses(fresh, flt)), start, stop
    )


def remember_order(directory: Directory, domain: str) -> int:
    """Have the domain's order remembered as its first page would (warmup.py); its number of accounts."""
    return _order_window(directory, domain, s.domain_members(domain), 0, 0).total


def _page_sorted_here(directory: Directory, flt: str, page: int, per_page: int) -> AccountPage:
    """The page without server-side sorting: the (address, DN) pairs stream by page by page and only the first
    page * per_page smallest are kept (heapq), so memory grows with the page asked for, never with whole entries."""
    total = 0

    def counted() -> Iterator[tuple[str, str]]:
        nonlocal total
        for pair in _addresses(directory, flt):
            total += 1
            yield pair

    shown = heapq.nsmallest(page * per_page, counted())[(page - 1) * per_page:]
    return AccountPage(_entries(directory, flt, shown), total, page, per_page)


def _entries(directory: Directory, flt: str, shown: Sequence[tuple[str, str]]) -> tuple[Account, ...]:
    """The accounts of the (address, DN) pairs, in their order, read by one search; those gone since are left out."""
    if not shown:
        return ()
    wanted = s.all_of(flt, s.any_of(*(s.eq(s.MAIL, address) for address, _dn in shown)))
    by_dn = {s.normalise_dn(r.dn): r for r in directory.find(s.users_dn(), wanted, s.ACCOUNT_ATTRS)}
    found = (by_dn.get(s.normalise_dn(dn)) for _address, dn in shown)
    return tuple(account_from_record(record) for record in found if record is not None)


def search_accounts(
    directory: Directory, text: str, *, limit: int = 50, domains: Collection[str] | None = None,
) -> tuple[list[Account], bool]:
    """Accounts matching an address, alias, name or uid, in `domains` (None: anywhere); True when there were more
    than `limit`. The domains are part of the filter, so other domains' accounts never fill the limit."""
    if domains is not None and not domains:
        return [], False
    flt = s.search_text(text)
    flt = flt if domains is None else s.all_of(flt, s.in_domains(domains))
    records = directory.find(s.users_dn(), flt, s.ACCOUNT_ATTRS, limit=limit + 1)
    accounts = sorted((account_from_record(r) for r in records), key=lambda a: a.mail)
    return accounts[:limit], len(accounts) > limit


_PERSON_ATTRS = ("uid", "cn", s.MAIL)


def _person(record: Record) -> Person:
    return Person(record.dn, record.first("uid"), record.first("cn"), record.first(s.MAIL))


def search_people(directory: Directory, text: str = "", *, limit: int = 50,
                  domains: Collection[str] | None = None) -> list[Person]:
    """Directory persons that have no mail account yet; with `domains`, only those whose `mail` is in one of them."""
    if domains is not None and not domains:
        return []
    records = directory.find(s.users_dn(), s.people_without_mail(text, domains), _PERSON_ATTRS, limit=limit)
    return sorted((_person(r) for r in records), key=lambda p: p.uid)


def get_person(directory: Directory, uid: str) -> Person | None:
    """The person with this uid that has no mail account yet, or None."""
    records = directory.find(s.users_dn(), s.person_by_uid(uid), _PERSON_ATTRS, limit=2)
    return _person(records[0]) if records else None


def _new_mail_attributes(new: NewAccount, uid: str, quota_kb: int | None) -> dict:
    """The mail attributes of a new account (or of a person given mail): address, status, mailbox, quota, aliases,
    forwards (with the own address among them to keep a copy)."""
    forwards = [*new.forwards, new.address] if new.keep_copy and new.forwards else list(new.forwards)
    attrs: dict = {
        s.MAIL: new.address,
        s.ENABLED: s.ENABLED_VALUE if new.enabled else s.DISABLED_VALUE,
        s.MAILBOX: mailbox_path(settings.MAIL_MAILBOX_TEMPLATE, uid, new.address),
    }
    if quota_kb is not None:
        attrs[s.QUOTA] = str(quota_kb)
    if new.aliases:
        attrs[s.ALIASES] = list(new.aliases)
    if forwards:
        attrs[s.FORWARDS] = forwards
    return attrs


def account_attributes(new: NewAccount, quota_kb: int | None, *, name: str = "") -> dict:
    """Every attribute of a new account entry but its password: the one place they are built, for the console, the
    commands and the import. `name`: a display name other than "First Last"."""
    attrs = {"uid": new.uid, "cn": name or new.name, "sn": new.last_name or new.uid,
             **_new_mail_attributes(new, new.uid, quota_kb)}
    if new.first_name:
        attrs["givenName"] = new.first_name
    return attrs


def quota_rule(domain: MailDomain) -> int:
    """The quota (kB) a new account of `domain` gets: the domain's default, else MAIL_DEFAULT_QUOTA."""
    return domain.default_quota_kb if domain.default_quota_kb is not None else settings.MAIL_DEFAULT_QUOTA


def default_quota(directory: Directory, domain: str) -> int:
    """quota_rule() of the hosted domain named `domain` (an A-label); raises Invalid when it is not hosted."""
    from .domains import get_domain  # domains imports nothing from here; local import keeps the modules independent

    found = get_domain(directory, domain)
    if found is None:
        raise Invalid(_("the domain %(domain)s is not hosted here") % {"domain": domain})
    return quota_rule(found)


def create_account(directory: Directory, new: NewAccount, password: str | None) -> tuple[Account, str | None]:
    """Add `uid=<uid>,ou=Users` with the domain's default quota unless one is given, then set the password through
    Password Modify (a generated one, returned, when `password` is None). Raises AlreadyExists, Invalid."""
    dn = s.account_dn(new.uid)
    with ownwrites.changing(directory) as changes:
        with claim_lock(directory):
            quota = default_quota(directory, domain_of(new.address)) if new.quota_kb is None else new.quota_kb
            ensure_free(directory, [new.address, *new.aliases])
            try:
                directory.add(dn, s.ACCOUNT_CLASSES, account_attributes(new, quota))
            except AlreadyExists as e:
                raise AlreadyExists(str(e), address=new.uid, holder=new.uid) from e
        try:
            generated = directory.set_password(dn, password)
        except DirectoryError:
            directory.delete(dn)  # the whole account or nothing: no entry is left without a usable password
            raise
        account = get_account_by_dn(directory, dn)
        assert account is not None
        _declare(changes, None, account)
    return account, generated


def _declare(changes: ownwrites.Changes, before: Account | None, after: Account | None) -> None:
    """Say what writes did to the remembered counts and orders (ownwrites.py), from the account as it was before
    them and as it is after (None: no account)."""
    if any(account is not None and account.extra_mail for account in (before, after)):
        remembered.changed()  # which of several `mail` values the domain's order holds is the server's choice
        return
    if before and after and (before.mail.lower(), before.dn) == (after.mail.lower(), after.dn):
        if before.enabled != after.enabled:
            changes.disabled(after.domain, -1 if after.enabled else 1)
        return
    for account, sign in ((before, -1), (after, 1)):
        if account is not None:
            changes.account(account.domain, account.mail, account.dn, enabled=account.enabled, sign=sign)


def enable_mail(directory: Directory, person: Person, new: NewAccount) -> Account:
    """Give an existing person a mail account: add the auxiliary class and the mail attributes in one modify.
    A `mail` the person already has is kept, never replaced: the new address must be it (Invalid otherwise)."""
    record = directory.read(person.dn, ("objectClass", "uid", s.MAIL, s.CSN))
    if record is None:
        raise Conflict(person.dn)
    if s.MAIL_ACCOUNT.lower() in {c.lower() for c in record.values("objectClass")}:
        raise AlreadyExists(person.dn, address=new.address, holder=new.address)
    uid = record.first("uid") or new.uid
    with ownwrites.changing(directory) as declared, claim_lock(directory):
        quota = default_quota(directory, domain_of(new.address)) if new.quota_kb is None else new.quota_kb
        ensure_free(directory, [new.address, *new.aliases], owner_dn=person.dn)
        existing = [m.lower() for m in record.values(s.MAIL)]
        if existing and new.address not in existing:
            raise Invalid(_("%(name)s already has the address %(address)s; mail can only be enabled for it.")
                          % {"name": person.uid, "address": existing[0]})
        changes = {
            name: replace(value) if isinstance(value, str) else replace_values(value)
            for name, value in _new_mail_attributes(new, uid, quota).items() if not (name == s.MAIL and existing)
        }
        changes["objectClass"] = add_values([s.MAIL_ACCOUNT])
        directory.modify(person.dn, changes, controls=[assertion(s.version_is(record.first(s.CSN), person.dn))])
        account = get_account_by_dn(directory, person.dn)
        assert account is not None
        _declare(declared, None, account)
    return account


_SINGLE = {
    "name": "cn", "first_name": "givenName", "last_name": "sn", "mailbox": s.MAILBOX,
    "mailhost": s.MAILHOST, "mailproxy": s.MAILPROXY,
}


def _changes(account: Account, fields: Mapping[str, object]) -> dict:
    changes: dict = {}
    for key, value in fields.items():
        if key in _SINGLE:
            if value != getattr(account, key):
                changes[_SINGLE[key]] = replace(str(value) if value else None)
        elif key == "mail":
            if value != account.mail:  # value by value: a legacy second `mail` (extra_mail) stays untouched
                changes[s.MAIL] = [*delete_values([account.mail]), *add_values([str(value)])]
        elif key == "quota_kb":
            if value != account.quota_kb:
                changes[s.QUOTA] = replace(None if value is None else str(value))
        elif key == "enabled":
            if bool(value) != account.enabled:
                changes[s.ENABLED] = replace(s.ENABLED_VALUE if value else s.DISABLED_VALUE)
        elif key == "hidden":
            if bool(value) != account.hidden:
                changes[s.HIDDEN] = replace(s.HIDDEN_VALUE if value else s.SHOWN_VALUE)
        elif key in ("aliases", "forwards"):
            attr = s.ALIASES if key == "aliases" else s.FORWARDS
            delta = values_delta(getattr(account, key), value)  # type: ignore[arg-type]
            if delta:
                changes[attr] = delta
        else:
            raise ValueError(f"unknown account field {key!r}")
    return changes


def update_account(directory: Directory, account: Account, fields: Mapping[str, object]) -> Account:
    """Apply `fields` (mail, name, first_name, last_name, quota_kb, enabled, hidden, aliases, forwards, mailbox, mailhost,
    mailproxy) in one modify, only if the entry is still at `account.csn`. Raises Conflict, AlreadyExists, Invalid."""
    changes = _changes(account, fields)
    with ownwrites.changing(directory) as declared:
        if changes:
            claimed = [a for a in fields.get("aliases", ()) if a not in account.aliases]  # type: ignore[union-attr]
            if fields.get("mail", account.mail) != account.mail:
                claimed.append(fields["mail"])  # type: ignore[arg-type]
            # Only a change that claims an address waits for the lock (and for replication, see claims.py).
            with claim_lock(directory) if claimed else nullcontext():
                ensure_free(directory, claimed, owner_dn=account.dn)
                directory.modify(account.dn, changes, controls=[assertion(s.version_is(account.csn, account.dn))])
        updated = get_account_by_dn(directory, account.dn)
        if updated is None:
            raise Conflict(account.dn)
        _declare(declared, account, updated)
    return updated


def renamed_fields(account: Account, address: str, *, keep_old: bool, move_mailbox: bool) -> dict:
    """The update_account fields that make `address` the account's primary address: the old one stays as an alias
    with `keep_old`, `address` stops being an alias, and with `move_mailbox` the path is built again from the mailbox
    template (the stored mail does not move with it). The entry's DN (uid=…) does not change, so the virtual aliases
    that hold it as a member follow the new address by themselves; a kept copy (the own address among the forwards)
    moves to the new address."""
    aliases = [a for a in account.aliases if a != address] + ([account.mail] if keep_old else [])
    fields: dict = {"mail": address, "aliases": tuple(aliases)}
    if account.keeps_copy:  # the copy is kept by forwarding to the own address: now the new one
        fields["forwards"] = (*account.forward_targets, address)
    if move_mailbox:
        fields["mailbox"] = mailbox_path(settings.MAIL_MAILBOX_TEMPLATE, account.uid, address)
    return fields


def quota_resets(directory: Directory, domain: str) -> tuple[int, list[Account], int]:
    """The hosted domain's default quota, its accounts whose quota differs from it, and how many have it already:
    one paged search, read to the end before anything is changed (a modify between two pages would replace the
    paged search's cookie on this connection). Raises Invalid when the domain is not hosted."""
    default = default_quota(directory, domain)
    differ, same = [], 0
    for record in directory.paged(s.users_dn(), s.domain_members(domain), s.ACCOUNT_ATTRS):
        account = account_from_record(record)
        if account.quota_kb == default:
            same += 1
        else:
            differ.append(account)
    return default, differ, same


def set_password(directory: Directory, account: Account, password: str | None) -> str | None:
    """Set (or, with None, generate and return) the password; slapd hashes it. Raises Invalid on a weak password."""
    return directory.set_password(account.dn, password)


@dataclass(frozen=True)
class Removal:
    """What removing an account does. With `delete_entry`, the whole entry goes; otherwise the entry stays, without
    the class mailAccount and the attributes in `removed` (each with the values it held: enough to put them back).
    `person_classes` are the entry's classes beyond a mail account (posixAccount, shadowAccount, …)."""

    account: Account
    person_classes: tuple[str, ...]
    removed: tuple[tuple[str, tuple[str, ...]], ...]
    delete_entry: bool

    @property
    def is_person(self) -> bool:
        """Whether the entry is more than a mail account, so that deleting it whole takes away a person."""
        return bool(self.person_classes)


def _with_superclasses(known: Mapping[str, subschema.ObjectClass], names: Collection[str]) -> set[str]:
    found, todo = set(), [n.lower() for n in names]
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend(known[name].superiors if name in known else ())
    return found


def _mail_attributes(known: Mapping[str, subschema.ObjectClass]) -> set[str]:
    mail_class = known.get(s.MAIL_ACCOUNT.lower())
    return mail_class.must | mail_class.may if mail_class else {a.lower() for a in s.MAIL_ACCOUNT_ALLOWS}


def _mail_only(known: Mapping[str, subschema.ObjectClass], kept: Collection[str]) -> set[str]:
    """The attributes to take away with mailAccount: those no kept class allows, and `mail` unless a kept class
    requires it. `mail` goes although inetOrgPerson allows it: the address no longer receives anything, and a person
    still holding it would keep the address from its next owner (the unique overlay on mail refuses a second one)."""
    allowed, required = set(), set()
    for name in _with_superclasses(known, kept):
        if name in known:
            allowed |= known[name].must | known[name].may
            required |= known[name].must
    return (_mail_attributes(known) - allowed) | ({s.MAIL.lower()} - required)


def plan_removal(directory: Directory, account: Account, *, delete_entry: bool = False) -> Removal:
    """What remove_account will do to `account`, from its classes and the server's subschema (without a readable
    subschema: the inetOrgPerson classes count as mail-only, and every mail attribute goes). Raises Conflict when
    the entry is gone."""
    known = subschema.object_classes(directory)
    record = directory.read(account.dn, ("objectClass", *sorted(_mail_attributes(known))))
    if record is None:
        raise Conflict(account.dn)
    classes = record.values("objectClass")
    mail_only = _with_superclasses(known, ("inetOrgPerson", s.MAIL_ACCOUNT)) | {c.lower() for c in s.PERSON_CLASSES}
    others = tuple(c for c in classes if c.lower() not in mail_only)
    if delete_entry or not others:
        return Removal(account, others, (), True)
    going = _mail_only(known, [c for c in classes if c.lower() != s.MAIL_ACCOUNT.lower()])
    removed = tuple((name, held) for name, held in sorted(record.attrs.items()) if held and name in going)
    return Removal(account, others, removed, False)


def _memberships(directory: Directory, dn: str) -> list[Record]:
    return directory.find(s.aliases_dn(), s.valiases_with_member(dn), (s.MEMBERS, s.CSN))


def remove_account(directory: Directory, removal: Removal) -> tuple[str, ...]:
    """Apply `removal` (see plan_removal): delete the entry, or take its mail away in one modify; either way take its
    DN out of every virtual alias, so Postfix never meets a dangling or mail-less member. Only if the entry is still
    at `removal.account.csn` (else Conflict). Returns the DNs of the virtual aliases it left.

    Memberships go first; if the entry's write then fails, they are put back, so the tree is as it was.
    """
    account = removal.account
    guard = [assertion(s.version_is(account.csn, account.dn))]
    removed = []
    with ownwrites.changing(directory) as declared:
        try:
            for alias in _memberships(directory, account.dn):
                members = [m for m in alias.values(s.MEMBERS) if s.normalise_dn(m) == s.normalise_dn(account.dn)]
                directory.modify(alias.dn, {s.MEMBERS: delete_values(members)})
                removed.append((alias.dn, members))
            if removal.delete_entry:
                directory.delete(account.dn, controls=guard)
            else:
                changes = {name: replace(None) for name, _values in removal.removed}
                changes["objectClass"] = delete_values([s.MAIL_ACCOUNT])
                directory.modify(account.dn, changes, controls=guard)
        except DirectoryError:
            for alias_dn, members in removed:
                directory.modify(alias_dn, {s.MEMBERS: add_values(members)})
            raise
        _declare(declared, account, None)
    return tuple(alias_dn for alias_dn, _members in removed)
