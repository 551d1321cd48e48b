"""Finding 4: a domain admin gives mail only to people already tied to its domain by their `mail`; an existing `mail`
is never replaced; a person who is a console user is left to superadmins."""

from __future__ import annotations

import pytest

from mailadmin.directory import accounts
from tests.conftest import SUFFIX

from .conftest import snapshot
from .helpers import adminrole

PAUL = f"""\
dn: uid=paul,ou=Users,{SUFFIX}
objectClass: inetOrgPerson
uid: paul
cn: Paul Tied
sn: Tied
mail: paul@example.test
"""


@pytest.fixture
def paul(test_directory):
    test_directory.add_ldif(PAUL)
    return test_directory


def test_a_domain_admin_neither_sees_nor_takes_a_person_of_no_domain_of_its_own(login_as, test_directory):
    admin = login_as("domain_admin")
    assert "Pierre" not in admin.get("/people/", {"q": "pierre"}).content.decode().split("<main")[1]
    before = snapshot(test_directory)
    assert admin.get("/people/pierre/enable/").status_code == 404
    assert admin.post("/people/pierre/enable/", {"address": "pierre@example.test"}).status_code == 404
    assert snapshot(test_directory) == before


def test_nor_one_whose_mail_is_in_another_customers_domain(login_as, paul):
    outsider = login_as("outsider")
    assert "Paul" not in outsider.get("/people/").content.decode().split("<main")[1]
    assert outsider.post("/people/paul/enable/", {"address": "paul@other.test"}).status_code == 404


def test_a_domain_admin_gives_mail_to_a_person_whose_mail_is_in_its_domain(login_as, paul, directory):
    admin = login_as("domain_admin")
    assert "Paul Tied" in admin.get("/people/").content.decode()
    assert admin.get("/people/paul/enable/").context["form"]["address"].value() == "paul@example.test"
    response = admin.post("/people/paul/enable/", {"address": "paul@example.test"})
    assert response.status_code == 302
    assert accounts.get_account(directory, "paul@example.test").uid == "paul"


def test_an_existing_mail_is_never_replaced(login_as, paul, directory):
    response = login_as("superadmin").post("/people/paul/enable/", {"address": "someone-else@example.test"})
    assert "already has the address paul@example.test" in response.content.decode()
    assert accounts.get_person(directory, "paul").mail == "paul@example.test"


def test_a_person_who_is_a_console_user_is_left_to_superadmins(login_as, paul, test_directory):
    adminrole("grant", "paul@example.test", "--helpdesk")  # pending: paul has no mailbox yet
    before = snapshot(test_directory)
    assert login_as("domain_admin").post("/people/paul/enable/", {"address": "paul@example.test"}).status_code == 403
    assert snapshot(test_directory) == before
    assert login_as("superadmin").post("/people/paul/enable/", {"address": "paul@example.test"}).status_code == 302
