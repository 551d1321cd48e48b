"""Fixtures for the threat tests: one Django test client per persona, a directory reset, operation counts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from devtools.slapd import Instance
from tests.conftest import BASE_LDIF, OUS, SUFFIX, _client

PERSONAS: dict[str, dict] = {
    "superadmin": {"username": "root", "superuser": True},
    "domain_admin": {"username": "dadmin", "roles": [("domain_admin", "example.test")]},
    "helpdesk": {"username": "helper", "roles": [("helpdesk", "")]},
    "outsider": {"username": "outsider", "roles": [("domain_admin", "other.test")]},
    "local_helpdesk": {"username": "lhelper", "roles": [("helpdesk", "example.test")]},
    "auditor": {"username": "auditor", "roles": [("auditor", "")]},
    # A plain mail account of example.test (no role), signed in for self-service with its mailbox password.
    "mail_user": {"username": "bob@example.test", "mailbox_password": "bob-password-22"},
}
SIGNED_IN = tuple(PERSONAS)


@pytest.fixture
def login_as(db) -> Callable[..., Client]:
    """`login_as("helpdesk")` returns a new Client signed in as that persona (`"anonymous"`: signed in as nobody).
    Each call gives its own Client, so several personas can act in one test; the user is created once per test."""
    from django.contrib.auth import get_user_model

    def make(persona: str, **client_kwargs) -> Client:
        client = Client(**client_kwargs)
        if persona == "anonymous":
            return client
        spec = PERSONAS[persona]
        if "mailbox_password" in spec:
            # Signed in through the sign-in page each time: a reset of the directory re-creates the entry, whose
            # new entryUUID ends the session of the old one (mailadmin.sessions).
            client.post("/login/", {"username": spec["username"], "password": spec["mailbox_password"]})
            assert client.session.get("_auth_user_id"), f"{persona} could not sign in"
            return client
        user = get_user_model().objects.filter(username=spec["username"]).first()
        if user is None:
            return _client(client, spec["username"], superuser=spec.get("superuser", False),
                           roles=spec.get("roles", ()))
        client.force_login(user)
        return client

    return make


def reset_directory(slapd: Instance, extra_ldif: str = "") -> None:
    """Back to tests/base.ldif (what the autouse fixture does before each test), then `extra_ldif` (ldapmodify)."""
    for ou in OUS:
        slapd.delete_tree(ou)
    slapd.add_ldif(BASE_LDIF)
    if extra_ldif:
        slapd.ldap_tool("ldapmodify", input_text=extra_ldif)


def snapshot(slapd: Instance) -> str:
    """Every entry under the suffix with its version (entryCSN), read as the rootdn: equal snapshots, equal trees."""
    return slapd.ldap_tool("ldapsearch", "-LLL", "-b", SUFFIX, "*", "entryCSN").stdout


