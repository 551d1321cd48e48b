"""The whole provisioning story over real HTTP (a live server, urllib): a billing script's token creates a domain and
50 accounts, changes them, meets both conflicts (412, 409), disables, deletes; and a domain admin's token is refused
on every operation against another customer's domain, leaving the directory as it was."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest

from api.models import ApiToken
from mailadmin.models import AuditEntry
from tests.mailstack.vacation_host import running_vacation_host, use_vacation_host
from tests.security.conftest import reset_directory, snapshot
from tests.security.urltable import EXTRA_LDIF, TARGETS

from .apitable import RULES, fill
from .conftest import persona_user

ACCOUNTS = 50
vacation_host = pytest.fixture(scope="module")(running_vacation_host)


@dataclass
class Answer:
    status: int
    headers: dict
    body: dict | None


class Http:
    """A client speaking real HTTP to the live server with one token."""

    def __init__(self, base: str, token: str):
        self.base, self.token = base + "/api/v1", token

    def __call__(self, method: str, path: str, body: dict | None = None, *, if_match: str | None = None) -> Answer:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if if_match:
            headers["If-Match"] = if_match
        data = None if body is None else json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (http: the live server)
                return self._answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return self._answer(error.code, error.headers, error.read())

    @staticmethod
    def _answer(status: int, headers, raw: bytes) -> Answer:
        body = json.loads(raw) if raw else None
        if raw:
            assert headers["Content-Type"].startswith(("application/json", "application/problem+json")), raw[:200]
        return Answer(status, dict(headers), body)


@pytest.fixture
def http(live_server, transactional_db, mds_people):
    reset_directory(mds_people, EXTRA_LDIF)

    def client(persona: str) -> Http:
        return Http(live_server.url, ApiToken.issue(persona_user(persona), "story")[1])

    return client


def test_the_provisioning_story(http, vacation_host, slapd, settings):
    use_vacation_host(vacation_host, slapd, settings)
    settings.MAIL_MAILBOX_TEMPLATE = f"{vacation_host.vmail}/%uid%/"  # the new mailboxes, where Dovecot keeps them
    api = http("superadmin")
    domain = api("POST", "/domains", {"name": "story.test", "description": "Story", "default_quota": "1G"})
    assert domain.status == 201 and domain.body["default_quota_kb"] == 1048576

    for n in range(ACCOUNTS):
        created = api("POST", "/domains/story.test/accounts", {
            "local_part": f"user{n:02d}", "first_name": "User", "last_name": f"{n:02d}",
            "password": "a-long-enough-Passw0rd", "aliases": [f"u{n:02d}@story.test"]})
        assert created.status == 201, created.body
        assert created.headers["Location"] == f"/api/v1/accounts/user{n:02d}@story.test"
    page = api("GET", "/domains/story.test/accounts?per_page=20&page=3")
    assert (page.body["total"], page.body["pages"]) == (ACCOUNTS, 3)
    assert [a["address"] for a in page.body["items"]] == [f"user{n:02d}@story.test" for n in range(40, 50)]

    # Change: by an alias, which resolves to the account.
    read = api("GET", "/accounts/u07@story.test")
    assert read.body["address"] == "user07@story.test" and read.body["quota_kb"] == 1048576
    changed = api("PATCH", "/accounts/u07@story.test", {"first_name": "Seven", "quota": "2G"}, if_match=read.headers["ETag"])
    assert changed.status == 200 and (changed.body["first_name"], changed.body["quota_kb"]) == ("Seven", 2097152)

    # 412: a write based on the version read before the change; the answer holds the current value.
    stale = api("PATCH", "/accounts/user07@story.test", {"last_name": "Late"}, if_match=read.headers["ETag"])
    assert stale.status == 412 and stale.body["current"]["first_name"] == "Seven"
    assert stale.headers["ETag"] == changed.headers["ETag"]

    # 409: an address that is taken, named with its holder.
    taken = api("POST", "/domains/story.test/accounts", {"local_part": "u03", "generate": True})
    assert taken.status == 409
    assert taken.body["errors"]["local_part"] == ["u03@story.test is already an alias of the account user03@story.test."]
    alias = api("POST", "/accounts/user08@story.test/aliases", {"address": "u09@story.test"},
                if_match=api("GET", "/accounts/user08@story.test").headers["ETag"])
    assert alias.status == 409 and "user09@story.test" in alias.body["title"]

    # A vacation reply, in Dovecot: on with the version read, answered to the next sender; the mailbox's usage.
    off = api("GET", "/accounts/u07@story.test/vacation")
    assert off.status == 200 and off.body["enabled"] is False
    on = api("PATCH", "/accounts/u07@story.test/vacation", {"enabled": True, "subject": "Away",
                                                             "message": "Back on Monday."}, if_match=off.headers["ETag"])
    assert on.status == 200 and on.body["enabled"] and on.headers["ETag"] != off.headers["ETag"]
    vacation_host.deliver("user07@story.test", "customer@far.test", size=2000)  # as Postfix resolves u07@
    reply, = vacation_host.replies()
    assert "Subject: Away" in reply and "Back on Monday." in reply
    usage = api("GET", "/accounts/user07@story.test/usage")
    assert usage.status == 200 and usage.body["messages"] == 1 and usage.body["used_kb"] >= 2
    assert usage.body["limit_kb"] == 2097152
    stale = api("DELETE", "/accounts/user07@story.test/vacation", if_match=off.headers["ETag"])
    assert stale.status == 412 and stale.body["current"]["subject"] == "Away"

    disabled = api("POST", "/accounts/user07@story.test/disable", if_match=changed.headers["ETag"])
    assert disabled.status == 200 and disabled.body["enabled"] is False

    refused = api("DELETE", "/domains/story.test", if_match=domain.headers["ETag"])
    assert refused.status == 409 and len(refused.body["errors"]["users"]) > 0
    for n in range(ACCOUNTS):
        address = f"user{n:02d}@story.test"
        assert api("DELETE", f"/accounts/{address}", if_match="*").status == 204
    assert api("GET", "/domains/story.test/accounts").body["total"] == 0
    assert api("DELETE", "/domains/story.test", if_match=domain.headers["ETag"]).status == 204
    assert api("GET", "/domains/story.test").status == 404

    rows = AuditEntry.objects.filter(target__endswith="story.test")
    assert set(rows.values_list("actor", flat=True)) == {"api:root"}
    assert rows.filter(action="account.create", ok=True).count() == ACCOUNTS
    assert rows.filter(action="account.vacation", ok=True).count() == 1


def test_a_domain_admin_token_is_refused_on_every_operation_in_another_domain(http, mds_people):
    api = http("domain_admin")  # administers example.test only
    before = snapshot(mds_people)
    other = TARGETS["other"]
    for (method, path), rule in sorted(RULES.items()):
        if rule.public:
            continue
        url = fill(path, other)
        query = "&".join(f"{k}={v}" for k, v in rule.query(other).items())
        answer = api(method, url + (f"?{query}" if query else ""), rule.body(other), if_match="*")
        expected = rule.expected("other", "domain_admin")
        assert answer.status == expected, (method, url, answer.body)
        if expected == 200:  # the lists answer, without anything of other.test in them
            assert "other.test" not in json.dumps(answer.body), (method, url)
        else:
            assert answer.status in (403, 404, 422), (method, url)
    assert snapshot(mds_people) == before
