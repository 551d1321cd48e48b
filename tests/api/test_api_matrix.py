"""Threats 1 and 3 for the API: every operation of the OpenAPI document, for every persona's token, on objects of its
own domain and another domain, answers what apitable.RULES says; without a token, 401. The operations come from the
served OpenAPI document: a new one without a rule fails here."""

from __future__ import annotations

import pytest

from api.endpoints import api
from tests.mailstack.vacation_host import SUFFIX, running_vacation_host, use_vacation_host
from tests.security.conftest import SIGNED_IN, reset_directory
from tests.security.urltable import EXTRA_LDIF, TARGETS

from .apitable import RULES, fill

PREFIX = "/api/v1"


def operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {(method.upper(), path.removeprefix(PREFIX)) for path, methods in schema["paths"].items() for method in methods}


def test_every_operation_has_a_rule():
    served = operations() | {("GET", "/openapi.json")}
    assert sorted(served - set(RULES)) == [], "add a rule in tests/api/apitable.py"
    assert sorted(set(RULES) - served) == [], "a rule names an operation that no longer exists"


vacation_host = pytest.fixture(scope="module")(running_vacation_host)


@pytest.fixture
def both_targets(mds_people):
    reset_directory(mds_people, EXTRA_LDIF)
    return mds_people


def _with_dovecot(request, slapd, settings) -> str:
    """The module's Dovecot in use, and the LDIF that also puts both targets' mailboxes under its mailbox base."""
    host = request.getfixturevalue("vacation_host")
    use_vacation_host(host, slapd, settings)
    return EXTRA_LDIF + "".join(f"\ndn: uid={uid},ou=Users,{SUFFIX}\nchangetype: modify\nreplace: mailbox\n"
                                f"mailbox: {host.vmail}/{uid}/\n" for uid in ("alice", "oscar"))


@pytest.mark.parametrize(("method", "path"), sorted(RULES))
def test_each_persona_token_gets_the_expected_answer(method, path, api_as, both_targets, request, slapd, settings):
    rule = RULES[method, path]
    ldif = _with_dovecot(request, slapd, settings) if rule.dovecot else EXTRA_LDIF
    reset_directory(both_targets, ldif)
    clients = {persona: api_as(persona) for persona in ("anonymous", *SIGNED_IN)}
    wrong = []
    for target in rule.targets():
        t = TARGETS[target]
        url = PREFIX + fill(path, t)
        for persona, client in clients.items():
            if method == "GET":
                response = client.get(url, **rule.query(t))
            else:
                response = client.call(method, url, rule.body(t), if_match="*", **rule.query(t))
            expected = 200 if rule.public else 401 if persona == "anonymous" else rule.expected(target, persona, method)
            if response.status_code != expected:
                wrong.append(f"{method} {url} as {persona}: {response.status_code}, expected {expected}")
            if not response["Content-Type"].startswith(("application/json", "application/problem+json")) \
                    and response.status_code != 204:
                wrong.append(f"{method} {url} as {persona}: {response['Content-Type']}, not JSON")
            if method != "GET" and response.status_code < 300:
                reset_directory(both_targets, ldif)
    assert not wrong, "\n".join(wrong)


def _headers(response) -> dict[str, str]:
    """Every header but Expires, which is the time of the answer (never-cache headers)."""
    return {name: value for name, value in response.headers.items() if name != "Expires"}


@pytest.mark.parametrize("path", sorted(path for method, path in RULES if method == "GET"))
def test_head_is_get_without_the_body_for_every_persona(path, api_as, both_targets, bodies_as_sent, request, slapd,
                                                        settings):
    rule = RULES["GET", path]
    reset_directory(both_targets, _with_dovecot(request, slapd, settings) if rule.dovecot else EXTRA_LDIF)
    wrong = []
    for persona in ("anonymous", *SIGNED_IN):
        client = api_as(persona)
        for target in rule.targets():
            url, query = PREFIX + fill(path, TARGETS[target]), rule.query(TARGETS[target])
            got, head = client.client.get(url, query, headers=client.headers), client.client.head(url, query,
                                                                                                 headers=client.headers)
            if (head.status_code, _headers(head)) != (got.status_code, _headers(got)) or head.content:
                wrong.append(f"HEAD {url} as {persona}: {head.status_code} {_headers(head)} {head.content[:80]!r}, "
                             f"GET: {got.status_code} {_headers(got)}")
            if int(head["Content-Length"]) != len(got.content):
                wrong.append(f"HEAD {url} as {persona}: Content-Length {head['Content-Length']}, GET sent {len(got.content)}")
    assert not wrong, "\n".join(wrong)
