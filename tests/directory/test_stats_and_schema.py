from mailadmin.directory import accounts as a
from mailadmin.directory import stats, subschema


def test_it_counts_domains_accounts_disabled_accounts_and_virtual_aliases(directory):
    assert stats.directory_counts(directory) == stats.Counts(domains=2, accounts=6, disabled=1, valiases=1)


def test_counts_follow_changes(directory):
    a.update_account(directory, a.get_account(directory, "alice@example.test"), {"enabled": False})
    assert stats.directory_counts(directory).disabled == 2


def test_it_counts_in_four_searches_whatever_the_size(directory, slapd):
    before = directory.operations
    stats.directory_counts(directory)
    small = directory.operations - before
    slapd.add_ldif("".join(
        f"dn: uid=n{i},ou=Users,dc=example,dc=org\nobjectClass: inetOrgPerson\nobjectClass: mailAccount\n"
        f"uid: n{i}\ncn: N\nsn: N\nmail: n{i}@example.test\nmailenable: OK\n\n" for i in range(600)
    ))
    before = directory.operations
    assert stats.directory_counts(directory).accounts == 606
    assert (small, directory.operations - before) == (4, 4)


def test_the_project_schema_has_every_mail_name(directory):
    assert subschema.missing_schema(directory) == []
    attributes, classes = subschema.server_schema(directory)
    assert {"mailaccount", "maildomain", "mailalias"} <= classes
    assert {"mailalias", "mailaliasmember", "virtualdomain"} <= attributes and "mailaccount" not in attributes


def test_it_creates_missing_base_entries_and_only_those(directory, slapd):
    assert subschema.ensure_base_entries(directory) == []
    slapd.delete_tree("ou=mailAliases,dc=example,dc=org")
    assert subschema.ensure_base_entries(directory) == ["ou=mailAliases,dc=example,dc=org"]
    assert directory.read("ou=mailAliases,dc=example,dc=org", ("ou",)).first("ou") == "mailAliases"


def test_counting_holds_no_sort_slot_so_many_counts_share_one_connection(directory, slapd):
    # sssvlv allows five open sorts per connection: counts that kept theirs would fail with "busy" from the sixth.
    slapd.add_ldif("".join(
        f"dn: uid=c{i},ou=Users,dc=example,dc=org\nobjectClass: inetOrgPerson\nobjectClass: mailAccount\n"
        f"uid: c{i}\ncn: C\nsn: C\nmail: c{i}@example.test\nmailenable: OK\n\n" for i in range(3)
    ))
    counts = [stats.directory_counts(directory).accounts for _ in range(10)]
    assert counts == [9] * 10
