"""Finding 8: a refusal belongs to whoever tried (and to superadmins), never to the recent changes of the domain it
aimed at (nor to the helpdesk), where it would show another tenant's admin and what they tried."""

from __future__ import annotations

from mailadmin.models import AuditEntry

SPY = {"address": "spy@example.test", "external": "x@external.test", "enabled": "on"}


def _shown(client) -> list[tuple[str, str]]:
    return [(e.actor, e.target) for e in client.get("/").context["changes"]]


def test_a_refusal_shows_to_its_actor_and_superadmins_not_to_the_target_domain(login_as):
    assert login_as("outsider").post("/aliases/add/", SPY).status_code == 200  # refused: not its domain
    assert AuditEntry.objects.get(target="spy@example.test").ok is False
    assert ("outsider", "spy@example.test") not in _shown(login_as("domain_admin"))
    assert ("outsider", "spy@example.test") not in _shown(login_as("helpdesk"))  # of every domain, not an auditor
    assert ("outsider", "spy@example.test") in _shown(login_as("outsider"))
    assert ("outsider", "spy@example.test") in _shown(login_as("superadmin"))


def test_the_domains_own_changes_still_show(login_as):
    login_as("superadmin").post("/accounts/alice@example.test/quota/", {"quota": "1G"})
    assert ("root", "alice@example.test") in _shown(login_as("domain_admin"))
