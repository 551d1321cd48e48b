"""Rules the code itself must keep: checked on the source, so a new module cannot quietly break them."""

import ast
import re
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parent.parent
DIRECTORY = ROOT / "mailadmin" / "directory"
SCHEMA = DIRECTORY / "schema.py"
CONNECTION = DIRECTORY / "connection.py"
SKIP = {".venv", "var", "tests", "node_modules", ".git", "bench"}
FILTER = re.compile(r"^\((?:[&|!]|[A-Za-z][\w.;-]*[~<>]?=)")


def _project_modules() -> list[Path]:
    return [p for p in ROOT.rglob("*.py") if not SKIP & set(p.relative_to(ROOT).parts)]


def _trees():
    for path in _project_modules():
        yield path, ast.parse(path.read_text(), str(path))


def test_the_project_has_modules_to_check():
    assert SCHEMA in _project_modules() and len(_project_modules()) > 20


def test_no_module_outside_the_directory_package_imports_ldap3():
    offenders = []
    for path, tree in _trees():
        if DIRECTORY in path.parents:
            continue
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in ("ldap3", "pyasn1")]
    assert offenders == []


# mailconfig renders the Postfix and Dovecot lookup files: their filters carry the servers' own %s/%u placeholders
# and are never sent by mailadmin (tests/mailstack proves them with postmap and doveadm).
CONFIG_RENDERER = ROOT / "mailadmin" / "mailconfig.py"


def test_no_filter_string_is_written_outside_the_schema_module():
    offenders = []
    for path, tree in _trees():
        if path in (SCHEMA, CONFIG_RENDERER):
            continue
        for node in ast.walk(tree):
            texts = []
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                texts = [node.value]
            elif isinstance(node, ast.JoinedStr):  # an f-string: its literal start counts
                first = node.values[0] if node.values else None
                texts = [first.value] if isinstance(first, ast.Constant) else []
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno}: {t}" for t in texts if FILTER.match(t.strip())]
    assert offenders == []


def test_the_filter_lint_recognises_filters():
    assert all(FILTER.match(t) for t in ("(mail=", "(&(a=b)", "(|", "(!(x=1))", "(objectClass=*)", "(cn~=x)"))
    assert not any(FILTER.match(t) for t in ("(see README)", "(kB)", "( x = y )"))


def test_only_password_modify_writes_user_password():
    # The one write path is Directory.set_password (Password Modify, RFC 3062): slapd hashes there. A plain add or
    # modify of userPassword would be stored verbatim, so no code may even name the attribute.
    # mailconfig only names it in the Dovecot file, to say the mail servers never read it. The import carries over
    # hashes a migration brings ({SCHEME}…, never cleartext: tests/cli/test_import.py), which no other way can write.
    allowed = (CONFIG_RENDERER, ROOT / "mailadmin" / "directory" / "bulk.py")
    naming = [str(p.relative_to(ROOT)) for p in _project_modules()
              if "userpassword" in p.read_text().lower() and p not in allowed]
    assert naming == []
    calling = [str(p.relative_to(ROOT)) for p in _project_modules() if "modify_password" in p.read_text()]
    assert calling == ["mailadmin/directory/connection.py"]


def _password_options(name: str, app: str) -> list[str]:
    """Options that name a password and take a value; flags such as --password-stdin carry no secret."""
    parser = load_command_class(app, name).create_parser("manage.py", name)
    return [
        option for action in parser._actions for option in action.option_strings
        if "password" in option and action.nargs != 0
    ]


@pytest.mark.parametrize(("name", "app"), sorted(get_commands().items()))
def test_no_management_command_takes_a_password_on_the_command_line(name, app):
    # A value is only accepted when it is a path (*-file), never the secret itself.
    assert [o for o in _password_options(name, app) if not o.endswith("-file")] == []


# Which top-level packages each may import: the shared package is below the apps, and nothing run in production
# imports the development tools (the throwaway slapd of tests, benchmarks and `make run`).
ALLOWED_IMPORTS = {
    "mailadmin": {"mailadmin"},
    "domains": {"mailadmin", "domains"},
    "accounts": {"mailadmin", "accounts"},
    "aliases": {"mailadmin", "aliases"},
    "api": {"mailadmin", "api", "domains", "accounts", "aliases"},  # the console in another form: above the apps
    "selfservice": {"mailadmin", "selfservice"},
}
PROJECT_PACKAGES = {"mailadmin", "domains", "accounts", "aliases", "api", "selfservice", "devtools", "tests", "bench",
                    "scripts"}


def _imported_packages(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & PROJECT_PACKAGES


def test_packages_import_only_the_layers_below_them():
    offenders = []
    for path, tree in _trees():
        package = path.relative_to(ROOT).parts[0]
        if package in ALLOWED_IMPORTS:
            offenders += [f"{path.relative_to(ROOT)}: {p}" for p in _imported_packages(tree) - ALLOWED_IMPORTS[package]]
    assert offenders == []


def test_the_import_lint_sees_imports():
    assert _imported_packages(ast.parse("import devtools.slapd\nfrom domains.forms import X\nfrom . import y")) == {
        "devtools", "domains"}
