"""GET /api/v1/search: the console's search box as a list, paged on the server with a total, narrowed by `domain`,
with the console's scope (a domain admin or a local helpdesk never finds, nor counts, another domain's addresses)."""

from __future__ import annotations

import pytest

from tests.security.conftest import reset_directory
from tests.security.urltable import EXTRA_LDIF

from .test_api import problem


def addresses(body: dict) -> list[str]:
    return [a["address"] for a in body["items"]]


@pytest.mark.both_profiles  # a VLV window with sssvlv, the streaming fallback on a stock directory
def test_it_pages_every_match_with_a_total(api_as, big_domain):
    client = api_as("superadmin")
    first = client.get("/search", q="u01", per_page=30).json()
    assert (first["total"], first["pages"], first["page"], first["per_page"]) == (100, 4, 1, 30)
    assert addresses(first) == [f"u{n:04d}@big.test" for n in range(100, 130)]
    last = client.get("/search", q="u01", per_page=30, page=4).json()
    assert addresses(last) == [f"u{n:04d}@big.test" for n in range(190, 200)]
    problem(client.get("/search", q="u01", per_page=30, page=5), 404)
    # More than slapd's size limit and than the console's box shows (50): every one is counted and reachable.
    every = client.get("/search", q="big.test", per_page=100, page=6).json()
    assert (every["total"], addresses(every)) == (520, [f"u{n:04d}@big.test" for n in range(500, 520)])


def test_it_finds_by_alias_name_and_login_as_the_search_box_does(api_as):
    client = api_as("superadmin")
    assert addresses(client.get("/search", q="alice.martin").json()) == ["alice@example.test"]
    assert addresses(client.get("/search", q="Bernard").json()) == ["bob@example.test"]
    assert addresses(client.get("/search", q="oscar").json()) == ["oscar@other.test"]
    found = client.get("/search", q="  ALICE@Example.TEST ").json()
    assert (addresses(found), found["total"], found["valias"]) == (["alice@example.test"], 1, None)


def test_the_domain_parameter_narrows_the_list(api_as):
    client = api_as("superadmin")
    assert client.get("/search", q="test").json()["total"] == 6
    narrowed = client.get("/search", q="test", domain="other.test").json()
    assert (addresses(narrowed), narrowed["total"]) == (["oscar@other.test"], 1)
    assert client.get("/search", q="test", domain="EXAMPLE.test").json()["total"] == 5
    problem(client.get("/search", q="test", domain="nowhere.test"), 404)


def test_the_virtual_alias_named_q_comes_with_every_page(api_as):
    client = api_as("superadmin")
    found = client.get("/search", q="team@example.test").json()
    assert found["items"] == [] and found["total"] == 0
    assert found["valias"]["address"] == "team@example.test" and found["valias"]["external"] == ["partner@external.test"]
    assert client.get("/search", q="team@example.test", domain="other.test").json()["valias"] is None


def test_q_is_required_and_must_say_something(api_as):
    client = api_as("superadmin")
    assert "q" in problem(client.get("/search"), 422)["errors"]
    assert "q" in problem(client.get("/search", q="   "), 422)["errors"]
    assert "per_page" in problem(client.get("/search", q="alice", per_page=101), 422)["errors"]


def test_a_search_answer_carries_a_weak_etag_for_if_none_match(api_as):
    client = api_as("superadmin")
    found = client.get("/search", q="example")
    assert found["ETag"].startswith('W/"')
    assert client.get("/search", q="example", if_none_match=found["ETag"]).status_code == 304
    assert client.get("/search", q="example", per_page=2, if_none_match=found["ETag"]).status_code == 200
    assert client.call("POST", "/accounts/bob@example.test/disable", if_match="*").status_code == 200
    assert client.get("/search", q="example", if_none_match=found["ETag"]).status_code == 200


# --- Scope: what a domain admin or a local helpdesk finds, and counts --------------------------------------------------


@pytest.fixture
def both_domains(mds_people):
    """Both test domains with every kind of object: oscar@other.test has an alias and a forward, other.test a virtual
    alias (tests/security/urltable.py)."""
    reset_directory(mds_people, EXTRA_LDIF)


@pytest.mark.parametrize("persona", ["domain_admin", "local_helpdesk"])
@pytest.mark.parametrize("q", ["oscar", "other.test", "oscar.o@other.test", "Oscar Other", "list@other.test", "@", "o"])
def test_another_domains_addresses_are_neither_found_nor_counted(api_as, both_domains, persona, q):
    superadmin = api_as("superadmin")
    everything = superadmin.get("/search", q=q).json()
    assert any(a.endswith("@other.test") for a in addresses(everything)) or everything["valias"]  # there is a leak to make
    own_domain = superadmin.get("/search", q=q, domain="example.test").json()
    mine = api_as(persona).get("/search", q=q).json()
    assert (mine["total"], addresses(mine)) == (own_domain["total"], addresses(own_domain))
    assert mine["valias"] is None


@pytest.mark.parametrize("q", ["*", "*)(mail=*", "oscar*", "*@other.test"])
def test_filter_characters_match_themselves(api_as, both_domains, q):
    for persona in ("domain_admin", "superadmin"):
        found = api_as(persona).get("/search", q=q).json()
        assert (found["total"], found["items"]) == (0, []), persona


@pytest.mark.parametrize("persona", ["domain_admin", "local_helpdesk"])
def test_another_domain_is_a_404_like_a_domain_that_does_not_exist(api_as, both_domains, persona):
    client = api_as(persona)
    hidden = problem(client.get("/search", q="oscar", domain="other.test"), 404)
    assert hidden == problem(client.get("/search", q="oscar", domain="nowhere.test"), 404)
    assert client.get("/search", q="oscar", domain="example.test").json()["total"] == 0


def test_the_search_sees_what_each_persona_sees(api_as, both_domains):
    assert api_as("outsider").get("/search", q="test").json()["total"] == 1
    assert addresses(api_as("outsider").get("/search", q="test").json()) == ["oscar@other.test"]
    for persona in ("superadmin", "helpdesk", "auditor"):
        assert api_as(persona).get("/search", q="test").json()["total"] == 6, persona
    assert api_as("outsider").get("/search", q="list@other.test").json()["valias"]["address"] == "list@other.test"
    assert api_as("domain_admin").get("/search", q="list@other.test").json()["valias"] is None
