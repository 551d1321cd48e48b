"""The expected answer of every URL of the console, for every persona, on objects of example.test and other.test.

Threats 1 (cross-domain access), 3 (unauthenticated routes) and 12 (CSRF) are tested from this one table. The URL
names come from the URLconf itself (`url_names()`), so a new view without a rule here makes the tests fail.

A rule says, per method, what each signed-in persona gets, as a
`Row(superadmin, domain_admin, helpdesk, outsider, local_helpdesk, mail_user)`: one Row when the answer does not depend
on the object, or `{"example": Row, "other": Row}` when it does. The domain_admin administers example.test, the
outsider other.test; the helpdesk helps in every domain, the local_helpdesk in example.test only. The mail_user is
bob@example.test signed in for self-service: every console URL is a 404 to it unless a Row says otherwise (its own
pages, and its own second factor's).
Anonymous users get a redirect to the login page from every URL but the public ones. The auditor reads what
the helpdesk of every domain reads (unless a rule's `auditor_get` says otherwise) and is refused (403) every POST but
signing out and its own second factor's (`sign_in_step`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from django.urls import URLPattern, URLResolver, get_resolver

from mailadmin.addresses import format_quota
from mailadmin.directory import Directory
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory import domains as ldap_domains
from mailadmin.models import AuditEntry
from tests.conftest import PIERRE_OF_EXAMPLE


class Row(NamedTuple):
    superadmin: int
    domain_admin: int
    helpdesk: int
    outsider: int
    local_helpdesk: int
    mail_user: int = 404


@dataclass(frozen=True)
class Target:
    """The objects of one domain that fill path parameters and form data."""

    name: str
    domain: str
    account: str  # an account with one alias and one forward
    alias: str
    forward: str
    valias: str
    person: str = "pierre"  # a person without mail account, tied to example.test by its `mail`: one for both targets
    group: str = ""  # an MDS mail group (cn) whose address is in the domain, from tests/mds_people.ldif
    token: int = 999_999  # no such API token: revoking one that is not the user's own is a 404 (tests/api)
    console_user: str = "dadmin"  # the domain_admin persona, whose page lists its roles

    @property
    def audit_row(self) -> int:
        """A superadmin's change of the target's account in the audit log (written on first use in a test)."""
        row, _created = AuditEntry.objects.get_or_create(
            actor="root", action="account.quota", target=self.account, defaults={"domain": self.domain},
        )
        return row.pk


TARGETS = {
    "example": Target("example", "example.test", "alice@example.test", "alice.martin@example.test",
                      "alice@external.test", "team@example.test", group="staff"),
    "other": Target("other", "other.test", "oscar@other.test", "oscar.o@other.test", "oscar@external.test",
                    "list@other.test", group="sales"),
}

# Gives alice a forward, oscar an alias, a forward and a quota, and other.test a virtual alias: both targets then
# have every kind of object the URLs need. Pierre gets a `mail` in example.test, which ties him to that domain (only
# its admins and superadmins may give him a mail account).
EXTRA_LDIF = PIERRE_OF_EXAMPLE + """
dn: uid=alice,ou=Users,dc=example,dc=org
changetype: modify
add: maildrop
maildrop: alice@external.test

dn: uid=oscar,ou=Users,dc=example,dc=org
changetype: modify
add: mailalias
mailalias: oscar.o@other.test
-
add: maildrop
maildrop: oscar@external.test
-
add: mailuserquota
mailuserquota: 102400

dn: mailalias=list@other.test,ou=mailAliases,dc=example,dc=org
changetype: add
objectClass: mailAlias
mailalias: list@other.test
mailaliasmember: uid=oscar,ou=Users,dc=example,dc=org
mail: partner@external.test
mailenable: OK
"""

Expect = Row | dict[str, Row]
DataBuilder = Callable[[Target, Directory], dict]


@dataclass(frozen=True)
class Rule:
    get: Expect
    post: Expect
    path: str | None = None  # which Target field fills the one path parameter
    data: DataBuilder = field(default=lambda t, d: {})  # minimal valid POST data
    query: Callable[[Target], dict] | None = None  # GET parameters, for both methods
    public: bool = False  # answers anonymous users itself (no redirect to the login page)
    post_only: bool = False  # mutating: a GET does not act (405, or a redirect back to the page of its form)
    auditor_get: int | None = None  # when the auditor reads more than the helpdesk of every domain
    sign_in_step: bool = False  # signing out or in: the auditor posts as anyone does

    def expected(self, method: str, target: str, persona: str) -> int:
        if persona == "auditor":
            return self._auditor(method, target)
        expect = self.get if method == "GET" else self.post
        row = expect[target] if isinstance(expect, dict) else expect
        return getattr(row, persona)

    def _auditor(self, method: str, target: str) -> int:
        if method == "POST" and not self.sign_in_step:
            return 403
        return (method == "GET" and self.auditor_get) or self.expected(method, target, "helpdesk")

    def targets(self) -> tuple[str, ...]:
        """The targets worth trying: both when an answer depends on the object, else one."""
        return tuple(TARGETS) if isinstance(self.get, dict) or isinstance(self.post, dict) else ("example",)


ALL = Row(200, 200, 200, 200, 200)
EVERYONE = Row(200, 200, 200, 200, 200, 200)  # mail users too
NOT_ALLOWED = Row(405, 405, 405, 405, 405)  # for a mail user, a console URL is a 404 whatever the method
REDIRECT = Row(302, 302, 302, 302, 302, 302)
# A POST-only endpoint of a detail page's form sends a GET back to that page (which checks access); a mail user gets
# the 404 of every console URL.
BACK = Row(302, 302, 302, 302, 302)
# Self-service: the mail user's own pages; console users have the console instead.
MY_PAGE = Row(404, 404, 404, 404, 404, 200)
MY_DONE = Row(404, 404, 404, 404, 404, 302)
MY_NOT_ALLOWED = Row(405, 405, 405, 405, 405, 405)
PASSWORD = "a-long-enough-Passw0rd"


def by_domain(example: Row, local_elsewhere: int | None = None) -> dict[str, Row]:
    """The other.test row of a rule follows from the example.test row: the domain_admin and the outsider swap places,
    and the local_helpdesk, who sees nothing of other.test, gets what the outsider gets on example.test (unless
    `local_elsewhere` says otherwise)."""
    hidden = example.outsider if local_elsewhere is None else local_elsewhere
    other = Row(example.superadmin, example.outsider, example.helpdesk, example.domain_admin, hidden)
    return {"example": example, "other": other}


# Answers on an object of example.test; by_domain() derives other.test.
SEES = by_domain(Row(200, 200, 200, 404, 200))  # everyone who sees the domain
ADMIN_PAGE = by_domain(Row(200, 200, 403, 404, 403))  # admins of the domain (helpdesk sees, may not)
ADMIN_DONE = by_domain(Row(302, 302, 403, 404, 403))
HELPDESK_DONE = by_domain(Row(302, 302, 302, 404, 302))  # quota, password, enable: the helpdesk may
SUPERADMIN_PAGE = by_domain(Row(200, 403, 403, 404, 403))
SUPERADMIN_DONE = by_domain(Row(302, 403, 403, 404, 403))
CREATOR_PAGE = Row(200, 200, 403, 200, 403)  # global pages for whoever administers a domain
# 200: the form refuses a domain the user does not administer; a helpdesk administers none.
CREATED_IN = by_domain(Row(302, 302, 403, 200, 403), local_elsewhere=403)
# Pierre, of example.test: hidden from the outsider. The other target's POST asks for pierre@other.test, which the
# form refuses (200) to everyone who may open it: his own address is pierre@example.test, and is never replaced.
PERSON_PAGE = Row(200, 200, 403, 404, 403)
PERSON_DONE = {"example": Row(302, 302, 403, 404, 403), "other": PERSON_PAGE}


def account_form(directory: Directory, address: str) -> dict:
    """The data of the account's edit form exactly as the page shows it (saving it changes nothing)."""
    a = ldap_accounts.get_account(directory, address)
    return {
        "name": a.name, "first_name": a.first_name, "last_name": a.last_name, "aliases": "\n".join(a.aliases),
        "forwards": "\n".join(a.forward_targets), "quota": format_quota(a.quota_kb) or "0",
        "mailhost": a.mailhost, "mailproxy": a.mailproxy, "mailbox": a.mailbox, "csn": a.csn,
        **({"enabled": "on"} if a.enabled else {}), **({"keep_copy": "on"} if a.keeps_copy else {}),
        **({"hidden": "on"} if a.hidden else {}),
    }


def _account_edit_data(t: Target, directory: Directory) -> dict:
    """Only the quota changed: a change the helpdesk may make."""
    return {**account_form(directory, t.account), "quota": "300M"}


def _domain_edit_data(t: Target, directory: Directory) -> dict:
    d = ldap_domains.get_domain(directory, t.domain)
    return {"description": "Changed", "default_quota": "100M", "version": d.csn}


RULES: dict[str, Rule] = {
    "login": Rule(get=REDIRECT, post=REDIRECT, public=True),  # signed in already: on to the dashboard
    "logout": Rule(get=MY_NOT_ALLOWED, post=REDIRECT, post_only=True, sign_in_step=True),
    # Everyone, mail users included, may enrol an authenticator or give a code; an empty code is refused (422) and
    # counts as no attempt. Turning it off (with a code) when one has none goes back to the status page.
    "mfa:verify": Rule(get=EVERYONE, post=Row(422, 422, 422, 422, 422, 422), sign_in_step=True),
    "mfa:enrol": Rule(get=EVERYONE, post=Row(422, 422, 422, 422, 422, 422), sign_in_step=True),
    "mfa:status": Rule(get=EVERYONE, post=MY_NOT_ALLOWED),
    "mfa:remove": Rule(get=MY_NOT_ALLOWED, post=REDIRECT, post_only=True, sign_in_step=True,
                       data=lambda t, d: {"code": "123456"}),
    "dashboard": Rule(get=Row(200, 200, 200, 200, 200, 302), post=Row(200, 200, 200, 200, 200, 302)),  # My account
    "domains:list": Rule(get=ALL, post=ALL),
    "domains:add": Rule(get=Row(200, 403, 403, 403, 403), post=Row(302, 403, 403, 403, 403),
                        data=lambda t, d: {"name": "new.test", "default_quota": "1G"}),
    "domains:detail": Rule(path="domain", get=SEES, post=SEES),
    "domains:edit": Rule(path="domain", get=ADMIN_PAGE, post=ADMIN_DONE, data=_domain_edit_data),
    # POST: 200, the removal is refused while accounts use the domain (both targets have some).
    # The helpdesk resets quotas too: it is its "resetting quotas" at domain scale.
    "domains:reset_quotas": Rule(path="domain", get=SEES, post=HELPDESK_DONE),
    "domains:remove": Rule(path="domain", get=SUPERADMIN_PAGE, post=SUPERADMIN_PAGE),
    "domain_accounts:add": Rule(path="domain", get=ADMIN_PAGE, post=ADMIN_DONE,
                                data=lambda t, d: {"local_part": "newbie", "password": PASSWORD, "password2": PASSWORD}),
    "accounts:detail": Rule(path="account", get=SEES, post=SEES),
    "accounts:edit": Rule(path="account", get=BACK, post=HELPDESK_DONE, data=_account_edit_data,
                          post_only=True),
    "accounts:enable": Rule(path="account", get=BACK, post=HELPDESK_DONE, post_only=True),
    # Disabling and removing an alias or forward stop mail: GET shows a confirmation page.
    "accounts:disable": Rule(path="account", get=SEES, post=HELPDESK_DONE, auditor_get=403),  # GET: the confirmation
    "accounts:password": Rule(path="account", get=BACK, post=HELPDESK_DONE, post_only=True,
                              data=lambda t, d: {"password": PASSWORD, "password2": PASSWORD}),
    "accounts:quota": Rule(path="account", get=BACK, post=HELPDESK_DONE, post_only=True,
                           data=lambda t, d: {"quota": "300M"}),
    "accounts:add_alias": Rule(path="account", get=BACK, post=ADMIN_DONE, post_only=True,
                               data=lambda t, d: {"address": f"new-alias@{t.domain}"}),
    "accounts:remove_alias": Rule(path="account", get=ADMIN_PAGE, post=ADMIN_DONE, query=lambda t: {"address": t.alias},
                                  data=lambda t, d: {"address": t.alias}),
    "accounts:add_forward": Rule(path="account", get=BACK, post=ADMIN_DONE, post_only=True,
                                 data=lambda t, d: {"address": "elsewhere@external.test"}),
    "accounts:remove_forward": Rule(path="account", get=ADMIN_PAGE, post=ADMIN_DONE,
                                    query=lambda t: {"address": t.forward}, data=lambda t, d: {"address": t.forward}),
    "accounts:rename": Rule(path="account", get=ADMIN_PAGE, post=ADMIN_DONE,
                            data=lambda t, d: {"new_address": f"renamed@{t.domain}"}),
    "accounts:remove": Rule(path="account", get=ADMIN_PAGE, post=ADMIN_DONE),
    # GET: the confirmation page, which only superadmins open; the account's user has no second factor, so it sends
    # them back to the account page, and the POST tells them so (a message, back to the account page).
    "accounts:reset_mfa": Rule(path="account", get=SUPERADMIN_DONE, post=SUPERADMIN_DONE),
    # Not the helpdesk. Without DOVEADM_URL (as here) the answer is the account page saying Dovecot is unreachable.
    "accounts:vacation": Rule(path="account", get=BACK, post=ADMIN_DONE, post_only=True,
                              data=lambda t, d: {"enabled": "on", "subject": "Away", "message": "Back soon.",
                                                 "days": "7"}),
    "aliases:list": Rule(get=ALL, post=ALL),
    "aliases:add": Rule(get=CREATOR_PAGE, post=CREATED_IN,
                        data=lambda t, d: {"address": f"newlist@{t.domain}", "external": "x@external.test",
                                           "enabled": "on"}),
    "aliases:detail": Rule(path="valias", get=SEES, post=SEES),
    "aliases:edit": Rule(path="valias", get=BACK, post=ADMIN_DONE, post_only=True,
                         data=lambda t, d: {"members": t.account, "external": "y@external.test", "enabled": "on"}),
    "aliases:enable": Rule(path="valias", get=BACK, post=ADMIN_DONE, post_only=True),
    "aliases:disable": Rule(path="valias", get=ADMIN_PAGE, post=ADMIN_DONE),  # GET: the confirmation page
    "aliases:rename": Rule(path="valias", get=ADMIN_PAGE, post=ADMIN_DONE,
                           data=lambda t, d: {"new_address": f"renamed-list@{t.domain}"}),
    "aliases:remove": Rule(path="valias", get=ADMIN_PAGE, post=ADMIN_DONE),
    "groups:list": Rule(get=ALL, post=ALL),
    "groups:detail": Rule(path="group", get=SEES, post=SEES),
    "people:list": Rule(get=CREATOR_PAGE, post=CREATOR_PAGE),
    "people:enable": Rule(path="person", get=PERSON_PAGE, post=PERSON_DONE,
                          data=lambda t, d: {"address": f"pierre@{t.domain}"}),
    # One hit goes straight to the account; an account of a hidden domain is no hit.
    "search": Rule(get=by_domain(Row(302, 302, 302, 200, 302)), post=by_domain(Row(302, 302, 302, 200, 302)),
                   query=lambda t: {"q": t.account}),
    "route": Rule(get=ALL, post=ALL, query=lambda t: {"address": t.account}),
    # Everyone's own API tokens: a POST creates one (201, shown once); the API's own URLs are in tests/api/apitable.py.
    "tokens:list": Rule(get=ALL, post=Row(201, 201, 201, 201, 201), data=lambda t, d: {"name": "billing"}),
    "tokens:revoke": Rule(path="token", get=NOT_ALLOWED, post=Row(404, 404, 404, 404, 404), post_only=True),
    "audit:log": Rule(get=ALL, post=NOT_ALLOWED, query=lambda t: {"address": t.account}),
    "audit:export": Rule(get=ALL, post=NOT_ALLOWED, query=lambda t: {"domain": t.domain}),
    # A superadmin's change in the target's domain: its admins read it, the helpdesk reads only its own actions.
    # Superadmins manage roles; the auditor reads (403 on every POST). Granting a role the persona already holds and
    # revoking one it does not hold (422) leave every privilege as it was.
    "roles:list": Rule(get=Row(200, 403, 403, 403, 403), post=NOT_ALLOWED, auditor_get=200),
    "roles:detail": Rule(path="console_user", get=Row(200, 403, 403, 403, 403), post=NOT_ALLOWED, auditor_get=200),
    "roles:grant": Rule(get=NOT_ALLOWED, post=Row(302, 403, 403, 403, 403), post_only=True,
                        data=lambda t, d: {"username": "dadmin", "kind": "domain_admin", "domain": "example.test"}),
    # GET: the page asking whether to revoke dadmin's role (superadmins only: the auditor acts on nothing, so it is
    # never asked either).
    "roles:revoke": Rule(get=Row(200, 403, 403, 403, 403), post=Row(422, 403, 403, 403, 403),
                         query=lambda t: {"username": "dadmin", "kind": "domain_admin", "domain": "example.test"},
                         data=lambda t, d: {"username": "dadmin", "kind": "helpdesk", "domain": "other.test"}),
    # dadmin has no second factor: the confirmation (GET) sends the superadmin back to the user's page, the POST tells
    # them so (a message, back to the user's page).
    "roles:reset_mfa": Rule(path="console_user", get=Row(302, 403, 403, 403, 403), post=Row(302, 403, 403, 403, 403)),
    "audit:entry": Rule(path="audit_row", get=by_domain(Row(200, 200, 404, 404, 404)), post=NOT_ALLOWED,
                        auditor_get=200),
    "selfservice:account": Rule(get=MY_PAGE, post=MY_PAGE),
    "selfservice:password": Rule(get=MY_NOT_ALLOWED, post=MY_DONE, post_only=True,
                                 data=lambda t, d: {"old_password": "bob-password-22", "password": PASSWORD,
                                                    "password2": PASSWORD}),
    # Whatever account the data names, only the mail user's own forwards change (tests/selfservice).
    "selfservice:add_forward": Rule(get=MY_NOT_ALLOWED, post=MY_DONE, post_only=True,
                                    data=lambda t, d: {"address": "elsewhere@external.test", "account": t.account}),
    # GET: the confirmation page (removing a forward stops mail reaching it)
    "selfservice:remove_forward": Rule(get=MY_PAGE, post=MY_DONE, query=lambda t: {"address": "bob@external.test"},
                                       data=lambda t, d: {"address": "bob@external.test"}),
    "selfservice:vacation": Rule(get=MY_NOT_ALLOWED, post=MY_DONE, post_only=True,
                                 data=lambda t, d: {"enabled": "on", "subject": "Away", "message": "Back soon.",
                                                    "days": "7"}),
    "selfservice_policy:switch": Rule(path="domain", get=NOT_ALLOWED, post=ADMIN_DONE, post_only=True,
                                      data=lambda t, d: {"enabled": "on"}),
}


def url_names(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[tuple[str, tuple[str, ...]]]:
    """(namespaced name, path parameter names) of every pattern of the URLconf, through every include, but the JSON
    API's (`api:`, whose matrix is tests/api/apitable.py). An unnamed pattern yields its regex instead of a name, so
    that it fails the "has a rule" test too."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        params = tuple(pattern.pattern.converters)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "api":
                continue
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            for name, inner in url_names(pattern, namespace):
                yield name, params + inner
        elif isinstance(pattern, URLPattern):
            yield (prefix + pattern.name if pattern.name else f"unnamed {pattern.pattern}"), params
