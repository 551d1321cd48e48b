import pytest

pytestmark = pytest.mark.browser


def test_it_signs_in_and_shows_the_dashboard(signed_in, live_server, screenshot):
    heading = signed_in.get_by_role("heading", name="Dashboard")
    assert heading.is_visible()
    assert signed_in.locator(".counts dd").first.inner_text() == "2"
    screenshot("dashboard")


def test_it_refuses_a_wrong_password(live_server, page, transactional_db):
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.url.startswith(live_server.url + "/login/")
    assert page.locator(".errors").is_visible()
