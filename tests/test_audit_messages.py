"""A refusal's messages are kept as message ids with their values, and shown in the reader's language: on the
dashboard, the audit log and a row's page, whatever language the actor used; values stay as typed, escaped."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django import forms
from django.core.management import call_command
from django.utils import translation

from mailadmin import audit
from mailadmin.models import AuditEntry, message_text

FR = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
IN_USE_EN = "bob@example.test is already the address of the account bob@example.test."
IN_USE_FR = "bob@example.test est déjà l’adresse du compte bob@example.test."


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A French request leaves French active in this thread; later tests expect the default language."""
    yield
    translation.activate("en")


def _refuse_alias(client, address: str, **language) -> AuditEntry:
    """Alice asked to accept `address`, refused: the row it wrote."""
    r = client.post("/accounts/alice@example.test/aliases/add/", {"address": address}, **language)
    assert r.status_code == 422
    return AuditEntry.objects.get(ok=False)


def _pages(client, entry: AuditEntry, **language) -> dict[str, str]:
    """The three pages that show the row, by name."""
    return {path: client.get(path, **language).content.decode()
            for path in ("/", "/audit/", f"/audit/{entry.pk}/")}


def test_a_refusal_made_in_english_reads_in_french(superadmin):
    entry = _refuse_alias(superadmin, "bob@example.test", **EN)
    assert entry.messages == [{"message": "%(address)s is already the address of the account %(owner)s.",
                               "params": {"address": "bob@example.test", "owner": "bob@example.test"}}]
    for path, body in _pages(superadmin, entry, **FR).items():
        assert IN_USE_FR in body and "is already" not in body, path


def test_a_refusal_made_in_french_reads_in_english(superadmin):
    entry = _refuse_alias(superadmin, "bob@example.test", **FR)
    for path, body in _pages(superadmin, entry, **EN).items():
        assert IN_USE_EN in body and "déjà" not in body, path


def test_an_address_outside_the_hosted_domains_reads_in_the_readers_language(superadmin):
    entry = _refuse_alias(superadmin, "a@nowhere.test", **EN)
    body = superadmin.get("/", **FR).content.decode()
    assert "a@nowhere.test n’appartient à aucun domaine hébergé ici." in body
    assert "a@nowhere.test is not in a domain hosted here." in superadmin.get(f"/audit/{entry.pk}/", **EN).content.decode()


def test_typed_values_are_escaped_and_never_read_as_formats(superadmin):
    typed = "<script>alert(1)</script>%(owner)s%s"
    r = superadmin.post("/console-users/revoke/", {"username": typed, "kind": "helpdesk", "domain": ""}, **FR)
    assert r.status_code == 422
    entry = AuditEntry.objects.get(ok=False)
    assert entry.messages == [{"message": "%(user)s does not hold that role.", "params": {"user": typed}}]
    for path, body in _pages(superadmin, entry, **EN).items():
        assert "<script>alert(1)" not in body, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;%(owner)s%s does not hold that role." in body, path


def test_a_message_that_no_longer_fits_its_values_is_shown_without_them():
    stored = {"message": "%(address)s is not in a domain hosted here.", "params": {"other": "x"}}
    with translation.override("fr"):
        assert message_text(stored) == "%(address)s is not in a domain hosted here."
    assert message_text({"message": "The two passwords differ.", "params": {}}) == "The two passwords differ."


def test_a_plural_message_is_kept_as_english_text():
    form = forms.Form()
    form.fields["name"] = forms.CharField(max_length=3)
    form.data, form.is_bound = {"name": "abcd"}, True
    with translation.override("fr"):
        assert not form.is_valid()
        stored = audit.refusal_messages(form)
    assert stored == [{"message": "Ensure this value has at most 3 characters (it has 4).", "params": {}}]


def test_older_rows_keep_their_text(superadmin):
    audit.record("root", "account.aliases.add", "alice@example.test", ok=False, detail=IN_USE_EN)
    audit.record("root", "account.update", "alice@example.test", ok=False, detail="Conflict: modify uid=alice,…")
    body = superadmin.get("/", **FR).content.decode()
    assert IN_USE_EN in body
    assert "Quelqu’un d’autre a modifié cette entrée" in body and "Conflict: modify" not in body
    page = superadmin.get(f"/audit/{AuditEntry.objects.get(action='account.update').pk}/", **FR).content.decode()
    assert "<code>Conflict: modify uid=alice,…</code>" in page


def test_exports_give_the_english_text_and_the_json_the_messages_too(superadmin):
    entry = _refuse_alias(superadmin, "bob@example.test", **FR)
    assert entry.detail == IN_USE_EN
    out = StringIO()
    call_command("auditlog", "--json", stdout=out)
    row = json.loads(out.getvalue())[0]
    assert row["detail"] == IN_USE_EN and row["messages"] == entry.messages
    csv = superadmin.get("/audit/export.csv", **FR)
    assert IN_USE_EN in b"".join(csv.streaming_content).decode()


def test_the_acting_role_is_in_words(superadmin):
    audit.record("root", "domain.change", "example.test")
    AuditEntry.objects.update(role="domain_admin")
    body = superadmin.get("/audit/", **FR).content.decode()
    assert "(administrateur de domaine)" in body
    assert "domain_admin" not in body.split("<tbody>")[1]


def test_the_log_a_rows_page_and_a_users_page_name_roles_in_words_and_domains_in_unicode(superadmin):
    audit.record("root", "role.grant", "bob domain_admin xn--bcher-kva.example")
    entry = AuditEntry.objects.get()
    for path in ("/audit/", f"/audit/{entry.pk}/", "/console-users/root/"):
        body = superadmin.get(path).content.decode()
        assert "bob: domain admin of bücher.example" in body and "xn--" not in body, path
        assert not re.search(r"›\s*</", body), path  # no breadcrumb ends on a dangling separator
