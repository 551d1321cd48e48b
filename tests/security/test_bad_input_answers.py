"""Finding 7: a huge page number, and passwords SASLprep refuses (U+202E, U+FFFD), get a clear answer: a 404, a form
error, a failed sign-in counted as such. Never a 500, never "directory not reachable"."""

from __future__ import annotations

import logging

import pytest
from axes.models import AccessAttempt

from mailadmin.directory import accounts

from .helpers import adminrole, sign_in, signed_in

BAD_PASSWORDS = ["pass\u202eword-12345", "pass\ufffdword-12345"]


@pytest.mark.parametrize("page", ["99999999999", "9" * 5000, "100001", "²"])
@pytest.mark.parametrize("url", ["/domains/example.test/", "/domains/"])
def test_a_huge_or_odd_page_number_is_no_such_page(url, page, login_as):
    assert login_as("superadmin").get(url, {"page": page}).status_code == 404


@pytest.mark.parametrize("password", BAD_PASSWORDS)
def test_the_password_form_refuses_such_a_password(password, login_as, directory):
    response = login_as("superadmin").post("/accounts/alice@example.test/password/",
                                           {"password": password, "password2": password})
    assert response.status_code == 422
    assert "Choose another" in response.content.decode()


@pytest.mark.parametrize("password", BAD_PASSWORDS)
def test_the_create_form_refuses_it_and_creates_nothing(password, login_as, directory):
    response = login_as("domain_admin").post("/domains/example.test/accounts/add/", {
        "local_part": "zoe", "password": password, "password2": password})
    assert response.status_code == 200 and "Choose another" in response.content.decode()
    assert accounts.get_account(directory, "zoe@example.test") is None


@pytest.mark.parametrize("password", BAD_PASSWORDS)
def test_at_sign_in_it_is_a_failed_sign_in(password, db, caplog):
    adminrole("grant", "alice@example.test", "--domain-admin", "example.test")
    with caplog.at_level(logging.WARNING):
        client = sign_in("alice@example.test", password)
    assert not signed_in(client)
    assert AccessAttempt.objects.get(username="alice@example.test").failures_since_start == 1
    assert "unusable" not in caplog.text and "unavailable" not in caplog.text
