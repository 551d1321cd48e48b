"""Fixtures for the virtual alias pages."""

import pytest


@pytest.fixture
def superadmin_directory_list(directory):
    """A reserved list address, postmaster@other.example.test style: here abuse@ moved to a virtual alias."""
    from mailadmin.directory import accounts, aliases

    postmaster = accounts.get_account(directory, "postmaster@example.test")
    accounts.update_account(directory, postmaster, {"aliases": ()})
    aliases.create_valias(directory, "abuse@example.test", members=[postmaster.dn])
    return "abuse@example.test"
