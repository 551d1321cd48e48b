"""The suite runs against a real slapd started here from the project's own config and schema files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches

from mailadmin.directory import Directory, connect
from mailadmin.directory.slapd.instance import SLAPD, Instance, free_port

ROOT = Path(__file__).resolve().parent.parent
BASE_LDIF = (Path(__file__).parent / "base.ldif").read_text()
SUFFIX = "dc=example,dc=org"
OUS = [f"ou={ou},{SUFFIX}" for ou in ("Users", "mailDomains", "mailAliases")]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server and Playwright share the test thread


def start_instance(root: Path, **kwargs) -> Instance:
    if not os.access(SLAPD, os.X_OK):
        pytest.fail("slapd is not installed: run `make test`, which installs it")
    instance = Instance(root, free_port(), **kwargs)
    instance.create()
    return instance


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory):
    """Static files come from the finders (no collectstatic manifest needed), and the personas' Django passwords use
    a fast hasher: PBKDF2 would cost half a second per test for no benefit here. Resting servers are remembered in
    the session's own directory, not in the checkout's var/."""
    directory_cache = {**settings.CACHES["directory"], "LOCATION": str(tmp_path_factory.mktemp("cache"))}
    settings.CACHES = {**settings.CACHES, "directory": directory_cache}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def directory_down(settings):
    """Nothing listens on port 1: every connection is refused at once."""
    settings.LDAP_URL = ["ldap://127.0.0.1:1"]


@pytest.fixture(scope="session")
def slapd(tmp_path_factory) -> Instance:
    instance = start_instance(tmp_path_factory.mktemp("slapd"))
    yield instance
    instance.destroy()


def use_instance(instance: Instance) -> None:
    """Point the app's LDAP_ settings at `instance`, bound as its service account (never the rootdn)."""
    settings.LDAP_URL = [instance.uri]
    settings.LDAP_BIND_DN = instance.service_dn
    settings.LDAP_BIND_PASSWORD = instance.service_password_file.read_text().strip()
    settings.LDAP_BASE_DN = SUFFIX
    settings.LDAP_USERS_DN = OUS[0]
    settings.LDAP_DOMAINS_DN = OUS[1]
    settings.LDAP_ALIASES_DN = OUS[2]
    settings.LDAP_TIMEOUT = 2
    settings.LDAP_START_TLS = False
    settings.LDAP_CA_FILE = ""


@pytest.fixture(autouse=True)
def test_directory(slapd: Instance) -> Instance:
    """Every test starts from tests/base.ldif: the three OUs are wiped and re-added (milliseconds with dbnosync)."""
    if not slapd.running():
        slapd.start()
    caches["directory"].clear()  # no server rests because an earlier test stopped or hung one
    use_instance(slapd)
    for ou in OUS:
        slapd.delete_tree(ou)
    slapd.add_ldif(BASE_LDIF)
    return slapd


@pytest.fixture
def directory(db):
    """A Directory bound as the service account, like a web request gets."""
    with connect() as conn:
        yield conn


@pytest.fixture
def operations(monkeypatch) -> list[int]:
    """The number of directory operations of each connection a view opens, recorded when it closes."""
    counts: list[int] = []
    close = Directory.close

    def counting_close(self: Directory) -> None:
        counts.append(self.operations)
        close(self)

    monkeypatch.setattr(Directory, "close", counting_close)
    return counts


# --- Personas ----------------------------------------------------------------------------------------------------


def _client(client, username: str, *, superuser: bool = False, roles=()):
    from django.contrib.auth import get_user_model

    from mailadmin.models import Role

    user = get_user_model().objects.create_user(username=username, password="persona-password-1",
                                                is_superuser=superuser, is_staff=superuser)
    for kind, domain in roles:
        Role.objects.create(user=user, kind=kind, domain=domain)
    client.force_login(user)
    return client


@pytest.fixture
def superadmin(client, db):
    return _client(client, "root", superuser=True)


@pytest.fixture
def domain_admin(client, db):
    return _client(client, "dadmin", roles=[("domain_admin", "example.test")])


@pytest.fixture
def helpdesk(client, db):
    return _client(client, "helper", roles=[("helpdesk", "")])


@pytest.fixture
def outsider(client, db):
    return _client(client, "outsider", roles=[("domain_admin", "other.test")])


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium"}
