"""Threat 12: with CSRF checks on, every POST without a token is refused (403), mutating URLs refuse GET (405) or send
it back to the page of their form, and no GET changes the directory. Generated from the same URL table as the access matrix."""

from __future__ import annotations

import pytest

from .conftest import snapshot
from .test_url_matrix import URLS, url_for
from .urltable import RULES, TARGETS

NAMES = sorted(name for name in URLS if name in RULES)  # test_url_matrix fails for a URL without a rule


@pytest.mark.parametrize("persona", ["anonymous", "superadmin"])
@pytest.mark.parametrize("name", NAMES)
def test_a_post_without_a_token_is_refused(name, persona, login_as, directory, test_directory):
    rule = RULES[name]
    client = login_as(persona, enforce_csrf_checks=True)
    before = snapshot(test_directory)
    response = client.post(url_for(name, rule, "example"), rule.data(TARGETS["example"], directory))
    assert response.status_code == 403 and b"CSRF" in response.content
    assert snapshot(test_directory) == before


@pytest.mark.parametrize("name", sorted(name for name in NAMES if RULES[name].post_only))
def test_a_mutating_url_refuses_get_or_sends_it_back(name, login_as):
    response = login_as("superadmin", enforce_csrf_checks=True).get(url_for(name, RULES[name], "example"))
    assert response.status_code == 405 or (response.status_code == 302 and response["Location"] != response.request["PATH_INFO"])


def test_no_get_changes_the_directory(login_as, test_directory):
    """Confirmation pages (remove) show a form on GET; only the POST acts."""
    client = login_as("superadmin")
    before = snapshot(test_directory)
    for name in NAMES:
        rule = RULES[name]
        query = rule.query(TARGETS["example"]) if rule.query else {}
        client.get(url_for(name, rule, "example"), query)
    assert snapshot(test_directory) == before
