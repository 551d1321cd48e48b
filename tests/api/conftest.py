"""API clients: a Django test client per persona, sending that persona's API token (and no session cookie)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from api.models import ApiToken
from mailadmin.models import Role
from tests.security.conftest import PERSONAS, login_as  # noqa: F401 (a fixture for the token page tests)

API = "/api/v1"


class ApiClient:
    """JSON in, JSON out, the token in every request's Authorization header."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def call(self, method: str, path: str, body: dict | None = None, *, if_match: str | None = None,
             if_none_match: str | None = None, **query):
        headers = dict(self.headers)
        for name, value in (("If-Match", if_match), ("If-None-Match", if_none_match)):
            if value is not None:
                headers[name] = value
        url = path if path.startswith("/api/") else API + path
        function = getattr(self.client, method.lower())
        if method == "GET":
            return function(url, query, headers=headers)
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        return function(url, json.dumps(body) if body is not None else None, content_type="application/json",
                        headers=headers)

    def get(self, path: str, *, if_none_match: str | None = None, **query):
        return self.call("GET", path, if_none_match=if_none_match, **query)


def persona_user(persona: str):
    spec = PERSONAS[persona]
    user = get_user_model().objects.filter(username=spec["username"]).first()
    if user is None:
        user = get_user_model().objects.create_user(username=spec["username"], password="persona-password-1",
                                                    is_superuser=spec.get("superuser", False))
        for kind, domain in spec.get("roles", ()):
            Role.objects.create(user=user, kind=kind, domain=domain)
    return user


@pytest.fixture
def api_as(db) -> Callable[[str], ApiClient]:
    """`api_as("domain_admin")`: an ApiClient with a new token of that persona (`"anonymous"`: no token)."""

    def make(persona: str) -> ApiClient:
        if persona == "anonymous":
            return ApiClient(None)
        _row, token = ApiToken.issue(persona_user(persona), "tests")
        return ApiClient(token)

    return make


@pytest.fixture
def bodies_as_sent(monkeypatch):
    """Django's test client drops a HEAD's body itself, as most servers do: keep it, to see what the app sends."""
    monkeypatch.setattr("django.test.client.conditional_content_removal", lambda request, response: response)


def etag_of(response) -> str:
    return response["ETag"]
