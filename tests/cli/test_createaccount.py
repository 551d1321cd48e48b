import pytest

from accounts.forms import AccountCreateForm
from mailadmin.directory import connect
from mailadmin.directory import domains as ldap_domains
from mailadmin.models import AuditEntry

from .helpers import account, binds, refused, run

pytestmark = pytest.mark.django_db


def _form_errors(data: dict) -> list[str]:
    with connect() as directory:
        form = AccountCreateForm({"generate": "on", **data}, domain=ldap_domains.get_domain(directory, "example.test"))
        assert not form.is_valid()
    return [message for messages in form.errors.values() for message in messages]


def test_it_creates_an_account_with_a_password_from_stdin(slapd):
    out = run("createaccount", "Zoe@Example.Test", "--name", "Zoé Zola", "--alias", "z.zola@example.test",
              "--forward", "zoe@external.test", "--keep-copy", "--uid", "zoe", "--password-stdin",
              stdin="zoe-password-1\n")
    assert "Created zoe@example.test (uid=zoe,ou=Users,dc=example,dc=org), quota 500M." in out
    assert "shown once" not in out
    created = account("zoe@example.test")
    assert (created.first_name, created.last_name, created.aliases) == ("Zoé", "Zola", ("z.zola@example.test",))
    assert created.keeps_copy and created.forward_targets == ("zoe@external.test",)
    assert binds(slapd, created.dn, "zoe-password-1")
    entry = AuditEntry.objects.get(action="account.create")
    assert entry.ok and entry.actor.startswith("cli:") and entry.new["mail"] == "zoe@example.test"
    assert "zoe-password-1" not in str(entry.new)


def test_without_a_terminal_it_generates_a_password_and_prints_it_once():
    out = run("createaccount", "zed@example.test", "--quota", "1G", stdin="")
    assert out.count("Password (shown once): ") == 1
    assert account("zed@example.test").quota_kb == 1048576
    assert account("zed@example.test").uid == "zed@example.test"


def test_it_refuses_an_address_in_use_with_the_form_text():
    message = refused("createaccount", "alice.martin@example.test", stdin="")
    assert message == "address: alice.martin@example.test is already an alias of the account alice@example.test."
    assert not AuditEntry.objects.get(action="account.create").ok


def test_it_refuses_an_unhosted_domain():
    assert refused("createaccount", "x@nowhere.test", stdin="") == "x@nowhere.test is not in a domain hosted here."


@pytest.mark.parametrize(("args", "data"), [
    (["--quota", "10X"], {"quota": "10X"}),
    (["--uid", "../x"], {"uid": "../x"}),
    (["--alias", "not an address"], {"aliases": "not an address"}),
    (["--forward", "x@"], {"forwards": "x@"}),
])
def test_cli_and_form_refuse_the_same_input_with_the_same_text(args, data):
    message = refused("createaccount", "new@example.test", *args, stdin="")
    for error in _form_errors({"local_part": "new", **data}):
        assert error in message
    assert account("new@example.test") is None


def test_an_alias_in_an_unhosted_domain_is_refused():
    message = refused("createaccount", "new@example.test", "--alias", "new@nowhere.test", stdin="")
    assert message == "alias: new@nowhere.test is not in a domain hosted here."


def test_dry_run_checks_everything_and_creates_nothing():
    assert "Would create new@example.test." in run("createaccount", "new@example.test", "--dry-run", stdin="")
    assert account("new@example.test") is None
    assert "already" in refused("createaccount", "bob@example.test", "--dry-run", stdin="")
    assert not AuditEntry.objects.exists()
