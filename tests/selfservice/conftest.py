"""A mail user signed in for self-service through the real sign-in page (an LDAP bind as its entry)."""

from __future__ import annotations

import pytest
from django.test import Client

BOB, BOB_PASSWORD = "bob@example.test", "bob-password-22"
BOB_DN = "uid=bob,ou=Users,dc=example,dc=org"


def sign_in(client: Client, username: str = BOB, password: str = BOB_PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


@pytest.fixture
def mail_user(db) -> Client:
    """bob@example.test (no role), signed in with his mailbox password."""
    client = Client()
    assert sign_in(client).status_code == 302
    return client
