"""The console page where users create and revoke their own API tokens: shown once, stored hashed, audited."""

from __future__ import annotations

import re

from api.models import ApiToken, digest
from mailadmin.models import AuditEntry

from .conftest import ApiClient


def test_a_new_token_is_shown_once_and_only_its_digest_is_kept(login_as):
    client = login_as("domain_admin")
    response = client.post("/tokens/", {"name": "billing", "days": "30"})
    assert response.status_code == 201 and "no-store" in response["Cache-Control"]
    token = re.search(r'<code id="new-token">([^<]+)</code>', response.content.decode()).group(1)
    row = ApiToken.objects.get(user__username="dadmin")
    assert row.digest == digest(token) and row.expires is not None and row.name == "billing"
    assert token not in client.get("/tokens/").content.decode()  # listed by its first characters only
    assert ApiClient(token).get("/domains/example.test").status_code == 200
    assert AuditEntry.objects.get(action="api_token.create").actor == "dadmin"


def test_a_user_revokes_their_own_token_and_nobody_elses(login_as):
    own = login_as("domain_admin")
    own.post("/tokens/", {"name": "mine"})
    other = login_as("outsider")
    other.post("/tokens/", {"name": "theirs"})
    theirs = ApiToken.objects.get(user__username="outsider")
    assert own.post(f"/tokens/{theirs.pk}/revoke/").status_code == 404
    mine = ApiToken.objects.get(user__username="dadmin")
    assert own.post(f"/tokens/{mine.pk}/revoke/").status_code == 302
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["theirs"]
    assert AuditEntry.objects.filter(action="api_token.revoke", actor="dadmin").count() == 1


def test_a_bad_expiry_is_a_form_error(login_as):
    response = login_as("helpdesk").post("/tokens/", {"name": "x", "days": "0"})
    assert response.status_code == 200 and not ApiToken.objects.exists()
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
