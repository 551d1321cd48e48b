"""The real axe-core engine (tests/browser/package.json, installed by `make test`) on every console page, at desktop
and phone widths, in English and French. Any violation of impact moderate or above fails the test.

axe is injected as a script, which the console's CSP forbids: the contexts of this test alone bypass the CSP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axes.utils import reset as reset_failed_sign_ins
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = {"moderate", "serious", "critical"}
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LANGUAGES = ("en-GB", "fr-FR")
# Known-safe exceptions: none. (An entry here is a rule id with the reason it does not apply to this console.)
EXCEPTIONS: dict[str, str] = {}

# Every page of the console, as the test data of tests/base.ldif and tests/mds_people.ldif shows it.
PAGES = [
    "/", "/domains/", "/domains/?q=zzz", "/domains/add/", "/domains/example.test/", "/domains/example.test/edit/",
    "/domains/example.test/delete/", "/domains/other.test/delete/", "/domains/example.test/accounts/add/",
    "/accounts/alice@example.test/", "/accounts/dave@example.test/", "/accounts/jeanne@example.test/",
    "/accounts/alice@example.test/remove/", "/accounts/jeanne@example.test/remove/",
    "/accounts/alice@example.test/disable/",
    "/accounts/alice@example.test/aliases/remove/?address=alice.martin@example.test",
    "/accounts/bob@example.test/forwards/remove/?address=bob@external.test", "/aliases/team@example.test/disable/",
    "/aliases/", "/aliases/add/", "/aliases/team@example.test/", "/aliases/team@example.test/remove/",
    "/people/", "/people/lucie/enable/", "/groups/", "/groups/staff/", "/groups/sales/",
    "/search/", "/search/?q=alice", "/search/?q=e", "/search/?q=nobody-here",
    "/route/", "/route/?address=alice.martin@example.test", "/route/?address=team@example.test",
    "/route/?address=nobody@example.test", "/route/?address=not+an+address", "/no-such-page/",
]


def _violations(page: Page) -> list[str]:
    """axe's findings of impact moderate or above on the page as it is now, one line each."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in results["violations"] if v["impact"] in FAILING_IMPACTS and v["id"] not in EXCEPTIONS
    ]


def _refused_forms(page: Page, base_url: str) -> Iterator[str]:
    """Leaves `page` showing form errors, one refused submit after another, naming each; then the sign-in page,
    blank and refused (this signs the context out)."""
    page.goto(base_url + "/domains/example.test/accounts/add/")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    yield "refused new account"
    page.goto(base_url + "/accounts/alice@example.test/")
    page.locator("section[aria-labelledby=quota-h] input[name=quota]").fill("lots")
    page.locator("section[aria-labelledby=quota-h] button[type=submit]").first.click()
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    yield "refused quota"
    page.context.clear_cookies()  # signed out from here on
    page.goto(base_url + "/login/")
    yield "sign-in"
    page.locator("input[name=username]").fill("nobody")  # one failure per context; the test forgets it after each
    page.locator("input[name=password]").fill("wrong-password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".errors[role=alert]")).to_be_visible()
    yield "refused sign-in"


@pytest.fixture
def mds_console(live_server, transactional_db, mds_people, browser, tmp_path, settings):
    """The signed-in session of a superadmin, saved once for every context of the test (password alone: the second
    factor's pages are not what this test reads)."""
    settings.MFA_REQUIRED_FOR = []
    get_user_model().objects.create_superuser("boss", password=PASSWORD)
    context = browser.new_context()
    sign_in(context.new_page(), live_server.url, "boss")
    state = tmp_path / "state.json"
    context.storage_state(path=str(state))
    context.close()
    return state


def test_axe_finds_nothing_on_any_page_at_either_width_in_either_language(live_server, browser, mds_console):
    assert AXE.is_file(), "axe-core is not installed: run `make test` (npm ci in tests/browser)"
    found = {}
    checked = 0
    for width, viewport in WIDTHS.items():
        for locale in LANGUAGES:
            context = browser.new_context(bypass_csp=True, viewport=viewport, locale=locale, storage_state=mds_console)
            page = context.new_page()
            page.set_default_timeout(10000)
            for path in PAGES:
                page.goto(live_server.url + path)
                found[f"{width} {locale} {path}"] = _violations(page)
                checked += 1
            for name in _refused_forms(page, live_server.url):
                found[f"{width} {locale} {name}"] = _violations(page)
                checked += 1
            context.close()
            reset_failed_sign_ins()  # four contexts' failures from one address would reach AXES_FAILURE_LIMIT (3)
    assert checked == len(WIDTHS) * len(LANGUAGES) * (len(PAGES) + 4)
    problems = {where: lines for where, lines in found.items() if lines}
    assert not problems, "\n".join(f"{where}:\n  " + "\n  ".join(lines) for where, lines in problems.items())
