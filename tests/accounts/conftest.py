"""Fixtures for the account and people pages."""

import pytest


@pytest.fixture
def csn(directory):
    """The current version (entryCSN) of an account, as an edit form would carry it."""
    from mailadmin.directory import accounts

    return lambda address: accounts.get_account(directory, address).csn


def user_password(slapd, uid: str) -> bytes:
    """userPassword as stored, read as the rootdn (the service account may not read it back)."""
    import base64

    out = slapd.ldap_tool("ldapsearch", "-LLL", "-b", f"uid={uid},ou=Users,dc=example,dc=org", "userPassword").stdout
    line = next(line for line in out.replace("\n ", "").splitlines() if line.startswith("userPassword"))
    name, _sep, value = line.partition(":")
    return base64.b64decode(value.lstrip(": ")) if value.startswith(":") else value.strip().encode()
