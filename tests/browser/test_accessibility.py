"""The real axe-core engine (tests/browser/package.json, installed by `make test`) on every page state of the console,
at desktop and phone widths, in English and French. Any violation of impact moderate or above fails the test, and so
does a page wider than the window.

axe is injected as a script, which the console's CSP forbids: the contexts of this test alone bypass the CSP.
Each persona (a superadmin, a domain admin, a helpdesk member, an auditor, a mail user, someone not signed in yet)
reads its pages in one browser context per width and language; a second test checks that every URL pattern of the
project has a page here."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axes.utils import reset as reset_failed_sign_ins
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import Resolver404, resolve
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from api.models import ApiToken
from mailadmin import events
from mailadmin import views as dashboard_views
from mailadmin.audit import record_many
from mailadmin.audit_views import PAGE_SIZE
from mailadmin.directory import Refused, TooManyResults, connect
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.models import AuditEntry, Role
from mailadmin.self_service import set_self_service
from mailadmin.vacation import vacation_form
from tests.browser.conftest import PASSWORD, sign_in
from tests.mailstack.vacation_host import running_vacation_host, use_vacation_host
from tests.security.urltable import url_names

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = {"moderate", "serious", "critical"}
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LANGUAGES = ("en-GB", "fr-FR")
# Known-safe exceptions: none. (An entry here is a rule id with the reason it does not apply to this console.)
EXCEPTIONS: dict[str, str] = {}

BOB, BOB_PASSWORD = "bob@example.test", "bob-password-22"
NEWCOMER = "newcomer"  # a superadmin without an authenticator: MFA_REQUIRED_FOR sends it to enrol


@dataclass(frozen=True)
class Run:
    """One browser context's page, and the values of the test data that paths name (`{entry}`: an audit row)."""

    page: Page
    base: str
    values: dict

    def go(self, path: str, status: int | None = None) -> None:
        """Open `path`; when `status` is given, the page must answer it (a fault the test injects did take)."""
        response = self.page.goto(self.base + path.format(**self.values))
        assert status is None or response.status == status, f"{path}: {response.status}, not {status}"

    def submit(self, form: str, **fields: str) -> None:
        """Fill the fields of `form` (a selector) by name and send it. The browser's own checks are off: the server's
        refusal is the page state under test."""
        target = self.page.locator(form)
        target.evaluate("form => { form.noValidate = true; }")
        for name, value in fields.items():
            target.locator(f"[name={name}]").fill(value)
        with self.page.expect_navigation():
            target.locator("button[type=submit]").first.click()


@dataclass(frozen=True)
class State:
    """One page state axe reads. `path` is where the browser is when axe runs (checked; the coverage test resolves
    it); `act` brings the page there, by default a GET of `path` (answering `status`, when given)."""

    name: str
    path: str
    act: Callable[[Run], None] | None = None
    status: int | None = None


def pages(*paths: str) -> list[State]:
    return [State(path, path) for path in paths]


def refused(path: str, form: str, **fields: str) -> Callable[[Run], None]:
    """Open `path`, send `form` with `fields`: the page that comes back shows the refusal next to the fields."""
    def act(run: Run) -> None:
        run.go(path)
        run.submit(form, **fields)
        expect(run.page.locator("[aria-invalid=true], .errors").first).to_be_visible()
    return act


@contextmanager
def _dashboard_raising(error: Exception) -> Iterator[None]:
    """The dashboard's directory read raises `error` (the live server runs in this process): how the console shows a
    refusal, a size limit or a bug of its own."""
    def fail(*args):
        raise error

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dashboard_views, "remembered_counts", fail)
        yield


def _error_page(error: Exception, status: int) -> Callable[[Run], None]:
    def act(run: Run) -> None:
        with _dashboard_raising(error):
            run.go("/", status)
    return act


def _directory_down(run: Run) -> None:
    with override_settings(LDAP_URL=["ldap://127.0.0.1:1"]):
        run.go("/", 503)


def _without_dovecot(path: str) -> Callable[[Run], None]:
    def act(run: Run) -> None:
        with override_settings(DOVEADM_URL=""):
            run.go(path)
    return act


def _new_token(run: Run) -> None:
    run.go("/tokens/")
    run.submit("main form:has([name=name])", name="billing")
    expect(run.page.locator("#new-token")).to_be_visible()


def _self_service_off(run: Run) -> None:
    set_self_service("example.test", False, actor="test")
    try:
        run.go("/me/", 403)
    finally:
        set_self_service("example.test", True, actor="test")


# A superadmin's console, on the data of tests/base.ldif and tests/mds_people.ldif (plus the fixture's roles, audit
# rows, a token, bob's vacation reply and mailbox usage from the test Dovecot).
CONSOLE = pages(
    "/", "/domains/", "/domains/?q=zzz", "/domains/add/", "/domains/example.test/", "/domains/example.test/edit/",
    "/domains/example.test/reset-quotas/", "/domains/example.test/delete/", "/domains/other.test/delete/",
    "/domains/example.test/accounts/add/",
    "/accounts/alice@example.test/", "/accounts/bob@example.test/", "/accounts/dave@example.test/",
    "/accounts/jeanne@example.test/", "/accounts/alice@example.test/rename/", "/accounts/alice@example.test/remove/",
    "/accounts/jeanne@example.test/remove/", "/accounts/alice@example.test/disable/",
    "/accounts/alice@example.test/aliases/remove/?address=alice.martin@example.test",
    "/accounts/bob@example.test/forwards/remove/?address=bob@external.test",
    "/aliases/", "/aliases/add/", "/aliases/team@example.test/", "/aliases/team@example.test/rename/",
    "/aliases/team@example.test/disable/", "/aliases/team@example.test/remove/",
    "/people/", "/people/lucie/enable/", "/groups/", "/groups/staff/", "/groups/sales/",
    "/search/", "/search/?q=e",  # one hit (?q=alice) goes straight to the account page, read above
    "/search/?q=nobody-here",
    "/route/", "/route/?address=alice.martin@example.test", "/route/?address=team@example.test",
    "/route/?address=nobody@example.test", "/route/?address=not+an+address",
    "/tokens/", "/audit/", "/audit/?page=2", "/audit/?domain=example.test&outcome=refused",
    "/audit/?since=2030-01-02&until=2030-01-01",
    "/audit/{entry}/", "/console-users/", "/console-users/dadmin/", "/console-users/boss/", "/two-factor/",
    # The questions before revoking a role and resetting a second factor (a console user's, an account's user's).
    "/console-users/revoke/?username=dadmin&kind=domain_admin&domain=example.test",
    "/console-users/boss/reset-two-factor/", "/accounts/alice@example.test/reset-two-factor/",
) + [
    State("not found (404)", "/no-such-page/", status=404),
    State("not a page (405)", "/logout/", status=405),  # signing out is a POST
    State("account without Dovecot", "/accounts/bob@example.test/", _without_dovecot("/accounts/bob@example.test/")),
    State("refused new account", "/domains/example.test/accounts/add/",
          refused("/domains/example.test/accounts/add/", "main form:has([name=local_part])")),
    State("refused quota", "/accounts/alice@example.test/quota/",
          refused("/accounts/alice@example.test/", "form[action$='/quota/']", quota="lots")),
    State("refused alias", "/accounts/alice@example.test/aliases/add/",
          refused("/accounts/alice@example.test/", "form[action$='/aliases/add/']", address="alice@nowhere.test")),
    State("refused vacation", "/accounts/bob@example.test/vacation/",
          refused("/accounts/bob@example.test/", "form[action$='/vacation/']", days="0")),
    State("refused virtual alias", "/aliases/team@example.test/edit/",
          refused("/aliases/team@example.test/", "form[action$='/edit/']", external="not an address")),
    State("new token", "/tokens/", _new_token),
    State("refused token", "/tokens/", refused("/tokens/", "main form:has([name=name])", name="x", days="0")),
    State("refused grant", "/console-users/grant/",
          refused("/console-users/", "form[action$='/grant/']", username="nobody-here")),
    State("directory unavailable (503)", "/", _directory_down),
    State("directory refused (502)", "/", _error_page(Refused("The directory refused to count the accounts.",
                                                              "Give the service account read access."), 502)),
    State("too many results (422)", "/", _error_page(TooManyResults("size limit"), 422)),
    State("server error (500)", "/", _error_page(RuntimeError("a bug"), 500)),
]

# The pages a role renders otherwise than a superadmin's (the search and route tools do not: read above).
# A domain admin of example.test: its own domain's pages as it may change them (postmaster@ reserved), the audit rows
# of its domain (two pages of them), its second factor not required, and what it may not reach.
DOMAIN_ADMIN = pages(
    "/", "/domains/", "/domains/example.test/", "/domains/example.test/accounts/add/", "/accounts/alice@example.test/",
    "/accounts/postmaster@example.test/", "/aliases/team@example.test/", "/people/", "/audit/", "/audit/?page=2",
    "/two-factor/",
) + [
    State("not allowed (403)", "/domains/add/", status=403),
    State("another customer's domain (404)", "/domains/other.test/", status=404),
]

# A helpdesk member of every domain: the quota, password and status cards only, its own actions in the log (none).
HELPDESK = pages(
    "/", "/domains/example.test/", "/accounts/alice@example.test/", "/accounts/alice@example.test/disable/", "/audit/",
) + [
    State("refused quota", "/accounts/alice@example.test/quota/",
          refused("/accounts/alice@example.test/", "form[action$='/quota/']", quota="lots")),
    State("not allowed (403)", "/accounts/alice@example.test/rename/", status=403),
]

AUDITOR = pages(
    "/", "/domains/example.test/", "/accounts/alice@example.test/", "/aliases/team@example.test/", "/audit/",
    "/audit/{entry}/", "/console-users/", "/console-users/dadmin/",
) + [State("not allowed (403)", "/accounts/alice@example.test/disable/", status=403)]  # an auditor changes nothing

MAIL_USER = pages("/me/", "/me/forwards/remove/?address=bob@external.test", "/two-factor/") + [
    State("a console URL (404)", "/domains/", status=404),
    State("my account without Dovecot", "/me/", _without_dovecot("/me/")),
    State("refused password", "/me/password/", refused(
        "/me/", "form[action$='/me/password/']", old_password="whatever", password=PASSWORD, password2="another-one")),
    State("refused forward", "/me/forwards/add/",
          refused("/me/", "form[action$='/me/forwards/add/']", address="not an address")),
    State("refused vacation", "/me/vacation/", refused("/me/", "form[action$='/me/vacation/']", days="0")),
    State("self-service off (403)", "/me/", _self_service_off),
]


def _password_step(run: Run, username: str, password: str = PASSWORD) -> None:
    run.page.context.clear_cookies()
    run.go("/login/")
    run.submit("main form:has([name=password])", username=username, password=password)


def _refused_sign_in(run: Run) -> None:
    _password_step(run, "nobody", "wrong-password")
    expect(run.page.locator(".errors[role=alert]")).to_be_visible()


def _code_prompt(run: Run) -> None:
    _password_step(run, "boss")
    run.page.wait_for_url("**/two-factor/verify/")


def _refused_code(run: Run) -> None:
    run.submit("form[action$='/verify/']", code="000000")
    expect(run.page.locator("[aria-invalid=true]")).to_be_visible()


def _enrolment(run: Run) -> None:
    TOTPDevice.objects.filter(user__username=NEWCOMER).delete()  # another context enrolled it already
    StaticDevice.objects.filter(user__username=NEWCOMER).delete()
    _password_step(run, NEWCOMER)
    run.page.wait_for_url("**/two-factor/enrol/")


def _recovery_codes(run: Run) -> None:
    device = TOTPDevice.objects.get(user__username=NEWCOMER, confirmed=False)
    run.submit("form[action$='/enrol/']", code=f"{hotp(device.bin_key, int(time.time()) // device.step):06d}")
    expect(run.page.locator("ul.codes li")).to_have_count(10)


def _refused_turn_off(run: Run) -> None:
    """The newcomer's role requires its second factor, which hides the form: not required for this state. The
    persona's earlier refusals are forgotten first, so that this one is a refusal, not the lockout page."""
    reset_failed_sign_ins()
    with override_settings(MFA_REQUIRED_FOR=[]):
        refused("/two-factor/", "form[action$='/remove/']", code="000000")(run)


def _locked_out(run: Run) -> None:
    """Wrong passwords until django-axes locks the sign-in (the test forgets the failures after each context)."""
    for _attempt in range(5):
        _password_step(run, "nobody", "wrong-password")
        if run.page.locator("input[name=password]").count() == 0:
            return
    pytest.fail("no lockout page after 5 failed sign-ins")


SIGNED_OUT = pages("/login/") + [
    State("refused sign-in", "/login/", _refused_sign_in),
    State("code prompt", "/two-factor/verify/", _code_prompt),
    State("refused code", "/two-factor/verify/", _refused_code),
    State("enrolment", "/two-factor/enrol/", _enrolment),
    State("refused enrolment code", "/two-factor/enrol/", refused("/two-factor/enrol/", "form[action$='/enrol/']",
                                                                  code="000000")),
    State("recovery codes", "/two-factor/enrol/", _recovery_codes),
    State("second factor on", "/two-factor/", lambda run: run.go("/two-factor/")),  # the newcomer, just enrolled
    State("refused turn-off", "/two-factor/remove/", _refused_turn_off),
    State("locked out", "/login/", _locked_out),
]

PERSONAS = {"superadmin": CONSOLE, "domain admin": DOMAIN_ADMIN, "helpdesk": HELPDESK, "auditor": AUDITOR,
            "mail user": MAIL_USER, "signed out": SIGNED_OUT}

# URL names with no page of their own here, and why. Everything else must be reached by a state above (the coverage
# test resolves their paths). The JSON API (/api/v1/) is left out by url_names() itself: JSON, no page.
NOT_PAGES = {
    "accounts:edit": "POST-only: a refusal is the account page with the form's errors (as the refused quota)",
    "accounts:enable": "POST-only button: answers with a redirect to the account page",
    "accounts:password": "POST-only: a refusal is the account page with the card's errors (as the refused quota)",
    "accounts:add_forward": "POST-only: a refusal is the account page with the card's errors (as the refused alias)",
    "aliases:enable": "POST-only button: answers with a redirect to the virtual alias page",
    "selfservice_policy:switch": "POST-only switch on the domain page: answers with a redirect to it",
    "tokens:revoke": "POST-only button: answers with a redirect to the tokens page",
    "audit:export": "a CSV download, not a page",
}


def _url_name(path: str) -> str | None:
    try:
        return resolve(urlsplit(path.format(entry=1)).path).view_name
    except Resolver404:
        return None


def test_every_url_of_the_project_has_a_page_in_the_axe_run():
    covered = {_url_name(state.path) for states in PERSONAS.values() for state in states}
    names = {name for name, _params in url_names()}
    assert not names - covered - NOT_PAGES.keys(), "add a page of these URLs to the axe run, or a reasoned NOT_PAGES"
    assert not NOT_PAGES.keys() & covered, "these have a page in the axe run: take them off NOT_PAGES"
    assert not NOT_PAGES.keys() - names, "these are no URL names of the project: take them off NOT_PAGES"


vacation_host = pytest.fixture(scope="module")(running_vacation_host)


def _violations(page: Page) -> list[str]:
    """axe's findings of impact moderate or above on the page as it is now, one line each."""
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in results["violations"] if v["impact"] in FAILING_IMPACTS and v["id"] not in EXCEPTIONS
    ]


def _wider_than_the_window(page: Page) -> list[str]:
    """A page wider than its window (a phone's) has something that neither wraps nor scrolls in a region of its own."""
    width, window = page.evaluate("document.documentElement.scrollWidth"), page.viewport_size["width"]
    return [f"the page is {width} px wide in a {window} px window"] if width > window else []


def _test_data(slapd, settings, vacation_host) -> dict:
    """Console users with roles, audit rows (done and refused), an API token, alice's second factor, bob's vacation
    reply and some mail in his mailbox; the values of the paths' placeholders."""
    use_vacation_host(vacation_host, slapd, settings)
    users = get_user_model().objects
    boss = users.create_superuser("boss", password=PASSWORD)
    TOTPDevice.objects.create(user=boss, name="authenticator", confirmed=True)
    # alice (a mail user) enrolled one: the account page offers to reset it.
    TOTPDevice.objects.create(user=users.create_user("alice@example.test"), name="phone", confirmed=True)
    users.create_superuser(NEWCOMER, password=PASSWORD)
    Role.objects.create(user=users.create_user("dadmin", password=PASSWORD), kind=Role.DOMAIN_ADMIN,
                        domain="example.test")
    Role.objects.create(user=users.create_user("helper", password=PASSWORD), kind=Role.HELPDESK, domain="")
    Role.objects.create(user=users.create_user("auditor", password=PASSWORD), kind=Role.AUDITOR, domain="")
    ApiToken.issue(boss, "monitoring", None)
    client = Client()
    client.force_login(boss)
    client.post("/accounts/alice@example.test/quota/", {"quota": "300M"})
    client.post("/accounts/alice@example.test/aliases/add/", {"address": "bob@example.test"})  # refused: taken
    with connect() as directory:
        bob = ldap_accounts.get_account(directory, BOB)
    vacation = vacation_form(bob, {"enabled": "on", "subject": "Away", "message": "Back on Monday.", "days": "7"})
    assert vacation.is_valid() and vacation.save(actor=f"self:{BOB}")
    vacation_host.deliver(BOB, "friend@far.test", size=200_000)
    assert AuditEntry.objects.filter(ok=False).exists()
    entry = AuditEntry.objects.get(action="account.quota").pk
    # A long log: more rows of example.test than one page of the audit log holds.
    record_many("boss", events.ACCOUNT_QUOTA, [(BOB, {"quota_kb": size}) for size in range(1000, 1000 + PAGE_SIZE)])
    return {"entry": entry}


def _signed_in_state(browser, base: str, path: Path, username: str, password: str) -> Path:
    """Sign in once through the real form (and code) and keep the session for every context of the persona."""
    context = browser.new_context()
    page = context.new_page()
    if username == "boss":
        sign_in(page, base, username)
    else:
        page.goto(base + "/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(password)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/login/" not in url)
    context.storage_state(path=str(path))
    context.close()
    return path


def _read(run: Run, states: list[State]) -> Iterator[tuple[str, list[str]]]:
    for state in states:
        if state.act is None:
            run.go(state.path, state.status)
        else:
            state.act(run)
        where = urlsplit(run.page.url)
        expected = urlsplit(state.path.format(**run.values))
        assert where.path == expected.path, f"{state.name}: at {run.page.url}, not {state.path}"
        yield state.name, _violations(run.page) + _wider_than_the_window(run.page)


@pytest.mark.browser
def test_axe_finds_nothing_on_any_page_at_either_width_in_either_language(
        live_server, browser, transactional_db, mds_people, slapd, settings, vacation_host, tmp_path):
    assert AXE.is_file(), "axe-core is not installed: run `make test` (npm ci in tests/browser)"
    settings.MFA_REQUIRED_FOR = ["superadmin"]
    values = _test_data(slapd, settings, vacation_host)
    base = live_server.url
    sessions = {
        "superadmin": _signed_in_state(browser, base, tmp_path / "boss.json", "boss", PASSWORD),
        "domain admin": _signed_in_state(browser, base, tmp_path / "dadmin.json", "dadmin", PASSWORD),
        "helpdesk": _signed_in_state(browser, base, tmp_path / "helper.json", "helper", PASSWORD),
        "auditor": _signed_in_state(browser, base, tmp_path / "auditor.json", "auditor", PASSWORD),
        "mail user": _signed_in_state(browser, base, tmp_path / "bob.json", BOB, BOB_PASSWORD),
        "signed out": None,
    }
    found = {}
    for width, viewport in WIDTHS.items():
        for locale in LANGUAGES:
            for persona, states in PERSONAS.items():
                context = browser.new_context(bypass_csp=True, viewport=viewport, locale=locale,
                                              storage_state=sessions[persona])
                context.add_init_script(path=str(AXE))  # in every document the context opens
                page = context.new_page()
                page.set_default_timeout(10000)
                for name, lines in _read(Run(page, base, values), states):
                    found[f"{width} {locale} {persona}: {name}"] = lines
                context.close()
            reset_failed_sign_ins()  # the signed-out persona's failures and lockout, from one address
    assert len(found) == len(WIDTHS) * len(LANGUAGES) * sum(len(states) for states in PERSONAS.values())
    problems = {where: lines for where, lines in found.items() if lines}
    assert not problems, "\n".join(f"{where}:\n  " + "\n  ".join(lines) for where, lines in problems.items())
