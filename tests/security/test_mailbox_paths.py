"""Threat 11: uids that could leave the mailbox base or read as options are refused; every mailbox the console writes
is the template's result under the template's base; no application code runs a shell or a program."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest

from mailadmin.directory import accounts

from .conftest import snapshot
from .urltable import PASSWORD, account_form

ROOT = Path(__file__).resolve().parents[2]
BAD_UIDS = ["../x", "a/b", "-rf", "..", "a..b", ".hidden", "x\\y", "a b", "$(id)", "`id`", "a;b", "~root", "*"]
TEMPLATES = ["/home/vmail/%uid%/", "/srv/mail/%domain%/%local%/", "/var/mail/%mail%"]


@pytest.fixture
def admin(login_as):
    return login_as("domain_admin")


@pytest.mark.parametrize("uid", BAD_UIDS)
def test_the_add_form_refuses_a_uid_that_could_leave_the_base(uid, admin, test_directory):
    before = snapshot(test_directory)
    response = admin.post("/domains/example.test/accounts/add/",
                          {"local_part": "newbie", "uid": uid, "password": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200 and "uid" in response.context["form"].errors
    assert snapshot(test_directory) == before


@pytest.mark.parametrize("local_part", ["../x", "a/b", "..", ".x", "x.", "a..b", "$(id)", "a b"])
def test_the_add_form_refuses_a_local_part_that_could_leave_the_base(local_part, admin, test_directory):
    before = snapshot(test_directory)
    response = admin.post("/domains/example.test/accounts/add/",
                          {"local_part": local_part, "uid": "newbie", "password": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200 and "local_part" in response.context["form"].errors
    assert snapshot(test_directory) == before


def test_an_address_starting_with_a_dash_cannot_be_the_login(admin, test_directory):
    """`-rf@example.test` is an address, but as a uid it would read as an option: a login must be typed."""
    response = admin.post("/domains/example.test/accounts/add/",
                          {"local_part": "-rf", "password": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200 and "uid" in response.context["form"].errors


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("local_part,uid", [("newbie", ""), ("a.b-c+d_e", ""), ("-rf", "rf"), ("x", "x@y.z")])
def test_every_mailbox_written_is_the_template_result_under_its_base(template, local_part, uid, admin, directory,
                                                                     settings):
    settings.MAIL_MAILBOX_TEMPLATE = template
    response = admin.post("/domains/example.test/accounts/add/",
                          {"local_part": local_part, "uid": uid, "password": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    account = accounts.get_account(directory, f"{local_part}@example.test")
    expected = (template.replace("%uid%", account.uid).replace("%mail%", account.mail)
                .replace("%domain%", "example.test").replace("%local%", local_part))
    base = template.split("%")[0]
    assert account.mailbox == expected
    assert posixpath.normpath(account.mailbox).startswith(base) and ".." not in account.mailbox.split("/")


def test_enabling_mail_on_a_person_uses_the_template(admin, directory, pierre_of_example):
    assert admin.post("/people/pierre/enable/", {"address": "pierre@example.test"}).status_code == 302
    assert accounts.get_account(directory, "pierre@example.test").mailbox == "/home/vmail/pierre/"


ODD_PEOPLE = "".join(f"""
dn: uid={uid},ou=Users,dc=example,dc=org
changetype: add
objectClass: inetOrgPerson
uid: {uid}
cn: Odd {uid}
sn: Odd
""" for uid in ("../x", "-rf", "a..b"))


def test_a_person_whose_uid_could_leave_the_base_cannot_get_mail(admin, test_directory):
    """Such uids come from other tools; the console neither crashes on them nor writes a mailbox for them."""
    test_directory.ldap_tool("ldapmodify", input_text=ODD_PEOPLE)
    before = snapshot(test_directory)
    assert admin.get("/people/", {"q": "odd"}).status_code == 200
    for uid in ("..%2Fx", "-rf", "a..b"):
        assert admin.post(f"/people/{uid}/enable/", {"address": "odd@example.test"}).status_code == 404, uid
    assert snapshot(test_directory) == before


@pytest.mark.parametrize("path", ["/etc/", "/home/vmail/../../etc/", "relative/", "/srv/elsewhere/alice/",
                                  "/home/vmail", "/home/vmail/", "/home/vmailx/alice/"])
def test_a_superadmin_cannot_point_a_mailbox_outside_the_base(path, login_as, directory, test_directory):
    before = snapshot(test_directory)
    form = {**account_form(directory, "alice@example.test"), "mailbox": path}
    response = login_as("superadmin").post("/accounts/alice@example.test/edit/", form)
    assert response.status_code == 422 and "mailbox" in response.context["edit_form"].errors
    assert snapshot(test_directory) == before


# --- Lint: no shell, no programs run from the application ---------------------------------------------------------

ALLOWED = ROOT / "mailadmin" / "directory" / "slapd"  # the throwaway slapd of tests and `make run`
RUNS_PROGRAMS = re.compile(r"\bsubprocess\b|\bos\.(system|popen|exec\w*|spawn\w*|posix_spawn\w*)\b|\bpty\b"
                           r"|create_subprocess|\bshell\s*=\s*True|\bcommands\.getoutput")


def test_no_application_code_runs_a_shell_or_a_program():
    files = [p for d in ("mailadmin", "domains", "accounts") for p in (ROOT / d).rglob("*.py")
             if ALLOWED not in p.parents]
    assert files
    offenders = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in files
                 for n, line in enumerate(p.read_text().splitlines(), 1) if RUNS_PROGRAMS.search(line)]
    assert not offenders, offenders
