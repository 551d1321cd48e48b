"""What the API reads and answers, as pydantic schemas (they make the OpenAPI document). Quotas are read in the
console's units ("500M", "1.5G", "204800" kB, "unlimited") and answered in kB."""

from __future__ import annotations

import datetime
from dataclasses import asdict

from django.http import Http404
from django.urls import reverse
from ninja import Schema
from pydantic import ConfigDict, Field

from mailadmin.directory.accounts import Account
from mailadmin.directory.aliases import VirtualAlias
from mailadmin.directory.domains import MailDomain
from mailadmin.dovecot import Usage
from mailadmin.paging import MAX_PAGE
from mailadmin.shortcuts import QUERY_MAX
from mailadmin.vacation import VacationState

Quota = str | int | None


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is an error, never silently ignored


class ProblemOut(Schema):
    type: str = "about:blank"
    title: str
    status: int
    errors: dict[str, list[str]] | None = Field(None, description="The forms' messages, keyed by field; '_': none")
    current: dict | None = Field(None, description="412 only: the resource as it is now (with its version)")


class DomainOut(Schema):
    name: str = Field(description="A-label, lower case")
    display_name: str
    description: str
    default_quota_kb: int | None
    account_count: int | None = None
    version: str = Field(description="entryCSN; also the ETag")


class DomainIn(Strict):
    name: str
    description: str = ""
    default_quota: Quota = None


class DomainPatch(Strict):
    description: str | None = None
    default_quota: Quota = None


class AccountOut(Schema):
    address: str = Field(description="The primary address")
    canonical: str = Field(description="The account's own URL (by its primary address): an alias resolves to it")
    uid: str
    name: str
    first_name: str
    last_name: str
    aliases: list[str]
    forwards: list[str]
    keep_copy: bool
    quota_kb: int | None = Field(description="0: unlimited; null: no quota rule of its own")
    enabled: bool
    hidden: bool
    mailhost: str
    mailproxy: str
    mailbox: str | None = Field(None, description="Superadmins only")
    version: str = Field(description="entryCSN; also the ETag")


class AccountCreated(AccountOut):
    password: str | None = Field(None, description="The generated password, shown in this answer only")


class AccountIn(Strict):
    local_part: str
    first_name: str = ""
    last_name: str = ""
    uid: str = ""
    password: str | None = None
    generate: bool = False
    quota: Quota = Field(None, description="Empty: the domain's default")
    aliases: list[str] = []
    forwards: list[str] = []
    keep_copy: bool = False


class AccountPatch(Strict):
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    aliases: list[str] | None = None
    forwards: list[str] | None = None
    keep_copy: bool | None = None
    quota: Quota = None
    enabled: bool | None = None
    hidden: bool | None = None
    mailhost: str | None = None
    mailproxy: str | None = None
    mailbox: str | None = None


class QuotaIn(Strict):
    quota: Quota = None
    reset: bool = Field(False, description="Set the domain's default quota")


class ValiasRenameIn(Strict):
    new_address: str


class RenameIn(ValiasRenameIn):
    keep_old_as_alias: bool = Field(False, description="The old address stays as an alias")
    move_mailbox: bool = Field(False, description="Build the mailbox path again for the new address (the stored "
                                                  "mail must then be moved to it)")


class QuotaResetOut(Schema):
    default_quota_kb: int = Field(description="The domain's default, now the quota of the accounts changed")
    changed: list[str] = Field(description="The accounts set to it")
    unchanged: int = Field(description="How many had it already")
    not_allowed: int = Field(description="How many the user may not change (console users' own mailboxes)")
    failed: list[str] = Field(description="Changed meanwhile or refused by the directory: they keep their quota")


class PasswordIn(Strict):
    password: str | None = None
    generate: bool = False


class PasswordOut(Schema):
    password: str | None = Field(None, description="The generated password, shown in this answer only")
    version: str


class AddressIn(Strict):
    address: str
    keep_copy: bool = Field(False, description="Forwards only: keep a copy in the mailbox")


class PageQuery(Schema):
    """What a list is asked for: a page (1-based) of `per_page` items, filtered by the text `q`."""

    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(50, ge=1, le=100)
    q: str = Field("", max_length=QUERY_MAX, description="Only what contains this text")

    @property
    def text(self) -> str:
        return self.q.strip()

    def paging(self, total: int) -> dict:
        """The answer's paging fields for `total` items; Http404 for a page past the last."""
        pages = max(1, -(-total // self.per_page))
        if self.page > pages:
            raise Http404("no such page")
        return {"total": total, "page": self.page, "pages": pages, "per_page": self.per_page}


class PageOut(Schema):
    total: int
    page: int
    pages: int
    per_page: int


class DomainPage(PageOut):
    items: list[DomainOut]


class AccountPage(PageOut):
    items: list[AccountOut]


def domain_out(domain: MailDomain) -> dict:
    return {"name": domain.name, "display_name": domain.display_name, "description": domain.description,
            "default_quota_kb": domain.default_quota_kb, "account_count": domain.account_count, "version": domain.csn}


def account_out(account: Account, *, superadmin: bool) -> dict:
    return {
        "address": account.mail, "canonical": canonical_url(account), "uid": account.uid, "name": account.name,
        "first_name": account.first_name, "last_name": account.last_name, "aliases": list(account.aliases),
        "forwards": list(account.forward_targets), "keep_copy": account.keeps_copy, "quota_kb": account.quota_kb,
        "enabled": account.enabled, "hidden": account.hidden, "mailhost": account.mailhost,
        "mailproxy": account.mailproxy, "mailbox": account.mailbox if superadmin else None, "version": account.csn,
    }


def canonical_url(account: Account) -> str:
    return reverse("api:account", kwargs={"address": account.mail})


def quota_text(value: Quota) -> str:
    """A quota as the forms read it: "" (none), a number of kB or a text with a unit."""
    return "" if value is None else str(value)


class ValiasOut(Schema):
    address: str
    members: list[str] = Field(description="Addresses of the member accounts")
    external: list[str] = Field(description="Outside recipients")
    enabled: bool
    version: str = Field(description="entryCSN; also the ETag")


class ValiasIn(Strict):
    address: str
    members: list[str] = []
    external: list[str] = []
    enabled: bool = True


class ValiasPatch(Strict):
    members: list[str] | None = None
    external: list[str] | None = None
    enabled: bool | None = None


class ValiasPage(PageOut):
    items: list[ValiasOut]


class StepOut(Schema):
    name: str
    outcome: str
    explanation: str
    status: str


class RouteOut(Schema):
    address: str
    steps: list[StepOut]
    verdict: str
    delivered: bool
    next_addresses: list[str]


class SearchQuery(PageQuery):
    """What the search is asked for: a page of the accounts that the console's search box finds for `q`."""

    q: str = Field(min_length=1, max_length=QUERY_MAX, pattern=r"\S",
                   description="An address, alias, name or login, or part of one (an address in Unicode finds its "
                               "stored A-label)")


class SearchPage(PageOut):
    items: list[AccountOut]
    valias: ValiasOut | None = Field(None, description="The virtual alias whose address is `q`, when the user sees "
                                                       "it (and it is in `domain`, when given); on every page")


def valias_out(valias: VirtualAlias, members: tuple[str, ...]) -> dict:
    return {"address": valias.address, "members": list(members), "external": list(valias.external),
            "enabled": valias.enabled, "version": valias.csn}


class VacationOut(Schema):
    enabled: bool = Field(description="A vacation reply is on (within its days, when it has any)")
    subject: str | None
    message: str | None
    first_day: datetime.date | None
    last_day: datetime.date | None
    days: int | None = Field(description="The same sender gets one reply per this many days")
    foreign: bool = Field(description="The mailbox holds a script of mailadmin's name that mailadmin did not write: "
                                      "left alone, and every write is refused (409)")
    version: str = Field(description="A digest of the Sieve script as Dovecot holds it; also the ETag")


class VacationPatch(Strict):
    enabled: bool | None = None
    subject: str | None = None
    message: str | None = None
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None
    days: int | None = None


class UsageOut(Schema):
    address: str
    used_kb: int = Field(description="Storage used, as Dovecot counts it (Trash excluded, as the quota rule says)")
    limit_kb: int | None = Field(description="Storage limit; null: none")
    percent: int | None = Field(description="Of the storage limit; null: no limit")
    nearly_full: bool
    messages: int | None = Field(description="Number of messages, when Dovecot counts them")
    message_limit: int | None = Field(description="Limit on the number of messages; null: none")


def vacation_out(state: VacationState) -> dict:
    vacation = state.vacation
    values = asdict(vacation) if vacation else dict.fromkeys(("subject", "message", "first_day", "last_day", "days"))
    return {**values, "enabled": vacation is not None, "foreign": state.foreign, "version": state.version}


def usage_out(address: str, usage: Usage) -> dict:
    return {"address": address, "used_kb": usage.used_kb, "limit_kb": usage.limit_kb, "percent": usage.percent,
            "nearly_full": usage.nearly_full, "messages": usage.messages, "message_limit": usage.message_limit}
