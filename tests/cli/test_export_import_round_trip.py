import pytest

from .helpers import run

pytestmark = pytest.mark.django_db

USERS = "ou=Users,dc=example,dc=org"


def _empty_users(slapd) -> None:
    slapd.delete_tree(USERS)
    slapd.add_ldif(f"dn: {USERS}\nobjectClass: organizationalUnit\nou: Users\n")


@pytest.mark.parametrize("fmt", ["csv", "ldif"])
def test_reimporting_an_export_reproduces_the_same_entries(fmt, slapd, tmp_path):
    slapd.add_ldif("dn: uid=odd,ou=Users,dc=example,dc=org\nobjectClass: inetOrgPerson\nobjectClass: mailAccount\n"
                   "uid: odd\ncn: =HYPERLINK(\"http://x\")\nsn: -1\ngivenName: 'quoted\nmail: odd@example.test\n"
                   "mailenable: OK\nmailbox: /home/vmail/odd/\n")
    path = tmp_path / f"all.{fmt}"
    run("export", "--format", fmt, "--password-hashes", "--output", str(path))
    before = path.read_text()
    _empty_users(slapd)
    assert "Created 7 accounts; 0 unchanged; 0 errors" in run("import", str(path))
    again = tmp_path / f"again.{fmt}"
    run("export", "--format", fmt, "--password-hashes", "--output", str(again))
    assert sorted(again.read_text().splitlines()) == sorted(before.splitlines())
    assert "Nothing to do: all 7 accounts" in run("import", str(path))
