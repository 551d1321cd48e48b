"""An account's vacation reply and mailbox usage through the API, against the real Dovecot of issue 11's tests (a
private Dovecot over mailconfig's files, with its doveadm HTTP listener): the console's form and checks, versions
from the Sieve script's digest, the console's roles, and 503/502 when Dovecot is not configured or not reachable."""

from __future__ import annotations

import pytest

from devtools.slapd import free_port
from mailadmin import dovecot
from mailadmin.models import AuditEntry
from mailadmin.vacation import SCRIPT_NAME
from tests.mailstack.conftest import modify
from tests.mailstack.vacation_host import SUFFIX, VacationHost, running_vacation_host, use_vacation_host

from .test_api import problem

vacation_host = pytest.fixture(scope="module")(running_vacation_host)
CAROL = "/accounts/carol@example.test"


@pytest.fixture(autouse=True)
def doveadm_settings(vacation_host, slapd, settings, db) -> VacationHost:
    use_vacation_host(vacation_host, slapd, settings)
    return vacation_host


def test_an_admin_sets_changes_and_turns_off_a_vacation_with_versions(api_as, vacation_host):
    client = api_as("domain_admin")
    off = client.get(f"{CAROL}/vacation")
    assert off.status_code == 200 and off.json()["enabled"] is False and off.json()["foreign"] is False
    assert off["ETag"] == f'"{off.json()["version"]}"'
    problem(client.call("PATCH", f"{CAROL}/vacation", {"enabled": True, "message": "Away."}), 428)

    on = client.call("PATCH", f"{CAROL}/vacation", {"enabled": True, "subject": "Parental leave",
                                                     "message": "Back in March.", "days": 3}, if_match=off["ETag"])
    assert on.status_code == 200, on.content
    assert on.json() | {"version": ""} == {"enabled": True, "subject": "Parental leave", "message": "Back in March.",
                                           "first_day": None, "last_day": None, "days": 3, "foreign": False,
                                           "version": ""}
    assert on["ETag"] != off["ETag"] and client.get(f"{CAROL}/vacation")["ETag"] == on["ETag"]
    assert client.get(f"{CAROL}/vacation", if_none_match=on["ETag"]).status_code == 304
    assert client.get(f"{CAROL}/vacation", if_none_match=off["ETag"]).json()["subject"] == "Parental leave"
    vacation_host.deliver("carol@example.test", "friend@far.test")
    reply, = vacation_host.replies()
    assert "Subject: Parental leave" in reply and "Back in March." in reply

    # Only what is sent changes; a stale version is refused with the vacation as it is now.
    later = client.call("PATCH", f"{CAROL}/vacation", {"last_day": "2027-03-01"}, if_match=on["ETag"])
    assert (later.json()["subject"], later.json()["last_day"], later.json()["days"]) == ("Parental leave",
                                                                                         "2027-03-01", 3)
    stale = client.call("PATCH", f"{CAROL}/vacation", {"subject": "Mine"}, if_match=on["ETag"])
    assert problem(stale, 412)["current"]["last_day"] == "2027-03-01" and stale["ETag"] == later["ETag"]

    gone = client.call("DELETE", f"{CAROL}/vacation", if_match=later["ETag"])
    assert gone.status_code == 200 and gone.json()["enabled"] is False and gone["ETag"] == off["ETag"]
    assert dovecot.get_script("carol@example.test", SCRIPT_NAME) is None
    rows = AuditEntry.objects.filter(action="account.vacation", target="carol@example.test").order_by("pk")
    assert [(r.actor, r.ok, r.new and r.new["enabled"]) for r in rows] == [
        ("api:dadmin", True, "True"), ("api:dadmin", True, "True"), ("api:dadmin", True, "False")]


def test_the_forms_checks_and_messages(api_as):
    client = api_as("superadmin")
    body = problem(client.call("PATCH", f"{CAROL}/vacation", {"enabled": True}, if_match="*"), 422)
    assert body["errors"] == {"message": ["Write the message to send."]}
    body = problem(client.call("PATCH", f"{CAROL}/vacation", {"enabled": True, "message": "x", "days": 0,
                                                               "first_day": "2027-01-10", "last_day": "2027-01-01"},
                               if_match="*"), 422)
    assert set(body["errors"]) == {"days", "last_day"}
    problem(client.call("PATCH", f"{CAROL}/vacation", {"enabled": True, "colour": "red"}, if_match="*"), 422)
    assert dovecot.get_script("carol@example.test", SCRIPT_NAME) is None
    assert AuditEntry.objects.filter(action="account.vacation").count() == 0  # refused before the form action


def test_a_script_mailadmin_did_not_write_is_shown_and_left_alone(api_as):
    dovecot.put_script("carol@example.test", SCRIPT_NAME, "keep;\n")
    client = api_as("superadmin")
    read = client.get(f"{CAROL}/vacation")
    assert read.json()["foreign"] is True and read.json()["enabled"] is False
    body = problem(client.call("PATCH", f"{CAROL}/vacation", {"enabled": True, "message": "x"},
                               if_match=read["ETag"]), 409)
    assert "which mailadmin did not write" in body["title"]
    problem(client.call("DELETE", f"{CAROL}/vacation", if_match=read["ETag"]), 409)
    assert dovecot.get_script("carol@example.test", SCRIPT_NAME) == "keep;\n"


def test_roles_as_on_the_console(api_as):
    assert api_as("auditor").get(f"{CAROL}/vacation").status_code == 200  # reads, as its audit log shows them
    problem(api_as("auditor").call("PATCH", f"{CAROL}/vacation", {"enabled": False}, if_match="*"), 403)
    problem(api_as("helpdesk").get(f"{CAROL}/vacation"), 403)  # the account page offers it no vacation either
    problem(api_as("helpdesk").call("DELETE", f"{CAROL}/vacation", if_match="*"), 403)
    assert api_as("helpdesk").get(f"{CAROL}/usage").status_code == 200
    for operation in (("GET", "vacation"), ("GET", "usage"), ("DELETE", "vacation")):
        problem(api_as("outsider").call(operation[0], f"{CAROL}/{operation[1]}", if_match="*"), 404)


def _doveadm_usage(host: VacationHost, address: str) -> dict[str, tuple[int, str]]:
    """(value, limit) per type, as the doveadm command line reports them (not through the HTTP API)."""
    out = host.dovecot.dovecot.doveadm("-f", "flow", "quota", "get", "-u", address).stdout
    rows = [dict(part.split("=", 1) for part in line.split(" ") if "=" in part) for line in out.splitlines()]
    return {row["Type"]: (int(row["Value"]), row["Limit"]) for row in rows if "Type" in row}


def test_usage_is_what_dovecot_counts(api_as, vacation_host, slapd):
    for _ in range(3):
        vacation_host.deliver("carol@example.test", "friend@far.test", size=5000)
    used = _doveadm_usage(vacation_host, "carol@example.test")["STORAGE"][0]
    modify(slapd, f"uid=carol,ou=Users,{SUFFIX}", f"replace: mailuserquota\nmailuserquota: {used + 1}")
    counted = _doveadm_usage(vacation_host, "carol@example.test")
    usage = api_as("helpdesk").get(f"{CAROL}/usage").json()
    assert (usage["used_kb"], usage["limit_kb"]) == (used, used + 1) and counted["STORAGE"] == (used, str(used + 1))
    assert usage["messages"] == counted["MESSAGE"][0] >= 3 and usage["message_limit"] is None
    assert usage["percent"] == round(100 * used / (used + 1)) > 90 and usage["nearly_full"]
    assert usage["address"] == "carol@example.test"
    by_alias = api_as("superadmin").get("/accounts/alice.martin@example.test/usage").json()
    assert by_alias["address"] == "alice@example.test" and by_alias["limit_kb"] == 512000


def test_a_disabled_mailbox_has_no_usage(api_as, slapd):
    modify(slapd, f"uid=carol,ou=Users,{SUFFIX}", "replace: mailenable\nmailenable: NONE")
    body = problem(api_as("superadmin").get(f"{CAROL}/usage"), 404)
    assert body["title"] == "Dovecot knows no mailbox for carol@example.test (a disabled account is unknown to it)."


@pytest.mark.parametrize(("url", "status", "title"), [
    ("", 503, "Dovecot's doveadm HTTP API is not configured here"),
    ("unreachable", 502, "Dovecot cannot be reached right now"),
])
def test_dovecot_not_configured_or_not_reachable(api_as, settings, url, status, title):
    settings.DOVEADM_URL = f"http://127.0.0.1:{free_port()}" if url else ""  # nothing listens on that port
    client = api_as("superadmin")
    for method, path, body in (("GET", "vacation", None), ("GET", "usage", None), ("DELETE", "vacation", None),
                               ("PATCH", "vacation", {"enabled": True, "message": "x"})):
        response = client.call(method, f"{CAROL}/{path}", body, if_match="*")
        assert problem(response, status)["title"].startswith(title), (method, path)
