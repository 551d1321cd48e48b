"""listaccounts, showaccount and route: reading commands, on both directory profiles."""

import json

import pytest

from .helpers import refused, run, run_json

pytestmark = [pytest.mark.django_db, pytest.mark.both_profiles]


def test_listaccounts_lists_a_domain_one_line_each():
    lines = run("listaccounts", "--domain", "example.test").splitlines()
    assert [line.split("\t")[0] for line in sorted(lines)] == [
        "alice@example.test", "bob@example.test", "carol@example.test", "dave@example.test", "postmaster@example.test"]
    assert "dave@example.test\t500M\tdisabled\t" in "\n".join(lines)


def test_listaccounts_disabled_and_json():
    assert [a["address"] for a in run_json("listaccounts", "--disabled")] == ["dave@example.test"]
    everyone = run_json("listaccounts")
    assert {"alice@example.test", "oscar@other.test"} <= {a["address"] for a in everyone}
    alice = next(a for a in everyone if a["address"] == "alice@example.test")
    assert alice["aliases"] == ["alice.martin@example.test"] and alice["enabled"] is True


def test_listaccounts_streams_through_the_paged_search(monkeypatch):
    """The accounts come from the paged search generator as the pages arrive: the first line is written before the
    search has been read to its end."""
    from mailadmin.directory.connection import Directory

    original, events = Directory.paged, []

    def paged(self, *args, **kwargs):
        for record in original(self, *args, **kwargs):
            events.append("record")
            yield record
        events.append("end")

    monkeypatch.setattr(Directory, "paged", paged)

    class Out:
        def write(self, text, ending="\n"):
            events.append("line")

        def flush(self):
            pass

    from django.core.management import call_command
    call_command("listaccounts", stdout=Out())
    assert events.index("line") < events.index("end")


def test_listaccounts_refuses_an_unknown_domain():
    assert refused("listaccounts", "--domain", "nowhere.test") == "There is no domain nowhere.test."


def test_showaccount_shows_the_account_its_lists_and_its_route():
    out = run("showaccount", "alice@example.test")
    assert "Aliases:         alice.martin@example.test" in out
    assert "Virtual aliases: team@example.test" in out
    data = run_json("showaccount", "alice@example.test")
    assert data["virtual_aliases"] == ["team@example.test"] and data["route"]["delivered"] is True
    assert data["uid"] == "alice" and data["mailbox"]


def test_showaccount_refuses_an_alias_and_an_unknown_address():
    assert "is an alias of alice@example.test" in refused("showaccount", "alice.martin@example.test")
    assert refused("showaccount", "nobody@example.test") == "There is no account nobody@example.test."


def test_route_exits_zero_when_delivered_and_three_when_refused():
    data = run_json("route", "alice.martin@example.test")
    assert data["delivered"] is True and data["steps"]
    with pytest.raises(SystemExit) as exit_:
        run("route", "nobody@example.test")
    assert exit_.value.code == 3
    with pytest.raises(SystemExit) as exit_:
        run("route", "dave@example.test", "--json")  # disabled: Postfix bounces it
    assert exit_.value.code == 3


def test_route_text_names_each_lookup():
    out = run("route", "team@example.test")
    assert "ldap-valiases.cf" in out
    assert json.loads(run("route", "team@example.test", "--json"))["address"] == "team@example.test"


def test_listaccounts_pages_past_the_servers_size_limit(big_domain):
    """More accounts than slapd's default size limit (500 on the stock profile): the paged search gets them all."""
    lines = run("listaccounts", "--domain", big_domain).splitlines()
    assert len(lines) == 520 and len(run_json("listaccounts", "--domain", big_domain)) == 520
