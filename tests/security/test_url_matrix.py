"""Threats 1 and 3: every URL of the URLconf, for every persona, on objects of its own domain, another domain and
global scope, answers exactly what urltable.RULES says (200/302, 403, 404 or 405); anonymous users are sent to the
login page. The table is generated from the URLconf: a new view without a rule fails here."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from mailadmin.models import Role

from .conftest import SIGNED_IN, reset_directory
from .urltable import EXTRA_LDIF, RULES, TARGETS, Rule, url_names

URLS = dict(url_names())


def url_for(name: str, rule: Rule, target: str) -> str:
    params = URLS[name]
    kwargs = {params[0]: getattr(TARGETS[target], rule.path)} if params else {}
    return reverse(name, kwargs=kwargs)


def _privileges() -> tuple:
    """What a web request must never change: who the users are, who is superuser or staff, and every role."""
    users = get_user_model().objects.order_by("pk").values_list("username", "is_superuser", "is_staff")
    return list(users), list(Role.objects.order_by("pk").values_list("user__username", "kind", "domain"))


def test_every_url_has_a_rule():
    missing = sorted(set(URLS) - set(RULES))
    assert not missing, f"add a rule for {', '.join(missing)} in tests/security/urltable.py"
    assert not set(RULES) - set(URLS), "a rule names a URL that no longer exists"


def test_every_rule_with_a_path_parameter_says_what_fills_it():
    for name, params in URLS.items():
        if name in RULES:
            assert len(params) == (1 if RULES[name].path else 0), name


def test_no_url_makes_a_superadmin():
    """Only `manage.py ensuresuperadmin` creates a superadmin: no admin site or setup pages on the web. Roles are
    granted on the roles: pages (superadmins only: the rules above), through the form of `manage.py adminrole`,
    whose kinds hold no superadmin."""
    assert "django.contrib.admin" not in settings.INSTALLED_APPS
    for name in URLS:
        assert not any(word in name for word in ("admin", "setup", "install")), name
    assert {kind for kind, _label in Role.KINDS} == {"domain_admin", "helpdesk", "auditor"}


@pytest.fixture
def both_targets(mds_people):
    """Both targets' objects, and the mail groups of tests/mds_people.ldif (under ou=Groups, which a reset keeps)."""
    reset_directory(mds_people, EXTRA_LDIF)
    return mds_people


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("name", sorted(URLS))
def test_each_persona_gets_the_expected_answer(name, method, login_as, directory, both_targets):
    rule = RULES.get(name)
    if rule is None:
        pytest.fail(f"add a rule for {name} in tests/security/urltable.py")
    for persona in SIGNED_IN:
        login_as(persona)  # the users exist before the first request
    wrong = []
    for target in rule.targets():
        url = url_for(name, rule, target)
        query = rule.query(TARGETS[target]) if rule.query else {}
        for persona in ("anonymous", *SIGNED_IN):
            before = _privileges()
            client = login_as(persona)
            if method == "GET":
                response = client.get(url, query)
            else:
                data = rule.data(TARGETS[target], directory)
                response = client.post(f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}", data)
            if persona == "anonymous":
                expected = 200 if rule.public else 302
                if not rule.public and not response.get("Location", "").startswith("/login/?next="):
                    wrong.append(f"{method} {url} as anonymous: no redirect to the login page")
            else:
                expected = rule.expected(method, target, persona)
            if response.status_code != expected:
                wrong.append(f"{method} {url} as {persona}: {response.status_code}, expected {expected}")
            assert _privileges() == before, f"{method} {url} as {persona} changed users or roles"
            if method == "POST" and response.status_code < 400:
                reset_directory(both_targets, EXTRA_LDIF)
    assert not wrong, "\n".join(wrong)


def test_static_files_need_no_sign_in(settings, login_as):
    settings.WHITENOISE_USE_FINDERS = True  # no collectstatic in tests: whitenoise serves from the finders
    settings.WHITENOISE_AUTOREFRESH = True
    response = login_as("anonymous").get("/static/css/app.css")
    assert response.status_code == 200 and b"body" in b"".join(response.streaming_content)
