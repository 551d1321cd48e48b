"""Remembered counts (directory/remembered.py) are kept per scope: what the warm-up computed for every domain, and a
superadmin's pages and writes since, never show in a domain admin's counts, on the console or through the API."""

from __future__ import annotations

from mailadmin.directory import warmup
from tests.cli.helpers import run
from tests.security.urltable import PASSWORD


def test_counts_warmed_for_every_domain_stay_out_of_a_domain_admins_pages(login_as, directory, api_as):
    warmup.warm(directory)
    superadmin = login_as("superadmin")
    assert superadmin.get("/").context["counts"].accounts == 6  # every domain's, remembered
    run("createaccount", "new@example.test", "--password-stdin", stdin=PASSWORD)  # adjusts what is remembered
    assert superadmin.get("/").context["counts"].accounts == 7

    outsider = login_as("outsider")
    counts = outsider.get("/").context["counts"]
    assert (counts.domains, counts.accounts, counts.disabled, counts.valiases) == (1, 1, 0, 0)
    assert [(d.name, d.account_count) for d in outsider.get("/domains/").context["domains"]] == [("other.test", 1)]
    listed = api_as("outsider").get("/domains").json()
    assert (listed["total"], [(d["name"], d["account_count"]) for d in listed["items"]]) == (1, [("other.test", 1)])
