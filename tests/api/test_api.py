"""The JSON API on the console's rules, through Django's test client: tokens, versions (ETag, If-Match, 412 with the
current value), 409 naming the holder, the one error shape, alias resolution, paging, actions and the audit log."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiToken, digest
from mailadmin.directory import DirectoryError
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory import domains as ldap_domains
from mailadmin.models import AuditEntry

from .conftest import ApiClient, persona_user

PROBLEM = "application/problem+json"


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"]
    return body


# --- Tokens -----------------------------------------------------------------------------------------------------------


def test_no_token_or_a_wrong_one_is_401_as_json(api_as):
    for client in (api_as("anonymous"), ApiClient("mla_not-a-token")):
        response = client.get("/domains")
        problem(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_is_stored_hashed_and_an_expired_or_revoked_one_stops_working(db):
    row, token = ApiToken.issue(persona_user("superadmin"), "billing", timezone.now() + timedelta(days=1))
    assert token not in (row.digest, row.hint) and row.digest == digest(token) and token.startswith(row.hint)
    assert not ApiToken.objects.filter(digest=token).exists()
    client = ApiClient(token)
    assert client.get("/domains").status_code == 200
    ApiToken.objects.filter(pk=row.pk).update(expires=timezone.now() - timedelta(seconds=1))
    problem(client.get("/domains"), 401)
    ApiToken.objects.filter(pk=row.pk).update(expires=None)
    assert client.get("/domains").status_code == 200
    row.delete()
    problem(client.get("/domains"), 401)


def test_a_token_of_a_user_who_lost_every_role_stops_working(api_as):
    client = api_as("domain_admin")
    assert client.get("/domains/example.test").status_code == 200
    persona_user("domain_admin").mail_roles.all().delete()
    problem(client.get("/domains/example.test"), 401)


def test_the_throttle_answers_429_with_retry_after(api_as, settings):
    settings.MAIL_API_RATE = "3/min"
    client = api_as("helpdesk")
    assert [client.get("/domains").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/domains")
    problem(response, 429)
    assert int(response["Retry-After"]) > 0
    assert api_as("helpdesk").get("/domains").status_code == 200  # per token, not per user


# --- Reads ------------------------------------------------------------------------------------------------------------


def test_an_alias_resolves_to_its_account_with_canonical(api_as):
    response = api_as("superadmin").get("/accounts/alice.martin@example.test")
    assert response.status_code == 200
    body = response.json()
    assert body["address"] == "alice@example.test" and body["canonical"] == "/api/v1/accounts/alice@example.test"
    assert response["Content-Location"] == body["canonical"]
    assert response["ETag"] == f'"{body["version"]}"'


def test_the_mailbox_path_is_for_superadmins_only(api_as):
    assert api_as("superadmin").get("/accounts/alice@example.test").json()["mailbox"] == "/home/vmail/alice/"
    assert api_as("domain_admin").get("/accounts/alice@example.test").json()["mailbox"] is None
    problem(api_as("domain_admin").call("PATCH", "/accounts/alice@example.test", {"mailbox": "/home/vmail/x/"},
                                        if_match="*"), 403)


@pytest.mark.both_profiles  # a VLV window with sssvlv, the streaming fallback on a stock directory
def test_accounts_are_paged_on_the_server_with_a_total(api_as, big_domain):
    client = api_as("superadmin")
    first = client.get(f"/domains/{big_domain}/accounts", per_page=100).json()
    assert (first["total"], first["pages"], len(first["items"])) == (520, 6, 100)
    last = client.get(f"/domains/{big_domain}/accounts", per_page=100, page=6).json()
    assert [a["address"] for a in last["items"]][0] == "u0500@big.test" and len(last["items"]) == 20
    problem(client.get(f"/domains/{big_domain}/accounts", per_page=100, page=7), 404)
    found = client.get(f"/domains/{big_domain}/accounts", q="u0123").json()
    assert [a["address"] for a in found["items"]] == ["u0123@big.test"] and found["total"] == 1


def test_domains_are_listed_with_counts_and_filtered(api_as):
    body = api_as("superadmin").get("/domains", q="company").json()
    assert [(d["name"], d["account_count"]) for d in body["items"]] == [("example.test", 5)] and body["total"] == 1
    assert [d["name"] for d in api_as("outsider").get("/domains").json()["items"]] == ["other.test"]


@pytest.mark.parametrize(("path", "change", "body"), [
    ("/domains/example.test", "/domains/example.test", {"description": "Changed"}),
    ("/accounts/alice.martin@example.test", "/accounts/alice@example.test", {"first_name": "Ally"}),
    ("/valiases/team@example.test", "/valiases/team@example.test", {"external": ["y@external.test"]}),
])
def test_if_none_match_with_the_version_held_is_304_until_the_entry_changes(api_as, path, change, body):
    client = api_as("superadmin")
    read = client.get(path)
    tag = read["ETag"]
    for held in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        again = client.get(path, if_none_match=held)
        assert (again.status_code, again.content, again["ETag"]) == (304, b"", tag), held
    assert client.get(path, if_none_match='"other"').json() == read.json()
    assert client.call("PATCH", change, body, if_match=tag).status_code == 200
    changed = client.get(path, if_none_match=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag and changed.json() != read.json()


def test_lists_carry_a_weak_etag_for_if_none_match(api_as):
    client = api_as("superadmin")
    listed = client.get("/domains/example.test/accounts")
    assert listed["ETag"].startswith('W/"')
    assert client.get("/domains/example.test/accounts", if_none_match=listed["ETag"]).status_code == 304
    assert client.get("/domains/example.test/accounts", page=1, per_page=2,
                      if_none_match=listed["ETag"]).status_code == 200  # another answer, another tag
    assert client.call("POST", "/accounts/bob@example.test/disable", if_match="*").status_code == 200
    assert client.get("/domains/example.test/accounts", if_none_match=listed["ETag"]).status_code == 200


def test_an_unexpected_error_is_a_json_500_without_a_traceback(api_as, monkeypatch):
    def fail(*args, **kwargs):
        raise DirectoryError("secret detail")

    monkeypatch.setattr(ldap_domains, "list_domains", fail)
    body = problem(api_as("superadmin").get("/domains"), 500)
    assert "secret detail" not in json.dumps(body) and "Traceback" not in json.dumps(body)


def test_bad_parameters_and_unknown_paths_answer_json(api_as):
    client = api_as("superadmin")
    body = problem(client.get("/domains", page="x"), 422)
    assert "page" in body["errors"]
    problem(client.get("/api/v1/nothing/here"), 404)
    problem(client.get("/accounts/not-an-address"), 404)
    problem(client.call("POST", "/domains/example.test/accounts", {"local_part": "x", "colour": "red"}), 422)
    response = client.client.post("/api/v1/domains", "{not json", content_type="application/json",
                                  headers=client.headers)
    problem(response, 400)
    refused = client.call("PUT", "/domains/example.test", {"description": "x"}, if_match="*")
    problem(refused, 405)
    assert set(refused["Allow"].split(", ")) == {"GET", "HEAD", "PATCH", "DELETE"}
    assert problem(client.call("GET", "/accounts/alice@example.test/enable"), 405)
    assert client.call("GET", "/accounts/alice@example.test/enable")["Allow"] == "POST"  # no GET, so no HEAD either


# --- HEAD (the matrix checks it on every GET operation: test_api_matrix.py) ------------------------------------------


def test_head_of_what_offers_no_get_or_does_not_exist_is_a_bodiless_refusal(api_as, bodies_as_sent):
    client = api_as("superadmin")
    refused = client.client.head("/api/v1/accounts/alice@example.test/enable", headers=client.headers)
    assert (refused.status_code, refused["Allow"], refused["Content-Type"], refused.content) == (405, "POST", PROBLEM, b"")
    assert int(refused["Content-Length"]) == len(client.call("GET", "/accounts/alice@example.test/enable").content)
    missing = client.client.head("/api/v1/nothing/here", headers=client.headers)
    assert (missing.status_code, missing["Content-Type"], missing.content) == (404, PROBLEM, b"")


def test_head_answers_304_to_the_version_held(api_as, bodies_as_sent):
    client = api_as("superadmin")
    tag = client.get("/accounts/alice@example.test")["ETag"]
    held = client.client.head("/api/v1/accounts/alice@example.test", headers={**client.headers, "If-None-Match": tag})
    assert (held.status_code, held["ETag"], held.content) == (304, tag, b"")


def test_head_is_throttled_as_get_is(api_as, settings, bodies_as_sent):
    settings.MAIL_API_RATE = "3/min"
    client = api_as("helpdesk")
    assert [client.client.head("/api/v1/domains", headers=client.headers).status_code for _ in range(2)] == [200, 200]
    assert client.get("/domains").status_code == 200
    throttled = client.client.head("/api/v1/domains", headers=client.headers)
    assert (throttled.status_code, throttled.content) == (429, b"") and int(throttled["Retry-After"]) > 0
    assert client.get("/domains").status_code == 429


def test_the_route_and_the_search(api_as):
    client = api_as("superadmin")
    route = client.get("/route", address="alice.martin@example.test").json()
    assert route["delivered"] and route["steps"] and route["address"] == "alice.martin@example.test"
    found = client.get("/search", q="alice").json()
    assert [a["address"] for a in found["items"]] == ["alice@example.test"] and found["total"] == 1
    problem(api_as("outsider").get("/route", address="alice@example.test"), 404)
    assert api_as("outsider").get("/search", q="alice").json()["items"] == []


# --- Writes -----------------------------------------------------------------------------------------------------------


def test_a_write_needs_if_match_and_a_stale_one_gets_412_with_the_current_value(api_as):
    client = api_as("superadmin")
    read = client.get("/accounts/bob@example.test")
    problem(client.call("PATCH", "/accounts/bob@example.test", {"first_name": "Robert"}), 428)
    changed = client.call("PATCH", "/accounts/bob@example.test", {"first_name": "Robert"}, if_match=read["ETag"])
    assert changed.status_code == 200 and changed.json()["first_name"] == "Robert"
    assert changed["ETag"] != read["ETag"]
    stale = client.call("PATCH", "/accounts/bob@example.test", {"first_name": "Bobby"}, if_match=read["ETag"])
    body = problem(stale, 412)
    assert body["current"]["first_name"] == "Robert" and stale["ETag"] == changed["ETag"]
    for method, path, data in (("POST", "/accounts/bob@example.test/disable", None),
                               ("DELETE", "/accounts/bob@example.test", None),
                               ("POST", "/accounts/bob@example.test/quota", {"reset": True})):
        problem(client.call(method, path, data, if_match=read["ETag"]), 412)
    assert client.get("/accounts/bob@example.test").json()["enabled"]


def test_creating_a_taken_address_is_409_naming_the_holder(api_as):
    body = problem(api_as("superadmin").call("POST", "/domains/example.test/accounts",
                                             {"local_part": "new", "generate": True,
                                              "aliases": ["alice.martin@example.test"]}), 409)
    assert body["errors"]["aliases"] == ["alice.martin@example.test is already an alias of the account "
                                         "alice@example.test."]


def test_field_errors_carry_the_forms_messages(api_as):
    body = problem(api_as("superadmin").call("POST", "/domains/example.test/accounts",
                                             {"local_part": "new", "quota": "lots"}), 422)
    assert set(body["errors"]) == {"password", "quota"}
    assert body["errors"]["password"] == ["Type the password twice, or tick “Generate a password”."]


def test_errors_are_translated_with_accept_language(api_as):
    client = api_as("superadmin")
    response = client.client.get("/api/v1/domains/nowhere.test", headers={**client.headers, "Accept-Language": "fr"})
    assert response.status_code == 404 and response.json()["title"] == "Introuvable."


def test_actions_change_the_account_and_are_audited_as_api_user(api_as, directory):
    client = api_as("domain_admin")
    tag = client.get("/accounts/bob@example.test")["ETag"]
    steps = [("POST", "/accounts/bob@example.test/disable", None, lambda a: not a["enabled"]),
             ("POST", "/accounts/bob@example.test/enable", None, lambda a: a["enabled"]),
             ("POST", "/accounts/bob@example.test/quota", {"quota": "1G"}, lambda a: a["quota_kb"] == 1048576),
             ("POST", "/accounts/bob@example.test/quota", {"reset": True}, lambda a: a["quota_kb"] == 512000),
             ("POST", "/accounts/bob@example.test/aliases", {"address": "robert@example.test"},
              lambda a: a["aliases"] == ["robert@example.test"]),
             ("DELETE", "/accounts/bob@example.test/aliases/robert@example.test", None, lambda a: a["aliases"] == []),
             ("POST", "/accounts/bob@example.test/forwards", {"address": "b@external.test", "keep_copy": True},
              lambda a: a["forwards"] == ["bob@external.test", "b@external.test"] and a["keep_copy"]),
             ("DELETE", "/accounts/bob@example.test/forwards/b@external.test", None,
              lambda a: a["forwards"] == ["bob@external.test"] and a["keep_copy"])]
    for method, path, data, check in steps:
        response = client.call(method, path, data, if_match=tag)
        assert response.status_code == 200, (path, response.content)
        assert check(response.json()), path
        tag = response["ETag"]
    response = client.call("POST", "/accounts/bob@example.test/password", {"generate": True}, if_match=tag)
    assert response.status_code == 200 and len(response.json()["password"]) >= 8
    assert response["Cache-Control"].startswith("no-store")
    actions = list(AuditEntry.objects.filter(target="bob@example.test").order_by("pk").values_list("actor", "action"))
    assert actions == [("api:dadmin", a) for a in (
        "account.disable", "account.enable", "account.quota", "account.quota", "account.aliases.add",
        "account.aliases.remove", "account.forwards.add", "account.forwards.remove", "account.password")]
    assert "password" not in str(AuditEntry.objects.last().new)


def test_a_refused_write_is_audited_too(api_as):
    api_as("superadmin").call("POST", "/domains/example.test/accounts", {"local_part": "alice", "generate": True})
    row = AuditEntry.objects.get(action="account.create")
    assert (row.actor, row.ok, row.target) == ("api:root", False, "alice@example.test")


def test_the_helpdesk_keeps_its_console_limits(api_as):
    client = api_as("helpdesk")
    tag = client.get("/accounts/bob@example.test")["ETag"]
    problem(client.call("POST", "/accounts/bob@example.test/aliases", {"address": "rob@example.test"}, if_match=tag),
            403)
    problem(client.call("PATCH", "/accounts/bob@example.test", {"first_name": "Rob"}, if_match=tag), 403)
    assert client.call("PATCH", "/accounts/bob@example.test", {"quota": "300M"}, if_match=tag).status_code == 200
    problem(client.call("POST", "/domains/example.test/accounts", {"local_part": "x", "generate": True}), 403)
    problem(client.call("POST", "/accounts/postmaster@example.test/disable", if_match="*"), 403)


def test_domains_create_change_and_delete(api_as):
    client = api_as("superadmin")
    created = client.call("POST", "/domains", {"name": "New.Test", "description": "New", "default_quota": "1G"})
    assert created.status_code == 201 and created["Location"] == "/api/v1/domains/new.test"
    assert created.json()["default_quota_kb"] == 1048576
    problem(client.call("POST", "/domains", {"name": "new.test"}), 409)
    changed = client.call("PATCH", "/domains/new.test", {"description": "Renamed"}, if_match=created["ETag"])
    assert changed.json() == {**created.json(), "description": "Renamed", "version": changed.json()["version"]}
    problem(client.call("DELETE", "/domains/new.test", if_match=created["ETag"]), 412)
    used = problem(client.call("DELETE", "/domains/example.test", if_match="*"), 409)
    assert "alice@example.test" in used["errors"]["users"]
    assert client.call("DELETE", "/domains/new.test", if_match=changed["ETag"]).status_code == 204
    problem(client.get("/domains/new.test"), 404)


def test_virtual_aliases(api_as, directory):
    client = api_as("domain_admin")
    created = client.call("POST", "/valiases", {"address": "sales@example.test", "members": ["alice@example.test"],
                                                "external": ["x@external.test"]})
    assert created.status_code == 201, created.content
    assert created.json()["members"] == ["alice@example.test"]
    problem(client.call("POST", "/valiases", {"address": "team@example.test"}), 409)
    problem(client.call("POST", "/valiases", {"address": "list@other.test"}), 422)
    changed = client.call("PATCH", "/valiases/sales@example.test", {"members": ["bob@example.test"]},
                          if_match=created["ETag"])
    assert changed.json()["members"] == ["bob@example.test"] and changed.json()["external"] == ["x@external.test"]
    disabled = client.call("POST", "/valiases/sales@example.test/disable", if_match=changed["ETag"])
    assert disabled.json()["enabled"] is False
    listed = client.get("/domains/example.test/valiases").json()
    assert {v["address"] for v in listed["items"]} == {"sales@example.test", "team@example.test"}
    assert client.call("DELETE", "/valiases/sales@example.test", if_match=disabled["ETag"]).status_code == 204
    problem(client.get("/valiases/sales@example.test"), 404)


def test_virtual_alias_lists_are_paged_and_filtered_by_domain_and_text(api_as, slapd):
    slapd.add_ldif("".join(f"""
dn: mailalias=list{n}@example.test,ou=mailAliases,dc=example,dc=org
objectClass: mailAlias
mailalias: list{n}@example.test
mail: x{n}@external.test
mailenable: OK
""" for n in range(5)) + """
dn: mailalias=list@other.test,ou=mailAliases,dc=example,dc=org
objectClass: mailAlias
mailalias: list@other.test
mail: y@external.test
mailenable: OK
""")
    client = api_as("superadmin")
    every = client.get("/valiases", per_page=4).json()
    assert (every["total"], every["pages"]) == (7, 2)
    assert [v["address"] for v in every["items"]] == ["list0@example.test", "list1@example.test",
                                                      "list2@example.test", "list3@example.test"]
    assert [v["address"] for v in client.get("/valiases", per_page=4, page=2).json()["items"]] == [
        "list4@example.test", "list@other.test", "team@example.test"]
    assert client.get("/valiases", domain="other.test").json()["total"] == 1
    found = client.get("/domains/example.test/valiases", q="list", per_page=2, page=3).json()
    assert (found["total"], [v["address"] for v in found["items"]]) == (5, ["list4@example.test"])
    problem(client.get("/domains/example.test/valiases", page=4), 404)
    mine = api_as("outsider")
    assert [v["address"] for v in mine.get("/valiases").json()["items"]] == ["list@other.test"]
    problem(mine.get("/valiases", domain="example.test"), 404)


def test_renames_keep_versions_and_name_the_holder_of_a_taken_address(api_as, directory):
    client = api_as("domain_admin")
    read = client.get("/accounts/bob@example.test")
    problem(client.call("POST", "/accounts/bob@example.test/rename", {"new_address": "robert@example.test"}), 428)
    taken = problem(client.call("POST", "/accounts/bob@example.test/rename", {"new_address": "alice.martin@example.test"},
                                if_match=read["ETag"]), 409)
    assert taken["errors"]["new_address"] == ["alice.martin@example.test is already an alias of the account "
                                              "alice@example.test."]
    renamed = client.call("POST", "/accounts/bob@example.test/rename",
                          {"new_address": "robert@example.test", "keep_old_as_alias": True}, if_match=read["ETag"])
    assert renamed.status_code == 200 and renamed["Content-Location"] == "/api/v1/accounts/robert@example.test"
    assert (renamed.json()["address"], renamed.json()["aliases"]) == ("robert@example.test", ["bob@example.test"])
    problem(client.call("POST", "/accounts/robert@example.test/rename", {"new_address": "bobby@example.test"},
                        if_match=read["ETag"]), 412)
    problem(client.call("POST", "/accounts/robert@example.test/rename", {"new_address": "bob@other.test"},
                        if_match="*"), 422)  # not a domain it administers

    team = client.get("/valiases/team@example.test")
    moved = client.call("POST", "/valiases/team@example.test/rename", {"new_address": "crew@example.test"},
                        if_match=team["ETag"])
    assert moved.status_code == 200 and moved.json()["members"] == team.json()["members"]
    assert moved["Content-Location"] == "/api/v1/valiases/crew@example.test"
    problem(client.get("/valiases/team@example.test"), 404)
    problem(client.call("POST", "/valiases/crew@example.test/rename", {"new_address": "x@example.test",
                                                                       "keep_old_as_alias": True}, if_match="*"), 422)
    actions = AuditEntry.objects.filter(actor="api:dadmin", ok=True).values_list("action", flat=True)
    assert sorted(actions) == ["account.rename", "valias.rename"]


def test_a_domain_wide_quota_reset(api_as, slapd):
    slapd.ldap_tool("ldapmodify", input_text="""
dn: uid=bob,ou=Users,dc=example,dc=org
changetype: modify
replace: mailuserquota
mailuserquota: 1000
""")
    client = api_as("helpdesk")
    domain = client.get("/domains/example.test")
    problem(client.call("POST", "/domains/example.test/reset-quotas"), 428)
    done = client.call("POST", "/domains/example.test/reset-quotas", if_match=domain["ETag"])
    assert done.status_code == 200, done.content
    assert done.json()["default_quota_kb"] == 512000 and "bob@example.test" in done.json()["changed"]
    assert client.get("/accounts/bob@example.test").json()["quota_kb"] == 512000
    assert AuditEntry.objects.get(action="domain.quota_reset").actor == "api:helper"
    problem(api_as("auditor").call("POST", "/domains/example.test/reset-quotas", if_match="*"), 403)


def test_delete_an_account(api_as, directory):
    client = api_as("domain_admin")
    tag = client.get("/accounts/dave@example.test")["ETag"]
    assert client.call("DELETE", "/accounts/dave@example.test", if_match=tag).status_code == 204
    assert ldap_accounts.get_account(directory, "dave@example.test") is None


@pytest.mark.parametrize("path", ["/domains", "/accounts/alice@example.test"])
def test_no_session_cookie_is_set_or_needed(api_as, path):
    response = api_as("superadmin").get(path)
    assert response.status_code == 200 and not response.cookies
