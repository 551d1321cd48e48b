import pytest

from accounts.forms import PasswordForm
from mailadmin.models import AuditEntry

from .helpers import Terminal, account, binds, refused, run

pytestmark = pytest.mark.django_db

BOB = "uid=bob,ou=Users,dc=example,dc=org"


def test_it_sets_a_password_from_stdin(slapd):
    assert "Password of bob@example.test changed." in run("passwd", "bob@example.test", "--password-stdin",
                                                          stdin="new-bob-password-9\n")
    assert binds(slapd, BOB, "new-bob-password-9") and not binds(slapd, BOB, "bob-password-22")
    entry = AuditEntry.objects.get(action="account.password")
    assert entry.ok and "new-bob-password-9" not in str(entry.new) + entry.detail


def test_it_generates_a_password_and_prints_it_once(slapd):
    out = run("passwd", "bob@example.test", "--generate")
    generated = out.split("New password (shown once): ")[1].strip()
    assert binds(slapd, BOB, generated)


def test_it_prompts_twice_on_a_terminal(monkeypatch, slapd):
    answers = iter(["typed-password-1", "typed-password-1"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    run("passwd", "bob@example.test", stdin=Terminal())
    assert binds(slapd, BOB, "typed-password-1")


def test_it_refuses_two_different_prompts_with_the_form_text(monkeypatch):
    answers = iter(["typed-password-1", "typed-password-2"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    form = PasswordForm({"password": "a-password-1", "password2": "a-password-2"}, account=account("bob@example.test"))
    assert not form.is_valid()
    assert refused("passwd", "bob@example.test", stdin=Terminal()) == f"password: {form.errors['password2'][0]}"


def test_without_a_terminal_or_option_it_refuses_to_guess():
    assert "use --password-stdin or --generate" in refused("passwd", "bob@example.test", stdin="")


def test_the_directory_policy_refuses_a_short_password(slapd):
    message = refused("passwd", "bob@example.test", "--password-stdin", stdin="short\n")
    assert message.startswith("password: The directory refused this password")
    assert binds(slapd, BOB, "bob-password-22")
