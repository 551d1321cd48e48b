import importlib

import pytest
from django.core.management import CommandError

from mailadmin.models import AuditEntry

from .helpers import account, binds, refused, run, run_capture

pytestmark = pytest.mark.django_db

HEADER = "address,name,first_name,last_name,uid,quota,aliases,forwards,keep_copy,enabled\n"
GOOD = (
    "zoe@example.test,Zoé Zola,Zoé,Zola,zoe,1G,z.zola@example.test;zz@example.test,zoe@external.test,yes,yes\n"
    "yann@example.test,,Yann,,,,,,,no\n"
)


@pytest.fixture
def csv_file(tmp_path):
    def write(text: str, name: str = "accounts.csv"):
        path = tmp_path / name
        path.write_text(text)
        return str(path)
    return write


def test_it_creates_accounts_from_csv(csv_file):
    out = run("import", csv_file(HEADER + GOOD))
    assert "Created 2 accounts; 0 unchanged; 0 errors" in out
    zoe = account("zoe@example.test")
    assert (zoe.uid, zoe.name, zoe.quota_kb, zoe.enabled) == ("zoe", "Zoé Zola", 1048576, True)
    assert set(zoe.aliases) == {"z.zola@example.test", "zz@example.test"}
    assert zoe.keeps_copy and zoe.forward_targets == ("zoe@external.test",)
    assert zoe.mailbox == "/home/vmail/zoe/"
    yann = account("yann@example.test")
    assert (yann.uid, yann.quota_kb, yann.enabled) == ("yann@example.test", 512000, False)
    assert AuditEntry.objects.filter(action="account.create").count() == 2
    assert AuditEntry.objects.get(action="account.import").new == {"create": 2, "unchanged": 0, "error": 0, "skipped": 0}


def test_a_second_run_changes_nothing_and_says_so(csv_file):
    path = csv_file(HEADER + GOOD)
    run("import", path)
    before = account("zoe@example.test").csn
    assert run("import", path).strip() == "Nothing to do: all 2 accounts exist with these values."
    assert account("zoe@example.test").csn == before


def test_errors_name_their_line_and_nothing_is_written(csv_file):
    ok, _out, err = run_capture("import", csv_file(HEADER + GOOD + "bad@example.test,,,,,10X,,,,\n"
                                                   "x@nowhere.test,,,,,,,,,\n" "w@example.test,,,,,,,,maybe,\n"))
    assert not ok
    assert "line 4: quota: “10X” is not a quota" in err
    assert "line 5: address: x@nowhere.test is not in a domain hosted here." in err
    assert "line 6: keep-copy: Write yes or no." in err
    assert "3 rows have errors (listed above); nothing was written." in err
    assert account("zoe@example.test") is None


def test_line_numbers_count_multi_line_cells(csv_file):
    text = HEADER + 'zoe@example.test,"two\nlines",,,,,,,,\n' + "bad@example.test,,,,,10X,,,,\n"
    _ok, _out, err = run_capture("import", csv_file(text))
    assert "line 2: name: Control characters are not allowed." in err
    assert "line 4: quota:" in err


def test_continue_on_error_writes_the_good_rows(csv_file):
    ok, out, err = run_capture("import", csv_file(HEADER + "bad@example.test,,,,,10X,,,,\n" + GOOD),
                               "--continue-on-error")
    assert not ok and "line 2: quota:" in err
    assert "Created 2 accounts; 0 unchanged; 1 errors" in out
    assert account("zoe@example.test") and account("bad@example.test") is None


def test_conflicts_with_existing_addresses_are_reported_never_overwritten(csv_file):
    rows = ("bob@example.test,Robert,,,bob,,,,,\n"  # exists with other values
            "new@example.test,,,,,,alice.martin@example.test,,,\n"  # alias of alice
            "alice@other.test,,,,alice,,,,,\n")  # uid alice is taken
    _ok, _out, err = run_capture("import", csv_file(HEADER + rows), "--continue-on-error")
    assert "line 2: bob@example.test exists with other values (name, last_name, quota, forwards); " \
           "it is not overwritten." in err
    assert "line 3: aliases: alice.martin@example.test is already an alias of the account alice@example.test." in err
    assert "line 4: uid: The login alice is taken already (in the directory)." in err
    assert account("bob@example.test").name == "Bob Bernard"
    assert account("new@example.test") is None and account("alice@other.test") is None


def test_duplicates_inside_the_file_are_reported(csv_file):
    rows = "new@example.test,,,,n1,,,,,\nnew@example.test,,,,n2,,,,,\nother@example.test,,,,n1,,,,,\n"
    _ok, _out, err = run_capture("import", csv_file(HEADER + rows), "--continue-on-error")
    assert "line 3: address: new@example.test is already on line 2." in err
    assert "line 4: uid: The login n1 is taken already (on line 2)." in err


def test_dry_run_writes_nothing(csv_file):
    assert "Would create 2 accounts; 0 unchanged." in run("import", csv_file(HEADER + GOOD), "--dry-run")
    assert account("zoe@example.test") is None
    assert not AuditEntry.objects.exists()


def test_it_refuses_a_file_without_a_usable_header(csv_file):
    assert "must name the columns" in refused("import", csv_file("mail,name\nx@example.test,X\n"))
    assert "Cannot read" in refused("import", "/nonexistent.csv")


def test_a_password_hash_is_taken_but_never_cleartext(csv_file, slapd):
    header = "address,uid,password_hash\n"
    run("import", csv_file(header + "zoe@example.test,zoe,{SSHA}gPTZkWLt+qJNXEwdM2bWx1566xkqzSY7\n"))
    assert binds(slapd, "uid=zoe,ou=Users,dc=example,dc=org", "alice-password-1")
    message = refused("import", csv_file(header + "yann@example.test,yann,cleartext-password\n", "b.csv"))
    assert account("yann@example.test") is None and "line 2" not in message
    _ok, _out, err = run_capture("import", csv_file(header + "yann@example.test,yann,cleartext-password\n", "b.csv"))
    assert "line 2: password-hash: Give a hash such as {SSHA}…, never a cleartext password." in err


def test_a_mailbox_outside_the_base_is_refused(csv_file):
    _ok, _out, err = run_capture("import", csv_file("address,mailbox\nzoe@example.test,/home/vmail/../../etc/\n"))
    assert "line 2: mailbox: The mailbox path" in err


def test_each_row_uses_the_same_checks_as_the_form(csv_file):
    _ok, _out, err = run_capture("import", csv_file("address,uid\nzoe@example.test,../x\n"))
    out_cli = refused("createaccount", "zoe@example.test", "--uid", "../x", stdin="")
    assert out_cli.split(": ", 1)[1] in err


def test_it_imports_ldif(tmp_path):
    path = tmp_path / "a.ldif"
    path.write_text("version: 1\n\n# a comment\ndn: uid=zoe,ou=Users,dc=example,dc=org\nobjectClass: inetOrgPerson\n"
                    "objectClass: mailAccount\nuid: zoe\ncn:: Wm/DqSBab2xh\nsn: Zola\nmail: zoe@example.test\n"
                    "maildrop: zoe@external.test\nmaildrop: zoe@example.test\nmailenable: OK\n\n"
                    "dn: cn=x,dc=example,dc=org\nobjectClass: device\ncn: x\n\n"
                    "dn: uid=y,ou=Users,dc=example,dc=org\nchangetype: delete\n")
    ok, out, err = run_capture("import", str(path), "--continue-on-error")
    assert not ok and "Created 1 accounts" in out
    assert "line 15: The entry is not a mail account (objectClass mailAccount)." in err
    assert "line 20: Only plain entries are accepted, not “changetype”." in err
    zoe = account("zoe@example.test")
    assert zoe.name == "Zoé Zola" and zoe.keeps_copy


def test_an_entry_created_by_someone_else_meanwhile_is_reported_not_overwritten(csv_file, monkeypatch):
    from mailadmin.directory.bulk import Claims

    # As if another writer added uid=bob after the claims were read: the add itself is refused, atomically.
    monkeypatch.setattr("accounts.importing.directory_claims", lambda *args: Claims({}, set(), {}))
    ok, out, err = run_capture("import", csv_file("address,uid\nbobby@example.test,bob\nnew@example.test,new\n"),
                               "--continue-on-error")
    assert not ok
    assert "line 2: Someone else created this address or login meanwhile; it was not written." in err
    assert account("bob@example.test").uid == "bob" and account("bobby@example.test") is None
    assert account("new@example.test") is not None


def test_written_entries_are_audited_in_batches_as_their_answers_arrive(csv_file, monkeypatch):
    from accounts import importing

    command = importlib.import_module("accounts.management.commands.import")  # "import" is a keyword

    batches: list[int] = []
    real = command.record_many

    def counting(actor, action, rows):
        rows = list(rows)
        batches.append(len(rows))
        real(actor, action, rows)

    monkeypatch.setattr(importing, "AUDIT_BATCH", 2)
    monkeypatch.setattr(importing, "ADD_WINDOW", 1)  # answers come early
    monkeypatch.setattr(command, "record_many", counting)
    rows = "".join(f"user{i}@example.test,,User,{i},,,,,,yes\n" for i in range(5))
    run("import", csv_file(HEADER + rows))
    assert batches == [2, 2, 1]
    assert sorted(AuditEntry.objects.filter(action="account.create").values_list("target", flat=True)) == [
        f"user{i}@example.test" for i in range(5)]


def test_a_directory_failure_half_way_keeps_the_audit_of_what_was_written(csv_file, monkeypatch):
    from accounts import importing
    from mailadmin.directory import DirectoryUnavailable, bulk

    sent = []
    real_add = bulk.Pipeline.add

    def failing_add(self, key, dn, classes, attrs):
        sent.append(dn)
        if len(sent) == 3:
            raise DirectoryUnavailable("add: the directory closed the connection")
        return real_add(self, key, dn, classes, attrs)

    monkeypatch.setattr(bulk.Pipeline, "add", failing_add)
    monkeypatch.setattr(importing, "ADD_WINDOW", 1)  # answers come early
    rows = "".join(f"user{i}@example.test,,User,{i},,,,,,yes\n" for i in range(5))
    with pytest.raises(CommandError, match="failed after 1 accounts were written, with 1 more sent and unanswered"):
        run("import", csv_file(HEADER + rows))
    # The second add was in flight: slapd wrote it, but no answer came back, so only the first is audited as created.
    assert [account(f"user{i}@example.test") is not None for i in range(5)] == [True, True, False, False, False]
    assert list(AuditEntry.objects.filter(action="account.create").values_list("target", flat=True)) == [
        "user0@example.test"]
    interrupted = AuditEntry.objects.get(action="account.import")
    assert interrupted.ok is False
    assert interrupted.new == {"create": 1, "unanswered": ["user1@example.test"]}  # the one to check by hand
