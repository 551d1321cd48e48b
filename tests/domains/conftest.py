"""Fixtures shared by the domain, dashboard, search and route view tests."""

from __future__ import annotations

import pytest

from mailadmin.directory import Directory
from mailadmin.directory import domains as ldap_domains


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
