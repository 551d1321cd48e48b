"""The audit log in the console: filters (an alias or forward address finds its account's changes), the diff of a row,
who reads which rows, escaping, the CSV export, and the client address and role each web change records."""

from __future__ import annotations

import csv
import io

from mailadmin import audit
from mailadmin.models import AuditEntry

PASSWORD = "a-long-enough-Passw0rd"


def _targets(response) -> list[str]:
    return [entry.target for entry in response.context["entries"]]


def _add_forward(client, address="bob@example.test", forward="new@external.test"):
    response = client.post(f"/accounts/{address}/forwards/add/", {"address": forward})
    assert response.status_code == 302


def test_a_forward_address_finds_the_change_of_its_account_with_its_diff(login_as):
    _add_forward(login_as("domain_admin"))
    audit.record("root", "domain.change", "other.test", old={"description": "a"}, new={"description": "b"})
    auditor = login_as("auditor")
    found = auditor.get("/audit/", {"address": "NEW@external.test"})
    assert _targets(found) == ["bob@example.test"]
    row = found.context["entries"][0]
    assert (row.actor, row.role, row.client) == ("dadmin", "domain_admin", "127.0.0.1")
    detail = auditor.get(f"/audit/{row.pk}/")
    forwards = next(c for c in detail.context["changes"] if c.attribute == "forwards")
    assert forwards.added == ("new@external.test",) and forwards.removed == ()
    assert "+ new@external.test" in detail.content.decode()


def test_filters_by_actor_domain_action_outcome_and_dates(login_as):
    _add_forward(login_as("domain_admin"))
    login_as("outsider").post("/accounts/bob@example.test/forwards/add/", {"address": "x@external.test"})  # 404
    audit.record("root", "domain.change", "other.test", ok=False, detail="refused")
    root = login_as("superadmin")
    assert _targets(root.get("/audit/", {"actor": "dadmin"})) == ["bob@example.test"]
    assert _targets(root.get("/audit/", {"domain": "other.test"})) == ["other.test"]
    assert _targets(root.get("/audit/", {"action": "domain.change"})) == ["other.test"]
    assert _targets(root.get("/audit/", {"outcome": "refused"})) == ["other.test"]
    assert _targets(root.get("/audit/", {"outcome": "done"})) == ["bob@example.test"]
    assert _targets(root.get("/audit/", {"until": "2000-01-01"})) == []
    assert len(_targets(root.get("/audit/", {"since": "2000-01-01"}))) == 2
    wrong = root.get("/audit/", {"since": "2030-01-02", "until": "2030-01-01", "address": "not an address"})
    assert wrong.status_code == 422 and set(wrong.context["form"].errors) == {"until", "address"}


def test_each_user_reads_only_its_rows(login_as):
    _add_forward(login_as("superadmin"))
    _add_forward(login_as("superadmin"), "oscar@other.test", "o2@external.test")
    login_as("helpdesk").post("/accounts/bob@example.test/quota/", {"quota": "2G"})
    login_as("outsider").post("/aliases/add/", {"address": "spy@example.test", "external": "x@external.test"})
    everything = {"bob@example.test", "oscar@other.test", "spy@example.test"}
    assert set(_targets(login_as("superadmin").get("/audit/"))) == everything
    assert set(_targets(login_as("auditor").get("/audit/"))) == everything
    # The outsider's refusal on example.test is its own business, not the domain admin's.
    assert set(_targets(login_as("domain_admin").get("/audit/"))) == {"bob@example.test"}
    assert _targets(login_as("helpdesk").get("/audit/")) == ["bob@example.test"]
    assert login_as("helpdesk").get("/audit/").context["entries"][0].actor == "helper"
    assert set(_targets(login_as("outsider").get("/audit/"))) == {"oscar@other.test", "spy@example.test"}
    hidden = AuditEntry.objects.get(target="oscar@other.test")
    assert login_as("domain_admin").get(f"/audit/{hidden.pk}/").status_code == 404
    assert login_as("outsider").get(f"/audit/{hidden.pk}/").status_code == 200


def test_a_password_change_reads_password_set_and_never_holds_the_password(login_as):
    root = login_as("superadmin")
    assert root.post("/accounts/bob@example.test/password/",
                     {"password": PASSWORD, "password2": PASSWORD}).status_code == 302
    row = AuditEntry.objects.get(action="account.password")
    page = root.get(f"/audit/{row.pk}/").content.decode()
    assert "password set" in page and PASSWORD not in page
    assert PASSWORD not in root.get("/audit/export.csv").getvalue().decode()


def test_rows_are_escaped(login_as):
    attack = '<script>alert(1)</script>@example.test'
    audit.record("<b>root</b>", "<i>x</i>", attack, new={"forwards": ["<img src=x onerror=alert(1)>"]})
    root = login_as("superadmin")
    row = AuditEntry.objects.get(actor="<b>root</b>")
    for page in (root.get("/audit/"), root.get(f"/audit/{row.pk}/")):
        html = page.content.decode()
        assert "<script>alert" not in html and "<b>root" not in html and "<img src=x" not in html
        assert "&lt;b&gt;root&lt;/b&gt;" in html


def test_the_export_is_the_filtered_view_with_formula_safe_cells(login_as):
    _add_forward(login_as("superadmin"))
    audit.record("=HYPERLINK(\"http://x\")", "account.quota", "bob@example.test", old={"quota_kb": 1},
                 new={"quota_kb": 2})
    audit.record("root", "domain.change", "other.test")
    response = login_as("auditor").get("/audit/export.csv", {"domain": "example.test"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    assert [r["actor"] for r in rows] == ["'=HYPERLINK(\"http://x\")", "root"]
    assert rows[0]["changes"] == "quota_kb: 1 -> 2"
    assert (rows[1]["target"], rows[1]["changes"]) == ("bob@example.test", "forwards: +new@external.test")
    assert rows[1]["outcome"] == "done" and rows[1]["role"] == "superadmin" and rows[1]["client"] == "127.0.0.1"


def test_history_links_lead_to_the_objects_rows_changes_under_an_alias_included(login_as):
    audit.record("root", "account.quota", "alice.martin@example.test")  # a change made under alice's alias
    audit.record("root", "account.quota", "bob@example.test")
    root = login_as("superadmin")
    page = root.get("/accounts/alice@example.test/").content.decode()
    link = "/audit/?address=alice%40example.test+alice.martin%40example.test"
    assert link in page
    assert _targets(root.get(link)) == ["alice.martin@example.test"]
    assert "/audit/?domain=example.test" in root.get("/domains/example.test/").content.decode()
    assert set(_targets(root.get("/audit/?domain=example.test"))) == {"alice.martin@example.test", "bob@example.test"}


def test_the_auditor_reads_and_changes_nothing(login_as):
    auditor = login_as("auditor")
    assert auditor.get("/accounts/bob@example.test/").status_code == 200
    assert auditor.post("/accounts/bob@example.test/quota/", {"quota": "2G"}).status_code == 403
    assert not AuditEntry.objects.exists()
    assert auditor.post("/logout/").status_code == 302


def test_roles_read_as_words_in_the_readers_language(login_as):
    """The role an actor acted in, and a granted role, are words (never `domain_admin`), in French for French
    readers; the CSV and `auditlog --json` keep the codes, for scripts."""
    login_as("superadmin").post("/console-users/grant/", {"username": "alice@example.test", "kind": "domain_admin",
                                                          "domain": "example.test"})
    login_as("mail_user").post("/me/forwards/add/", {"address": "bob@far.test"})
    _add_forward(login_as("domain_admin"))
    auditor = login_as("auditor")
    grant = AuditEntry.objects.get(action="role.grant")
    english = auditor.get(f"/audit/{grant.pk}/").content.decode()
    assert "alice@example.test: domain admin of example.test" in english and "<dd>superadmin</dd>" in english
    log = auditor.get("/audit/").content.decode()
    assert "(mail user (self-service))" in log and "(domain admin)" in log and "(superadmin)" in log
    french = auditor.get("/audit/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "(administrateur de domaine)" in french and "(utilisateur de messagerie (libre-service))" in french
    for page in (english, log, french, auditor.get("/console-users/root/").content.decode()):
        assert "domain_admin" not in page
    exported = list(csv.DictReader(io.StringIO(auditor.get("/audit/export.csv").getvalue().decode())))
    assert {r["role"] for r in exported} == {"superadmin", "self", "domain_admin"}
