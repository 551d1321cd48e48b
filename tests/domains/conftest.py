"""Fixtures shared by the domain, dashboard, search and route view tests."""

from __future__ import annotations

import pytest

from mailadmin.directory import Directory
from mailadmin.directory import domains as ldap_domains


@pytest.fixture(autouse=True)
def fast_page_settings(settings):
    """Pages render without a collectstatic run: the manifest storage would fail on every {% static %}."""
    settings.STORAGES = {
        **settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }
    # The personas' passwords: PBKDF2 would cost half a second per test for no benefit here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def directory_down(settings):
    """Nothing listens on port 1: every connection is refused at once."""
    settings.LDAP_URL = ["ldap://127.0.0.1:1"]


@pytest.fixture
def operations(monkeypatch) -> list[int]:
    """The number of directory operations of each connection a view opens, recorded when it closes."""
    counts: list[int] = []
    close = Directory.close

    def counting_close(self: Directory) -> None:
        counts.append(self.operations)
        close(self)

    monkeypatch.setattr(Directory, "close", counting_close)
    return counts


def set_description(directory: Directory, name: str, description: str) -> None:
    """Change a domain behind the console's back, as another admin would."""
    domain = ldap_domains.get_domain(directory, name)
    ldap_domains.update_domain(directory, domain, description=description, default_quota_kb=domain.default_quota_kb)
