import pytest

from mailadmin.directory import AlreadyExists, Invalid, bulk, wire
from mailadmin.directory import accounts as a
from mailadmin.directory import schema as s
from mailadmin.directory.accounts import NewAccount
from mailadmin.directory.bulk import AccountEntry, directory_claims, pipeline


def _entry(uid: str, **kwargs) -> AccountEntry:
    return AccountEntry(NewAccount(f"{uid}@example.test", uid, "First", "Last", quota_kb=1024), **kwargs)


def _add_all(adds, entries, attributes=None) -> dict:
    results = []
    for entry in entries:
        results += adds.add(entry.new.uid, entry.dn, s.ACCOUNT_CLASSES,
                            (attributes or {}).get(entry.new.uid, entry.attributes(1024)))
    return dict(results + adds.finish())


def test_pipelined_adds_write_whole_entries_and_report_each_refusal(directory):
    long_name = "N" * 300  # a length over 255 takes a two-byte BER length
    entries = [_entry("p1", name=long_name), _entry("alice"), _entry("p2")]
    bad = {**entries[2].attributes(1024), "mailuserquota": "lots"}
    with pipeline(window=2) as adds:
        outcome = _add_all(adds, entries, {"p2": bad})
    assert outcome["p1"] is None
    assert isinstance(outcome["alice"], AlreadyExists)
    assert isinstance(outcome["p2"], Invalid)
    p1 = a.get_account(directory, "p1@example.test")
    assert (p1.name, p1.quota_kb, p1.mailbox) == (long_name, 1024, "/home/vmail/p1/")
    assert a.get_account(directory, "p2@example.test") is None


def test_a_password_must_be_a_hash():
    with pytest.raises(Invalid):
        _entry("p3", password_hash="cleartext").attributes(1024)


@pytest.fixture
def searches(monkeypatch) -> list[str]:
    """The filters of the bulk connection's searches, in order."""
    sent: list[str] = []
    real = bulk.Pipeline.search

    def search(self, base, flt, attrs):
        sent.append(flt)
        return real(self, base, flt, attrs)

    monkeypatch.setattr(bulk.Pipeline, "search", search)
    return sent


def test_claims_are_read_for_the_addresses_and_logins_asked_about(directory, searches):
    claims = directory_claims(directory, ["alice.martin@example.test", "team@example.test", "nobody@example.test"],
                              ["pierre", "newcomer"])
    assert len(searches) == 3  # accounts and virtual aliases by address, then entries by login
    alice = "uid=alice,ou=users,dc=example,dc=org"
    assert claims.addresses == {"alice@example.test": alice, "alice.martin@example.test": alice,
                                "team@example.test": "mailalias=team@example.test,ou=mailaliases,dc=example,dc=org"}
    assert claims.dns == {alice, "uid=pierre,ou=users,dc=example,dc=org"}
    assert list(claims.accounts) == [alice]
    assert directory_claims(directory, [], []) == bulk.Claims({}, set(), {})


def test_claims_take_one_search_per_few_hundred_addresses(directory, searches, monkeypatch):
    monkeypatch.setattr(bulk, "CLAIMS_PER_SEARCH", 2)
    claims = directory_claims(directory, [f"{n}@example.test" for n in ("alice", "bob", "carol", "x")], ["y"])
    assert len(searches) == 2 * 2 + 1
    assert {"alice@example.test", "bob@example.test", "carol@example.test"} <= set(claims.addresses)


def test_an_answer_cut_short_by_a_size_limit_is_read_again_page_by_page(directory, monkeypatch):
    monkeypatch.setattr(bulk.Pipeline, "search", lambda self, base, flt, attrs: None)
    claims = directory_claims(directory, ["alice@example.test", "team@example.test"], ["pierre"])
    assert claims.addresses["alice@example.test"] == "uid=alice,ou=users,dc=example,dc=org"
    assert "team@example.test" in claims.addresses
    assert "uid=pierre,ou=users,dc=example,dc=org" in claims.dns


HOSTILE = ["st*r@example.test", "par(en)s@example.test", "back\\slash@example.test"]


def test_the_bulk_search_finds_what_ldap3_finds_for_the_same_filter(directory, slapd):
    for i, (uid, address) in enumerate([("h0", HOSTILE[0]), ("h1", HOSTILE[1]), ("h2", HOSTILE[2]), ("hé", "h@x")]):
        slapd.add_ldif(f"dn: uid={uid},ou=Users,dc=example,dc=org\nobjectClass: inetOrgPerson\n"
                       f"objectClass: mailAccount\nuid: {uid}\ncn: H{i}\nsn: H\nmail: {address}\n")
    filters = [s.holders([*HOSTILE, "a\x00b"]), s.holders(["alice@example.test"]), s.with_uids(["h0", "hé", "pierre"]),
               s.valiases_named(["team@example.test"]), s.negate(s.has("mail")), s.holders(["*"])]
    with pipeline() as adds:
        for flt in filters:
            for base in (s.users_dn(), s.aliases_dn()):
                attrs = ("mail", "uid", "cn")
                assert _seen(adds.search(base, flt, attrs)) == _seen(directory.find(base, flt, attrs))
        assert {r.first("uid") for r in adds.search(s.users_dn(), s.holders(HOSTILE), ("uid",))} == {"h0", "h1", "h2"}
        assert [r.first("cn") for r in adds.search(s.users_dn(), s.with_uids(["hé"]), ("cn",))] == ["H3"]
        assert adds.search("ou=gone,dc=example,dc=org", s.has("mail"), ("mail",)) == []


def _seen(records) -> list:
    """DNs and values (ldap3 also lists the attributes asked for that an entry lacks, with no values)."""
    return sorted((r.dn, {name: values for name, values in r.attrs.items() if values}) for r in records)


@pytest.mark.parametrize("flt", ["(mail>=a)", "(mail~=a)", "(|(mail=a)", "(mail=a))", "mail=a", "(!(a=b)(c=d))"])
def test_only_equality_presence_and_substring_filters_are_compiled(flt):
    with pytest.raises(ValueError):
        wire.compile_filter(flt)


@pytest.mark.parametrize("flt", [
    s.domain_members("example.test"), s.domain_members("example.test", "a*b(c)"), "(cn=ab*cd*ef*gh)", "(cn=*x*)",
    "(cn=start*)", s.all_of(s.accounts_filter(), s.negate(s.eq(s.ENABLED, s.ENABLED_VALUE))), "(mail=*\\2a@x)",
])
def test_substring_filters_compile_to_the_bytes_ldap3_sends(flt):
    from ldap3.operation.search import compile_filter, parse_filter
    from pyasn1.codec.ber import encoder

    expected = encoder.encode(compile_filter(parse_filter(flt, None, True, True, None, False).elements[0]))
    assert wire.compile_filter(flt) == expected


def _search_entry(message_id: int, dn: str, attrs: dict[str, list[str]]) -> bytes:
    """One LDAPMessage carrying a SearchResultEntry, as ldap3's pyasn1 encoder writes it: the decoder must read what
    an independent BER encoder produces, not only what wire.py's own encoder would."""
    from ldap3.protocol.rfc4511 import LDAPMessage, MessageID, PartialAttribute, SearchResultEntry
    from pyasn1.codec.ber import encoder

    entry = SearchResultEntry()
    entry["object"] = dn
    for name, values in attrs.items():
        attribute = PartialAttribute()
        attribute["type"] = name
        attribute["vals"].extend(values)
        entry["attributes"].append(attribute)
    message = LDAPMessage()
    message["messageID"] = MessageID(message_id)
    message["protocolOp"]["searchResEntry"] = entry
    return encoder.encode(message)


def test_a_search_entry_is_decoded_only_once_it_has_fully_arrived():
    from mailadmin.directory.wire import SEARCH_ENTRY, read_response

    # a long value: two-byte lengths; an upper-case attribute name: read back in lower case
    message = _search_entry(7, "uid=a,ou=Users,dc=example,dc=org", {"mail": ["a@example.test", "é" * 200],
                                                                    "UID": ["a"]})
    assert all(read_response(message[:cut]) is None for cut in range(len(message)))
    response = read_response(message + b"\x30")  # the start of the next message is left for later
    assert (response.message_id, response.op, response.size) == (7, SEARCH_ENTRY, len(message))
    assert response.entry == ("uid=a,ou=Users,dc=example,dc=org", {"mail": ("a@example.test", "é" * 200), "uid": ("a",)})


def test_bulk_adds_check_values_and_map_answers_as_a_single_add_does(directory):
    nul = {**_entry("p4").attributes(1024), "cn": "bad\x00name"}
    taken = _entry("alice").attributes(1024)
    singles = []
    for attrs in (nul, taken):
        with pytest.raises((Invalid, AlreadyExists)) as raised:
            directory.add(f"uid={attrs['uid']},ou=Users,dc=example,dc=org", s.ACCOUNT_CLASSES, attrs)
        singles.append(type(raised.value))
    before = directory.operations
    with directory.adds(window=4) as adds:
        answers = dict(adds.add("nul", "uid=p4,ou=Users,dc=example,dc=org", s.ACCOUNT_CLASSES, nul)
                       + adds.add("taken", "uid=alice,ou=Users,dc=example,dc=org", s.ACCOUNT_CLASSES, taken)
                       + adds.finish())
    assert [type(answers["nul"]), type(answers["taken"])] == singles == [Invalid, AlreadyExists]
    assert directory.operations == before + 1  # the NUL value was never sent
    assert a.get_account(directory, "p4@example.test") is None
