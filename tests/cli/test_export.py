import base64
import csv
import io

import pytest

from mailadmin import ldif

from .helpers import refused, run

pytestmark = pytest.mark.django_db

EVIL = """dn: uid=evil,ou=Users,dc=example,dc=org
objectClass: inetOrgPerson
objectClass: mailAccount
uid: evil
cn:: {cn}
sn:: {sn}
givenName: @SUM(A1)
mail: evil@example.test
mailenable: OK
mailbox: /home/vmail/evil/
"""


def _add_evil(slapd, cn: str, sn: str) -> None:
    b64 = lambda text: base64.b64encode(text.encode()).decode()  # noqa: E731
    slapd.add_ldif(EVIL.format(cn=b64(cn), sn=b64(sn)))


def _rows(out: str) -> dict[str, dict[str, str]]:
    return {row["address"]: row for row in csv.DictReader(io.StringIO(out))}


def test_it_exports_every_account_as_csv():
    rows = _rows(run("export"))
    assert set(rows) == {"alice@example.test", "bob@example.test", "carol@example.test", "dave@example.test",
                         "postmaster@example.test", "oscar@other.test"}
    assert rows["alice@example.test"] == {
        "address": "alice@example.test", "uid": "alice", "name": "Alice Martin", "first_name": "Alice",
        "last_name": "Martin", "quota": "512000", "aliases": "alice.martin@example.test", "forwards": "",
        "keep_copy": "no", "enabled": "yes", "mailbox": "/home/vmail/alice/",
    }
    assert (rows["carol@example.test"]["forwards"], rows["carol@example.test"]["keep_copy"]) == (
        "carol@external.test", "yes")
    assert rows["dave@example.test"]["enabled"] == "no"
    assert rows["postmaster@example.test"]["quota"] == "none"


def test_it_exports_one_domain():
    assert set(_rows(run("export", "--domain", "other.test"))) == {"oscar@other.test"}


def test_it_refuses_an_unknown_domain():
    assert refused("export", "--domain", "nowhere.test") == "There is no domain nowhere.test."


def test_password_hashes_only_on_request():
    assert "{SSHA}" not in run("export") and "{SSHA}" not in run("export", "--format", "ldif")
    rows = _rows(run("export", "--password-hashes"))
    assert rows["alice@example.test"]["password_hash"].startswith("{SSHA}")


def test_csv_cells_that_spreadsheets_would_run_start_with_a_quote(slapd):
    _add_evil(slapd, "=HYPERLINK(\"http://x\")", "+1-2")
    row = _rows(run("export"))["evil@example.test"]
    assert row["name"] == "'=HYPERLINK(\"http://x\")"
    assert row["last_name"] == "'+1-2"
    assert row["first_name"] == "'@SUM(A1)"
    for value in ("-3", "\tx", "\rx", "'quoted"):
        from mailadmin.spreadsheet import safe_cell, unsafe_cell
        assert safe_cell(value) == "'" + value and unsafe_cell(safe_cell(value)) == value
    assert safe_cell("Alice") == "Alice"


def test_ldif_encodes_values_that_could_inject_records(slapd):
    _add_evil(slapd, "x\ndn: cn=evil,dc=example,dc=org", " Émile ")
    out = run("export", "--format", "ldif")
    assert "\ndn: cn=evil" not in out
    records = [r for r in ldif.read(io.StringIO(out))]
    evil = next(r for r in records if r.first("uid") == "evil")
    assert evil.first("cn") == "x\ndn: cn=evil,dc=example,dc=org"
    assert evil.first("sn") == " Émile "
    assert "cn:: " in out and "sn:: " in out
    assert all(r.dn.startswith("uid=") for r in records)


@pytest.mark.parametrize("value", ["plain", ":colon", "<lt", " lead", "trail ", "é", "a\rb", "a\x00b", ""])
def test_ldif_lines_round_trip(value):
    text = ldif.record("uid=x,dc=t", [("cn", value)])
    safe = value in ("plain", "")
    assert text.startswith("dn: uid=x,dc=t\ncn: " if safe else "dn: uid=x,dc=t\ncn:: ")
    assert next(ldif.read(io.StringIO(text))).values("cn") == (value,)


def test_it_writes_a_file_readable_only_by_its_owner(tmp_path):
    path = tmp_path / "out.csv"
    assert "Exported 6 accounts" in run("export", "--output", str(path))
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(_rows(path.read_text())) == 6
