"""`manage.py mailconfig`: which files it writes, with what permissions, and what it refuses to write."""

from __future__ import annotations

import io
import re
import stat
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mailadmin.mailconfig import HOME_FROM_MAILBOX, POSTFIX_MAPS, dovecot_quote

from .conftest import Postfix, including, mailbox_owner, postfix_config_dir, require, running_dovecot, write_config

MAPS = [spec.name for spec in POSTFIX_MAPS]
SUFFIX = "dc=example,dc=org"


READER_PASSWORD = "reader-password"


def run(tmp_path, password: str = READER_PASSWORD, **options) -> tuple[str, str]:
    """Run the command into tmp_path/out with a password file; return (stdout, stderr)."""
    password_file = tmp_path / "bind.pw"
    password_file.write_text(password)
    stdout, stderr = io.StringIO(), io.StringIO()
    options.setdefault("bind_dn", f"cn=reader,ou=system,{SUFFIX}")
    options.setdefault("bind_password_file", str(password_file))
    call_command("mailconfig", output=str(tmp_path / "out"), stdout=stdout, stderr=stderr, **options)
    return stdout.getvalue(), stderr.getvalue()


def params(path) -> dict[str, str]:
    """The `name = value` lines of a generated file."""
    lines = (line.split(" = ", 1) for line in path.read_text().splitlines() if " = " in line and line[0] != "#")
    return dict(lines)


def test_it_writes_every_file_with_the_password_files_closed_to_others(tmp_path):
    out, _ = run(tmp_path)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "out").iterdir()}
    assert modes == {**dict.fromkeys(MAPS, 0o640), "dovecot-ldap.conf.ext": 0o600, "main.cf.snippet": 0o644,
                     "master.cf.snippet": 0o644, "dovecot.conf.snippet": 0o644, "README.txt": 0o644}
    assert "Wrote 11 files" in out


def test_it_narrows_the_mode_of_a_file_it_replaces(tmp_path):
    (tmp_path / "out").mkdir()
    old = tmp_path / "out" / "dovecot-ldap.conf.ext"
    old.write_text("old")
    old.chmod(0o666)
    run(tmp_path)
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    assert "dnpass" in old.read_text()


def test_it_binds_every_lookup_with_the_given_account(tmp_path):
    run(tmp_path, password="s3cret")
    for name in MAPS:
        postfix = params(tmp_path / "out" / name)
        assert (postfix["bind"], postfix["bind_dn"], postfix["bind_pw"]) == (
            "yes", f"cn=reader,ou=system,{SUFFIX}", "s3cret")
    dovecot = params(tmp_path / "out" / "dovecot-ldap.conf.ext")
    assert (dovecot["dn"], dovecot["dnpass"], dovecot["auth_bind"]) == (f'"cn=reader,ou=system,{SUFFIX}"',
                                                                        '"s3cret"', "yes")


def test_it_checks_mailenable_in_every_lookup_but_the_domains(tmp_path):
    run(tmp_path)
    for name in MAPS[1:]:
        assert "(mailenable=OK)" in params(tmp_path / "out" / name)["query_filter"], name
    dovecot = params(tmp_path / "out" / "dovecot-ldap.conf.ext")
    assert all("(mailenable=OK)" in dovecot[key] for key in ("pass_filter", "user_filter", "iterate_filter"))


def test_it_keeps_the_mds_lookups(tmp_path):
    run(tmp_path)
    accounts = params(tmp_path / "out" / "ldap-accounts.cf")
    assert (accounts["search_base"], accounts["result_attribute"], accounts["expansion_limit"]) == (
        f"ou=Users,{SUFFIX}", "mailbox", "1")
    valiases = params(tmp_path / "out" / "ldap-valiases.cf")
    assert (valiases["search_base"], valiases["special_result_attribute"]) == (f"ou=mailAliases,{SUFFIX}",
                                                                               "mailaliasmember")
    assert params(tmp_path / "out" / "ldap-transport.cf")["result_format"] == "smtp:[%s]"
    assert params(tmp_path / "out" / "ldap-domains.cf")["search_base"] == f"ou=mailDomains,{SUFFIX}"
    dovecot = params(tmp_path / "out" / "dovecot-ldap.conf.ext")
    assert dovecot["pass_attrs"] == "mail=user"
    assert dovecot["user_attrs"] == f"{HOME_FROM_MAILBOX},mailuserquota=quota_rule=*:storage=%$"


def test_it_reads_the_bind_password_from_stdin(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("from-stdin\n"))
    run(tmp_path, bind_password_file="-")
    assert params(tmp_path / "out" / "ldap-accounts.cf")["bind_pw"] == "from-stdin"


def test_it_takes_no_password_on_the_command_line():
    from mailadmin.management.commands.mailconfig import Command

    parser = Command().create_parser("manage.py", "mailconfig")
    options = [o for action in parser._actions for o in action.option_strings]
    assert not [o for o in options if "password" in o and not o.endswith("-file")]


@pytest.mark.parametrize("password", ["two\nlines", "carriage\rreturn", "nul\0byte", " padded", "padded\t", "\n"])
def test_it_refuses_a_password_the_files_cannot_hold(tmp_path, password):
    with pytest.raises(CommandError, match="bind password"):
        run(tmp_path, password=password + "\n")
    assert not (tmp_path / "out").exists()


def test_it_refuses_a_bind_dn_with_a_line_break(tmp_path):
    with pytest.raises(CommandError, match="bind DN"):
        run(tmp_path, bind_dn=f"cn=reader,{SUFFIX}\nbind = no")


def test_it_refuses_a_bind_dn_without_its_password(tmp_path):
    with pytest.raises(CommandError, match="--bind-password-file"):
        run(tmp_path, bind_password_file=None)


def test_it_falls_back_to_its_own_account_with_a_warning(tmp_path, settings):
    _, err = run(tmp_path, bind_dn=None, bind_password_file=None)
    assert "can write" in err
    assert params(tmp_path / "out" / "ldap-domains.cf")["bind_dn"] == settings.LDAP_BIND_DN


def test_it_never_writes_an_anonymous_bind(tmp_path, settings):
    settings.LDAP_BIND_DN = ""
    with pytest.raises(CommandError, match="anonymously"):
        run(tmp_path, bind_dn=None, bind_password_file=None)


def test_it_lists_every_directory_server_in_order(tmp_path, settings):
    settings.LDAP_URL = ["ldap://127.0.0.1:389", "ldap://[::1]:1389/"]
    run(tmp_path)
    assert params(tmp_path / "out" / "ldap-aliases.cf")["server_host"] == "ldap://127.0.0.1:389 ldap://[::1]:1389"
    assert params(tmp_path / "out" / "dovecot-ldap.conf.ext")["uris"] == '"ldap://127.0.0.1:389 ldap://[::1]:1389"'


@pytest.mark.parametrize("url", ["ldapi:///", "ldap://host/dc=x,dc=y", "ldap://a,b", "http://ldap"])
def test_it_refuses_an_url_the_servers_cannot_use(tmp_path, settings, url):
    settings.LDAP_URL = [url]
    with pytest.raises(CommandError, match="LDAP_URL"):
        run(tmp_path)


def test_it_requires_verified_start_tls_when_the_app_uses_it(tmp_path, settings):
    settings.LDAP_START_TLS, settings.LDAP_CA_FILE = True, "/etc/ssl/mail/ca.pem"
    settings.LDAP_URL = ["ldap://ldap.example.org"]
    _, err = run(tmp_path)
    postfix = params(tmp_path / "out" / "ldap-valiases.cf")
    assert (postfix["start_tls"], postfix["tls_ca_cert_file"], postfix["tls_require_cert"]) == (
        "yes", "/etc/ssl/mail/ca.pem", "yes")
    dovecot = params(tmp_path / "out" / "dovecot-ldap.conf.ext")
    assert (dovecot["tls"], dovecot["tls_ca_cert_file"], dovecot["tls_require_cert"]) == (
        "yes", '"/etc/ssl/mail/ca.pem"', "demand")
    assert err == ""


def test_it_verifies_ldaps_against_the_system_cas(tmp_path, settings):
    settings.LDAP_URL, settings.LDAP_CA_FILE = ["ldaps://ldap.example.org"], ""
    run(tmp_path)
    postfix = params(tmp_path / "out" / "ldap-accounts.cf")
    assert "start_tls" not in postfix
    assert (postfix["tls_ca_cert_file"], postfix["tls_require_cert"]) == ("/etc/ssl/certs/ca-certificates.crt", "yes")
    dovecot = params(tmp_path / "out" / "dovecot-ldap.conf.ext")
    assert "tls" not in dovecot and dovecot["tls_require_cert"] == "demand"


def test_it_writes_no_tls_settings_for_a_local_plain_connection(tmp_path):
    _, err = run(tmp_path)
    assert not [k for k in params(tmp_path / "out" / "ldap-accounts.cf") if k.startswith(("tls", "start_tls"))]
    assert err == ""


def test_it_refuses_start_tls_on_ldaps(tmp_path, settings):
    settings.LDAP_START_TLS, settings.LDAP_URL = True, ["ldaps://ldap.example.org"]
    with pytest.raises(CommandError, match="LDAP_START_TLS"):
        run(tmp_path)


def test_it_warns_when_passwords_would_cross_the_network_in_clear(tmp_path, settings):
    settings.LDAP_URL = ["ldap://127.0.0.1", "ldap://ldap2.example.org"]
    _, err = run(tmp_path)
    assert "ldap://ldap2.example.org" in err and "127.0.0.1" not in err


def test_it_escapes_percent_in_search_bases(tmp_path, settings):
    settings.LDAP_USERS_DN = f"ou=100%,{SUFFIX}"
    run(tmp_path)
    assert params(tmp_path / "out" / "ldap-accounts.cf")["search_base"] == f"ou=100%%,{SUFFIX}"
    assert params(tmp_path / "out" / "dovecot-ldap.conf.ext")["base"] == f'"ou=100%%,{SUFFIX}"'


def test_it_points_the_snippets_at_the_install_directories(tmp_path):
    run(tmp_path, postfix_dir="/usr/local/etc/postfix/", dovecot_dir="/opt/dovecot", vmail_user="vmail5000")
    main = (tmp_path / "out" / "main.cf.snippet").read_text()
    assert re.findall(r"proxy:ldap:(\S+?),?$", main, re.M) == [f"/usr/local/etc/postfix/{name}" for name in MAPS]
    assert "args = /opt/dovecot/dovecot-ldap.conf.ext" in (tmp_path / "out" / "dovecot.conf.snippet").read_text()
    assert "user=vmail5000:mail" in (tmp_path / "out" / "master.cf.snippet").read_text()
    assert "dovecot-lda -c /opt/dovecot/dovecot.conf" in (tmp_path / "out" / "master.cf.snippet").read_text()


def test_its_readme_checks_the_instances_of_the_install_directories(tmp_path):
    run(tmp_path, postfix_dir="/usr/local/etc/postfix", dovecot_dir="/opt/dovecot")
    readme = (tmp_path / "out" / "README.txt").read_text()
    assert "postmap -c /usr/local/etc/postfix -q alice@example.org" in readme
    assert "postfix -c /usr/local/etc/postfix reload" in readme
    assert readme.count("doveadm -c /opt/dovecot/dovecot.conf ") == 2


@pytest.mark.parametrize("template, base", [("/home/vmail/%uid%/", "/home/vmail"),
                                            ("/srv/mail/%domain%/%local%/", "/srv/mail"),
                                            ("/srv/mail/u%uid%", "/srv/mail")])
def test_its_readme_creates_the_mailbox_base_of_the_template(tmp_path, settings, template, base):
    settings.MAIL_MAILBOX_TEMPLATE = template
    run(tmp_path, vmail_user="vmail5000")
    readme = (tmp_path / "out" / "README.txt").read_text()
    assert f"useradd -r -g mail -d {base} -s /usr/sbin/nologin vmail5000" in readme
    assert f"install -d -o vmail5000 -g mail -m 0700 {base}\n" in readme


@pytest.mark.parametrize("option", [{"postfix_dir": "etc/postfix"}, {"dovecot_dir": "/etc/dove cot"},
                                    {"vmail_user": "v mail"}, {"vmail_group": "-rf"}])
def test_it_refuses_install_paths_and_names_the_snippets_cannot_hold(tmp_path, option):
    with pytest.raises(CommandError):
        run(tmp_path, **option)


def test_it_explains_where_each_file_goes_and_what_changed(tmp_path):
    run(tmp_path)
    readme = (tmp_path / "out" / "README.txt").read_text()
    assert all(name in readme for name in [*MAPS, "main.cf.snippet", "dovecot-ldap.conf.ext", "dovecot.conf.snippet"])
    assert "What differs from the MDS originals" in readme
    assert READER_PASSWORD not in readme


@pytest.mark.parametrize("value, quoted", [("plain", '"plain"'), ('a"b', '"a\\"b"'), ("a\\b", '"a\\\\b"'),
                                           ("# not a comment", '"# not a comment"')])
def test_it_quotes_dovecot_values(value, quoted):
    assert dovecot_quote(value) == quoted


ODD_DN = f"cn=odd%u\\#1 $x,ou=system,{SUFFIX}"
ODD_PASSWORD = '<p#w "q" \\z %u $x'


def test_its_files_work_with_a_bind_account_full_of_config_metacharacters(slapd, tmp_path):
    """`#`, quotes, backslashes, `%` and `$` in the DN and password reach the directory unchanged, in both servers."""
    require("postmap", "slappasswd")
    secret = tmp_path / "odd.pw"
    secret.write_text(ODD_PASSWORD)
    hashed = subprocess.run(["slappasswd", "-T", str(secret)], capture_output=True, text=True, check=True).stdout
    slapd.delete_tree(ODD_DN)
    slapd.add_ldif(f"dn: {ODD_DN}\nobjectClass: applicationProcess\nobjectClass: simpleSecurityObject\n"
                   f"cn: odd%u#1 $x\nuserPassword: {hashed.strip()}\n")
    try:
        files = write_config(slapd, tmp_path / "out", bind_dn=ODD_DN, password_file=secret)
        postfix = Postfix(postfix_config_dir(tmp_path), files)
        assert postfix.query("ldap-accounts", "alice@example.test") == "/home/vmail/alice/"
        with running_dovecot(tmp_path / "dovecot", including(files)) as dovecot:
            assert dovecot.user("alice@example.test")["uid"] == mailbox_owner()
            assert dovecot.auth("alice@example.test", "alice-password-1")
    finally:
        slapd.delete_tree(ODD_DN)
