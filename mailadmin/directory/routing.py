"""Where mail for an address goes: the Postfix lookups of the MDS setup (directory-model.md §5, §6), in their order.

Each lookup runs with the map's own filter, so the answer is what Postfix would get, quirks included (a second
`mailenable: OK` value, case-insensitive matching). A second, unfiltered read only serves to explain a miss.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext, pgettext_lazy

from mailadmin.addresses import domain_of

from . import schema as s
from .connection import Directory, Record
from .groups import MailGroup, groups_with_address

MEMBER_LIMIT = 100  # list members read one by one; a larger list is summarised
ACCOUNT_ALIASES = _l("Alias of an account? (ldap-aliases.cf)")
VALIASES = _l("Virtual alias? (ldap-valiases.cf)")
MAILBOX = _l("Mailbox? (ldap-accounts.cf)")
# A step's outcome in a word: the context lets translators make it agree with the question, not with some other "no".
YES, NO = pgettext_lazy("route outcome", "yes"), pgettext_lazy("route outcome", "no")
NONE, LOCAL = pgettext_lazy("route outcome", "none"), pgettext_lazy("route outcome", "local")
NOT_CONSULTED = pgettext_lazy("route outcome", "not consulted")


@dataclass(frozen=True)
class Step:
    name: str  # the lookup and its Postfix map file
    outcome: str  # what it answered, in a few words
    explanation: str  # what that means, and what Postfix does next
    status: str  # one of FOUND, MISSED, SKIPPED, DELIVERED, BOUNCED


FOUND, MISSED, SKIPPED, DELIVERED, BOUNCED = "found", "missed", "skipped", "delivered", "bounced"


@dataclass(frozen=True)
class Route:
    address: str
    steps: tuple[Step, ...]
    verdict: str  # the answer in one sentence
    delivered: bool  # False: Postfix refuses or bounces the mail
    next_addresses: tuple[str, ...] = ()  # recipients that take their own route from here (forwards, list members)


def _enabled(*parts: str) -> str:
    return s.all_of(*parts, s.eq(s.ENABLED, s.ENABLED_VALUE))


def _values(records: list[Record], attr: str) -> list[str]:
    """Every value of `attr` over `records`, lower-cased as Postfix compares them."""
    return [v.lower() for r in records for v in r.values(attr)]


def _domain_step(directory: Directory, address: str) -> Step:
    """ldap-domains.cf: is the domain one of virtual_mailbox_domains?"""
    domain = domain_of(address)
    name = _("Domain accepted? (ldap-domains.cf)")
    if directory.find(s.domains_dn(), s.domain_by_name(domain), ("1.1",), limit=1):
        return Step(name, str(YES), _("%(domain)s is a virtual mailbox domain here: Postfix accepts mail for it and "
                                      "looks the address up.") % {"domain": domain}, FOUND)
    return Step(name, str(NO), _("%(domain)s is not hosted here: Postfix does not deliver it locally, and refuses it "
                                 "(“Relay access denied”) unless the sender may relay.") % {"domain": domain}, BOUNCED)


def _alias_step(directory: Directory, address: str) -> tuple[Step, list[str]]:
    """ldap-aliases.cf (virtual_alias_maps #1): an enabled account's alias becomes that account's mail."""
    name = str(ACCOUNT_ALIASES)
    by_alias = s.all_of(s.accounts_filter(), s.eq(s.ALIASES, address))
    targets = _values(directory.find(s.users_dn(), _enabled(by_alias), (s.MAIL,)), s.MAIL)
    if targets:
        explanation = _("%(address)s is an alias: Postfix rewrites it to %(targets)s and looks that up in turn.")
        if len(targets) > 1:
            explanation += " " + _("Several results: each one receives a copy (a legacy duplicate to clean up).")
        return Step(name, str(YES), explanation % {"address": address, "targets": ", ".join(targets)}, FOUND), targets
    disabled = _values(directory.find(s.users_dn(), by_alias, (s.MAIL,), limit=5), s.MAIL)
    if disabled:
        explanation = _("%(address)s is an alias of %(targets)s, but that account is disabled (mailenable is not OK), "
                        "so Postfix does not see the alias.") % {"address": address, "targets": ", ".join(disabled)}
    else:
        explanation = _("No enabled account has this alias.")
    return Step(name, str(NO), explanation, MISSED), []


def _forward_step(directory: Directory, address: str) -> tuple[Step, list[str]]:
    """ldap-maildrop.cf (virtual_alias_maps #2): forwards replace delivery, unless the own address is among them."""
    name = _("Forwards? (ldap-maildrop.cf)")
    records = directory.find(s.users_dn(), _enabled(s.accounts_filter(), s.eq(s.MAIL, address)), (s.FORWARDS,))
    forwards = _values(records, s.FORWARDS)
    if not forwards:
        return Step(name, str(NONE), _("No forwards: nothing replaces delivery into the mailbox."), MISSED), []
    others = ", ".join(f for f in forwards if f != address)
    if address in forwards:
        explanation = _("Mail goes to %(others)s, and a copy stays in the mailbox: the account's own address is "
                        "among its forwards.") % {"others": others}
    else:
        explanation = _("Mail goes to %(others)s only: forwards replace delivery into the mailbox, which receives "
                        "nothing.") % {"others": others}
    return Step(name, str(YES), explanation, FOUND), forwards


@dataclass(frozen=True)
class _Members:
    mails: tuple[str, ...]  # what Postfix adds for the member DNs read
    disabled: tuple[str, ...]  # those of them whose account is disabled: they receive list mail all the same
    dangling: int  # member DNs with no entry behind them
    unread: int  # members beyond MEMBER_LIMIT


def _members(directory: Directory, member_dns: tuple[str, ...]) -> _Members:
    """Read each member DN's mail, as Postfix's special_result_attribute does (at most MEMBER_LIMIT of them)."""
    mails: list[str] = []
    disabled: list[str] = []
    dangling = 0
    for dn in member_dns[:MEMBER_LIMIT]:
        record = directory.read(dn, (s.MAIL, s.ENABLED))
        if record is None:
            dangling += 1
            continue
        values = [m.lower() for m in record.values(s.MAIL)]
        mails += values
        if s.ENABLED_VALUE not in {v.upper() for v in record.values(s.ENABLED)}:
            disabled += values
    return _Members(tuple(mails), tuple(disabled), dangling, max(len(member_dns) - MEMBER_LIMIT, 0))


def _valias_explanation(external: list[str], members: _Members) -> str:
    recipients = ", ".join([*external, *members.mails]) or "—"
    parts = [_("Postfix sends a copy to each of: %(list)s.") % {"list": recipients}]
    if members.disabled:
        parts.append(_("Disabled members still receive list mail (Postfix does not check a member's mailenable): "
                       "%(list)s.") % {"list": ", ".join(members.disabled)})
    if members.dangling:
        parts.append(ngettext(
            "%(count)d member entry no longer exists: Postfix skips it with a warning in the mail log.",
            "%(count)d member entries no longer exist: Postfix skips them with a warning in the mail log.",
            members.dangling) % {"count": members.dangling})
    if members.unread:
        parts.append(ngettext("%(count)d further member is not shown.", "%(count)d further members are not shown.",
                              members.unread) % {"count": members.unread})
    return " ".join(parts)


def _valias_step(directory: Directory, address: str) -> tuple[Step, list[str]]:
    """ldap-valiases.cf (virtual_alias_maps #3): an enabled virtual alias expands to its mail values and members."""
    name = str(VALIASES)
    by_name = s.valias_by_address(address)
    records = directory.find(s.aliases_dn(), _enabled(by_name), (s.MAIL, s.MEMBERS), limit=2)
    if not records:
        disabled_list = directory.find(s.aliases_dn(), by_name, ("1.1",), limit=1)
        explanation = _("A virtual alias with this address exists but is disabled: Postfix does not see it.") \
            if disabled_list else _("No virtual alias has this address.")
        return Step(name, str(NO), explanation, MISSED), []
    external = _values(records, s.MAIL)
    members = _members(directory, tuple(dn for r in records for dn in r.values(s.MEMBERS)))
    return Step(name, str(YES), _valias_explanation(external, members), FOUND), [*external, *members.mails]


def _skipped(name: str, why: str) -> Step:
    return Step(name, str(NOT_CONSULTED), why, SKIPPED)


def _mailbox_miss(directory: Directory, address: str) -> str:
    """Why ldap-accounts.cf finds nothing: the explanation of an 'unknown user' bounce."""
    records = directory.find(s.users_dn(), s.all_of(s.accounts_filter(), s.eq(s.MAIL, address)), (s.ENABLED,), limit=1)
    if not records:
        return _("No account has this address, so Postfix rejects the mail: “User unknown in virtual mailbox table”.")
    if s.ENABLED_VALUE not in {v.upper() for v in records[0].values(s.ENABLED)}:
        return _("The account is disabled (mailenable is not OK). Every Postfix map ignores it, so the mail bounces "
                 "as “User unknown in virtual mailbox table”, and its aliases and forwards are ignored too.")
    return _("The account has no mailbox path, so Postfix's mailbox map finds nothing and the mail bounces as "
             "“User unknown in virtual mailbox table”.")


def _mailbox_steps(directory: Directory, address: str) -> list[Step]:
    """ldap-accounts.cf (virtual_mailbox_maps), then the transport: where the mailbox is and who delivers into it."""
    name = str(MAILBOX)
    flt = _enabled(s.accounts_filter(), s.eq(s.MAIL, address))
    records = [r for r in directory.find(s.users_dn(), flt, (s.MAILBOX, s.MAILHOST)) if r.first(s.MAILBOX)]
    if not records:
        return [Step(name, str(NO), _mailbox_miss(directory, address), BOUNCED)]
    mailbox, host = records[0].first(s.MAILBOX), records[0].first(s.MAILHOST)
    steps = [Step(name, mailbox, _("The mailbox of %(address)s is %(path)s.") % {"address": address, "path": mailbox},
                  FOUND)]
    transport = _("Transport (mailhost)")
    if host:
        steps.append(Step(transport, host, _("The account names a mail host. Only the optional transport map "
                                             "(ldap-transport.cf, not wired in the shipped setup) would relay it to "
                                             "smtp:[%(host)s]; otherwise it is delivered here.") % {"host": host},
                          DELIVERED))
    else:
        steps.append(Step(transport, str(LOCAL), _("Delivered here by the virtual transport (Dovecot's deliver) into "
                                                   "%(path)sMaildir/.") % {"path": mailbox}, DELIVERED))
    return steps


def trace(directory: Directory, address: str) -> Route:
    """Follow `address` (normalised) through the lookups in Postfix's order; return every step and the verdict.
    The address of an MDS mail group gets one more step, which says how its mail reaches the members."""
    route = _trace(directory, address)
    groups = groups_with_address(directory, address) if route.steps[0].status == FOUND else []
    if not groups:
        return route
    return dataclasses.replace(route, steps=(*route.steps, _group_step(groups, route)))


def _trace(directory: Directory, address: str) -> Route:
    domain_step = _domain_step(directory, address)
    if domain_step.status == BOUNCED:
        return Route(address, (domain_step,), _("Refused: the domain is not hosted here."), False)
    alias_step, targets = _alias_step(directory, address)
    steps = [domain_step, alias_step]
    if len(targets) > 1:
        return Route(address, tuple(steps), _("Delivered to several accounts."), True, tuple(targets))
    return _after_alias(directory, address, targets[0] if targets else address, steps)


def _group_step(groups: list[MailGroup], route: Route) -> Step:
    """How mail to a group's address reaches its members: MMC's copies (the alias table), or the virtual alias
    made from the group (migrategroups), or nothing."""
    name = _("MDS mail group? (ou=Groups, not read by Postfix)")
    values = {"groups": ", ".join(g.dn for g in groups)}
    found = {step.name: step.status for step in route.steps}
    if found.get(str(ACCOUNT_ALIASES)) == FOUND:
        explanation = _("This is the address of the mail group %(groups)s. MMC copied it into the aliases of the "
                        "members, so the alias table above delivers it to the accounts holding a copy. "
                        "`manage.py migrategroups` turns it into a virtual alias.")
    elif found.get(str(VALIASES)) == FOUND:
        explanation = _("This is the address of the mail group %(groups)s, migrated to the virtual alias above: its "
                        "member accounts receive the mail.")
    else:
        explanation = _("This is the address of the mail group %(groups)s, but no member holds a copy of it and no "
                        "virtual alias has it, so Postfix finds nothing for it.")
    return Step(name, ", ".join(g.name for g in groups), explanation % values, SKIPPED)


def _after_alias(directory: Directory, address: str, local: str, steps: list[Step]) -> Route:
    """Forwards of the (possibly rewritten) address; a virtual alias when no earlier table answered; the mailbox."""
    forward_step, forwards = _forward_step(directory, local)
    steps.append(forward_step)
    if local != address or forwards:
        steps.append(_skipped(str(VALIASES), _("Not consulted: Postfix uses the first alias table that answers.")))
    else:
        valias_step, recipients = _valias_step(directory, address)
        steps.append(valias_step)
        if valias_step.status == FOUND:
            verdict = _("Delivered to the members of a virtual alias.")
            return Route(address, tuple(steps), verdict, bool(recipients), tuple(recipients))
    return _delivery(directory, address, local, forwards, steps)


def _delivery(directory: Directory, address: str, local: str, forwards: list[str], steps: list[Step]) -> Route:
    """The mailbox lookup, unless forwards replace it; the verdict."""
    others = tuple(f for f in forwards if f != local)
    if forwards and local not in forwards:
        steps.append(_skipped(str(MAILBOX), _("Not consulted: forwards replace the mailbox.")))
        return Route(address, tuple(steps), _("Forwarded; nothing stays in the mailbox."), True, others)
    steps += _mailbox_steps(directory, local)
    if steps[-1].status != DELIVERED:
        return Route(address, tuple(steps), _("Bounces: unknown user."), False)
    verdict = _("Forwarded, with a copy in the mailbox.") if others else _("Delivered into the mailbox.")
    return Route(address, tuple(steps), verdict, True, others)
