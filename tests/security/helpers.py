"""Console users who sign in by an LDAP bind, made as a superadmin makes them: `adminrole grant` (and `confirm`)."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.test import Client


def adminrole(*args: str) -> str:
    out = StringIO()
    call_command("adminrole", *args, stdout=out)
    return out.getvalue()


def sign_in(address: str, password: str, **extra) -> Client:
    """A new Client that posted the sign-in form (signed in or not: see `signed_in`)."""
    client = Client()
    client.post("/login/", {"username": address, "password": password}, **extra)
    return client


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session
