"""The API half of the URL matrix: what every operation of /api/v1/ answers, per method and per persona's token, on
objects of example.test and other.test (tests/security/urltable.py is the console half; the personas, targets and
rows are the same). Writes send `If-Match: *` (versions are tested in test_api.py), so the answer is about who may.

Anonymous requests (no token) get 401 from every operation but the OpenAPI document, which is public."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.security.urltable import TARGETS, Row, Target, by_domain

Expect = Row | dict[str, Row]


@dataclass(frozen=True)
class ApiRule:
    expect: Expect
    body: Callable[[Target], dict | None] = field(default=lambda t: None)
    query: Callable[[Target], dict] = field(default=lambda t: {})
    public: bool = False
    auditor_get: int | None = None  # when the auditor reads more than the helpdesk of every domain
    dovecot: bool = False  # the operation asks Dovecot (a vacation, usage): the matrix runs it with a real one

    def expected(self, target: str, persona: str, method: str = "GET") -> int:
        if persona == "mail_user":  # a token acts with its user's roles: a plain mail account has none
            return 401
        if persona == "auditor":  # reads what the helpdesk of every domain reads; every write is refused
            if method != "GET":
                return 403
            return self.expected(target, "helpdesk") if self.auditor_get is None else self.auditor_get
        row = self.expect[target] if isinstance(self.expect, dict) else self.expect
        return getattr(row, persona)

    def targets(self) -> tuple[str, ...]:
        return tuple(TARGETS) if isinstance(self.expect, dict) else ("example",)


def fill(path: str, t: Target) -> str:
    """The path of an operation for target `t`: {name} is its domain, {address} its account (its virtual alias under
    /valiases/), {value} the alias or forward the path removes."""
    address = t.valias if path.startswith("/valiases/") else t.account
    value = t.alias if "/aliases/" in path else t.forward
    return path.replace("{name}", t.domain).replace("{address}", address).replace("{value}", value)


ALL = Row(200, 200, 200, 200, 200)
SEES = by_domain(Row(200, 200, 200, 404, 200))
ADMIN = by_domain(Row(200, 200, 403, 404, 403))
ADMIN_GONE = by_domain(Row(204, 204, 403, 404, 403))
HELPDESK = by_domain(Row(200, 200, 200, 404, 200))  # quota, password, enable: the helpdesk may
PASSWORD = "a-long-enough-Passw0rd"

RULES: dict[tuple[str, str], ApiRule] = {
    ("GET", "/openapi.json"): ApiRule(ALL, public=True),
    ("GET", "/domains"): ApiRule(ALL),
    ("POST", "/domains"): ApiRule(Row(201, 403, 403, 403, 403), body=lambda t: {"name": "new.test"}),
    ("GET", "/domains/{name}"): ApiRule(SEES),
    ("PATCH", "/domains/{name}"): ApiRule(ADMIN, body=lambda t: {"description": "Changed"}),
    # 409 for a superadmin: both domains still have accounts.
    ("DELETE", "/domains/{name}"): ApiRule(by_domain(Row(409, 403, 403, 404, 403))),
    ("POST", "/domains/{name}/reset-quotas"): ApiRule(HELPDESK),
    ("GET", "/domains/{name}/accounts"): ApiRule(SEES),
    ("POST", "/domains/{name}/accounts"): ApiRule(by_domain(Row(201, 201, 403, 404, 403)),
                                                  body=lambda t: {"local_part": "newbie", "generate": True}),
    ("GET", "/domains/{name}/valiases"): ApiRule(SEES),
    ("GET", "/valiases"): ApiRule(SEES, query=lambda t: {"domain": t.domain}),
    # 422: the form refuses a domain the user does not administer (as on the console); the helpdesk administers none.
    ("POST", "/valiases"): ApiRule(by_domain(Row(201, 201, 403, 422, 403), local_elsewhere=403),
                                   body=lambda t: {"address": f"newlist@{t.domain}", "external": ["x@external.test"]}),
    ("GET", "/accounts/{address}"): ApiRule(SEES),
    ("PATCH", "/accounts/{address}"): ApiRule(HELPDESK, body=lambda t: {"quota": "300M"}),
    ("DELETE", "/accounts/{address}"): ApiRule(ADMIN_GONE),
    ("POST", "/accounts/{address}/enable"): ApiRule(HELPDESK),
    ("POST", "/accounts/{address}/disable"): ApiRule(HELPDESK),
    ("POST", "/accounts/{address}/quota"): ApiRule(HELPDESK, body=lambda t: {"quota": "300M"}),
    ("POST", "/accounts/{address}/password"): ApiRule(HELPDESK, body=lambda t: {"password": PASSWORD}),
    ("POST", "/accounts/{address}/rename"): ApiRule(ADMIN, body=lambda t: {"new_address": f"renamed@{t.domain}"}),
    ("POST", "/accounts/{address}/aliases"): ApiRule(ADMIN, body=lambda t: {"address": f"new-alias@{t.domain}"}),
    ("DELETE", "/accounts/{address}/aliases/{value}"): ApiRule(ADMIN),
    ("POST", "/accounts/{address}/forwards"): ApiRule(ADMIN, body=lambda t: {"address": "elsewhere@external.test"}),
    ("DELETE", "/accounts/{address}/forwards/{value}"): ApiRule(ADMIN),
    ("GET", "/valiases/{address}"): ApiRule(SEES),
    ("PATCH", "/valiases/{address}"): ApiRule(ADMIN, body=lambda t: {"external": ["y@external.test"]}),
    ("DELETE", "/valiases/{address}"): ApiRule(ADMIN_GONE),
    ("POST", "/valiases/{address}/enable"): ApiRule(ADMIN),
    ("POST", "/valiases/{address}/disable"): ApiRule(ADMIN),
    ("POST", "/valiases/{address}/rename"): ApiRule(ADMIN, body=lambda t: {"new_address": f"renamed-list@{t.domain}"}),
    # Vacation: whoever may change it, as on the account page (not the helpdesk); the auditor reads it.
    ("GET", "/accounts/{address}/vacation"): ApiRule(ADMIN, auditor_get=200, dovecot=True),
    ("PATCH", "/accounts/{address}/vacation"): ApiRule(ADMIN, body=lambda t: {"enabled": True, "message": "Away."},
                                                        dovecot=True),
    ("DELETE", "/accounts/{address}/vacation"): ApiRule(ADMIN, dovecot=True),
    ("GET", "/accounts/{address}/usage"): ApiRule(SEES, dovecot=True),
    ("GET", "/route"): ApiRule(SEES, query=lambda t: {"address": t.account}),
    ("GET", "/search"): ApiRule(SEES, query=lambda t: {"q": t.account, "domain": t.domain}),
}
