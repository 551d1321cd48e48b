import pytest

from mailadmin.directory import AlreadyExists, Conflict, InUse
from mailadmin.directory import domains as d


def test_it_lists_domains_in_one_search_and_counts_one_search_per_listed_domain(directory):
    before = directory.operations
    listed = d.list_domains(directory)
    assert directory.operations - before == 1
    assert [x.account_count for x in listed] == [None, None]
    domains = {x.name: x for x in d.with_account_counts(directory, listed)}
    assert directory.operations - before == 3
    assert domains["example.test"].account_count == 5
    assert domains["other.test"].account_count == 1
    assert domains["example.test"].default_quota_kb == 512000
    assert domains["other.test"].default_quota_kb is None


def test_it_creates_and_reads_a_domain(directory):
    created = d.create_domain(directory, "new.test", "Fresh", 1024)
    assert created.dn == "virtualdomain=new.test,ou=mailDomains,dc=example,dc=org"
    assert d.get_domain(directory, "new.test") == created
    assert created.csn


def test_it_refuses_an_existing_domain(directory):
    with pytest.raises(AlreadyExists):
        d.create_domain(directory, "example.test")


def test_it_updates_description_and_quota(directory):
    domain = d.get_domain(directory, "example.test")
    updated = d.update_domain(directory, domain, description="Changed", default_quota_kb=None)
    assert (updated.description, updated.default_quota_kb) == ("Changed", None)


def test_a_stale_update_raises_conflict_and_changes_nothing(directory):
    domain = d.get_domain(directory, "example.test")
    d.update_domain(directory, domain, description="First", default_quota_kb=1)
    with pytest.raises(Conflict):
        d.update_domain(directory, domain, description="Second", default_quota_kb=2)
    current = d.get_domain(directory, "example.test")
    assert (current.description, current.default_quota_kb) == ("First", 1)


def test_it_refuses_to_remove_a_domain_in_use_and_says_by_what(directory):
    with pytest.raises(InUse) as e:
        d.remove_domain(directory, d.get_domain(directory, "example.test"))
    assert "alice@example.test" in e.value.users
    assert "team@example.test" in e.value.users
    assert d.get_domain(directory, "example.test") is not None


def test_it_removes_an_unused_domain(directory):
    d.create_domain(directory, "empty.test")
    d.remove_domain(directory, d.get_domain(directory, "empty.test"))
    assert d.get_domain(directory, "empty.test") is None


def test_it_reads_a_domain_case_insensitively(directory):
    domain = d.get_domain(directory, "EXAMPLE.test")
    assert (domain.name, domain.display_name) == ("example.test", "example.test")
    assert domain.description == "The test company"


def test_it_shows_an_idn_domain_in_unicode(directory):
    assert d.create_domain(directory, "xn--bcher-kva.test").display_name == "bücher.test"


def test_it_answers_none_for_an_unknown_domain(directory):
    assert d.get_domain(directory, "nowhere.test") is None


def test_an_update_without_changes_sends_no_modify(directory):
    domain = d.get_domain(directory, "example.test")
    before = directory.operations
    assert d.update_domain(directory, domain, description=domain.description, default_quota_kb=512000) == domain
    assert directory.operations - before == 1


def test_it_refuses_to_remove_a_domain_used_only_by_an_account_alias(directory):
    from mailadmin.directory import accounts as a

    d.create_domain(directory, "aliased.test")
    oscar = a.get_account(directory, "oscar@other.test")
    a.update_account(directory, oscar, {"aliases": ("oscar@aliased.test",)})
    with pytest.raises(InUse) as e:
        d.remove_domain(directory, d.get_domain(directory, "aliased.test"))
    assert e.value.users == ("oscar@other.test (by an alias)",)


def test_it_refuses_to_remove_a_domain_used_only_by_a_virtual_alias(directory):
    from mailadmin.directory import aliases as al

    d.create_domain(directory, "lists.test")
    al.create_valias(directory, "all@lists.test", external=("x@external.test",))
    with pytest.raises(InUse) as e:
        d.remove_domain(directory, d.get_domain(directory, "lists.test"))
    assert e.value.users == ("all@lists.test",)


def test_a_stale_remove_raises_conflict_and_keeps_the_domain(directory):
    stale = d.create_domain(directory, "empty.test")
    d.update_domain(directory, stale, description="Changed", default_quota_kb=None)
    with pytest.raises(Conflict):
        d.remove_domain(directory, stale)
    assert d.get_domain(directory, "empty.test").description == "Changed"
