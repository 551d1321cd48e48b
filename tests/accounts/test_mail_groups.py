"""The read-only pages of MDS mail groups (tests/mds_people.ldif), with the console's role rules."""

import pytest

from mailadmin.directory import groups

pytestmark = pytest.mark.both_profiles

LIST, STAFF = "/groups/", "/groups/staff/"


@pytest.fixture(autouse=True)
def _people(mds_people):
    return mds_people


def test_the_list_shows_the_groups_of_the_domains_one_sees(domain_admin):
    page = domain_admin.get(LIST).content.decode()
    assert 'href="/groups/staff/"' in page and "staff@example.test" in page and "sales@other.test" not in page
    assert "cn=unix" not in page and ">unix<" not in page  # a POSIX group without mail is no mail group


def test_a_superadmin_sees_every_group_and_the_hidden_flag(superadmin):
    page = superadmin.get(LIST).content.decode()
    assert "staff@example.test" in page and "sales@other.test" in page and "hidden" in page


def test_a_group_page_shows_address_members_and_how_mail_reaches_them(domain_admin):
    page = domain_admin.get(STAFF).content.decode()
    assert "cn=staff,ou=Groups,dc=example,dc=org" in page
    assert 'href="/accounts/jeanne@example.test/"' in page and 'href="/accounts/marc@example.test/"' in page
    assert "lucie" in page and "no mail account" in page
    assert "through the copies of its address among the aliases of 2 members, as MMC did" in page


def test_after_migration_the_page_names_the_virtual_alias(without_alias_uniqueness, domain_admin, directory):
    groups.migrate_group(directory, groups.plan_migration(directory, groups.get_group(directory, "staff")))
    page = domain_admin.get(STAFF).content.decode()
    assert 'through the virtual alias <a href="/aliases/staff@example.test/">staff@example.test</a>' in page
    assert "holds the copied address" not in page


def test_a_hidden_group_is_marked(outsider):
    assert "hidden from address books" in outsider.get("/groups/sales/").content.decode()


def test_it_hides_groups_of_other_domains(outsider):
    assert outsider.get(STAFF).status_code == 404


def test_the_helpdesk_of_every_domain_sees_it_like_the_accounts(helpdesk):
    assert helpdesk.get(STAFF).status_code == 200


def test_an_unknown_group_is_not_found(superadmin):
    assert superadmin.get("/groups/unix/").status_code == 404
    assert superadmin.get("/groups/nope/").status_code == 404


def test_a_directory_without_groups_ou_lists_none(superadmin, mds_people):
    mds_people.delete_tree("ou=Groups,dc=example,dc=org")
    r = superadmin.get(LIST)
    assert r.status_code == 200 and "No mail groups." in r.content.decode()


def test_it_shows_error_when_directory_down(domain_admin, directory_down):
    assert domain_admin.get(LIST).status_code == 503


def test_directory_values_of_a_group_render_escaped(superadmin, mds_people):
    from mailadmin.directory.schema import escape_dn_value

    name = 'x"><img src=x onerror=alert(1)>'
    mds_people.add_ldif(f"dn: cn={escape_dn_value(name)},ou=Groups,dc=example,dc=org\n"
                        "objectClass: posixGroup\nobjectClass: mailGroup\n"
                        'cn: x"><img src=x onerror=alert(1)>\ngidNumber: 10102\nmail: evil@example.test\n'
                        "memberUid: <script>alert(1)</script>\n")
    page = superadmin.get(LIST).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x" in page
    detail = superadmin.get("/groups/x%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E/").content.decode()
    assert "<script>alert(1)" not in detail and "&lt;script&gt;alert(1)" in detail
