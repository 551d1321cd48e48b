"""Fixtures shared by the domain, dashboard, search and route view tests."""

from __future__ import annotations

from mailadmin.directory import Directory
from mailadmin.directory import domains as ldap_domains


def set_description(directory: Directory, name: str, description: str) -> None:
    """Change a domain behind the console's back, as another admin would."""
    domain = ldap_domains.get_domain(directory, name)
    ldap_domains.update_domain(directory, domain, description=description, default_quota_kb=domain.default_quota_kb)
