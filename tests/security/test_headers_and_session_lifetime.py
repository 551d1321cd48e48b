"""Finding 9: pages with account data are never stored by a cache, every response carries a Permissions-Policy, and
sessions last hours (not two weeks) and end after an idle time."""

from __future__ import annotations

import pytest

from mailadmin.sessions import SEEN_AT, SIGNED_IN_AT


@pytest.mark.parametrize("url", ["/", "/accounts/alice@example.test/", "/domains/example.test/", "/people/"])
def test_pages_with_account_data_are_not_stored(url, login_as):
    response = login_as("superadmin").get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_every_response_carries_a_permissions_policy(client, db):
    policy = client.get("/login/")["Permissions-Policy"]
    assert "camera=()" in policy and "microphone=()" in policy and "geolocation=()" in policy


def test_a_session_lasts_hours_by_default(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert 0 < settings.SESSION_IDLE_TIMEOUT < settings.SESSION_COOKIE_AGE


@pytest.mark.parametrize(("key", "setting"), [(SEEN_AT, "SESSION_IDLE_TIMEOUT"), (SIGNED_IN_AT, "SESSION_COOKIE_AGE")])
def test_a_session_ends_when_idle_or_too_old(key, setting, login_as, settings):
    client = login_as("domain_admin")
    assert client.get("/").status_code == 200
    session = client.session
    session[key] -= getattr(settings, setting) + 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session
