"""The suite runs against a real slapd started here from the project's own config and schema files.

Two directory profiles, each a real slapd started once per session (the stock one only when a test asks for it):

- "project": the project's own config (mailadmin/directory/slapd/make-config.sh): every overlay (unique, accesslog,
  sssvlv, ppolicy), indexes for what the app searches, the app bound as its service account.
- "stock": a directory as MDS's how-to and Debian's slapd leave it: MMC's mmc.schema (tests/stock/mmc.schema) and the
  mail schema, Debian's default indexes, no overlays, the default size limit of 500, the app bound as the rootdn.

A module opts in to running each of its tests on both with one line, `pytestmark = pytest.mark.both_profiles` (or the
mark on one test): the tests then run twice, with ids ending in [project] and [stock]. `stock_profile` runs a test on
stock only, `project_profile` on the project's only (e.g. what needs ppolicy, in a both_profiles module); unmarked
tests run on the project's profile. In every test, `slapd` is the instance of the profile under
test and `profile` its name. Every test starts from tests/base.ldif on either profile;
`mds_people` adds tests/mds_people.ldif (POSIX people with and without mail, MMC mail groups) and `big_domain` a
domain larger than the default size limit, on either profile.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import pytest_django.plugin as django_plugin
from django.conf import settings
from django.core.cache import cache, caches

from devtools.slapd import SLAPD, Instance, free_port
from mailadmin.directory import Directory, connect, features, refresh

ROOT = Path(__file__).resolve().parent.parent
BASE_LDIF = (Path(__file__).parent / "base.ldif").read_text()
MDS_LDIF = (Path(__file__).parent / "mds_people.ldif").read_text()
SUFFIX = "dc=example,dc=org"
OUS = [f"ou={ou},{SUFFIX}" for ou in ("Users", "mailDomains", "mailAliases")]
GROUPS_OU = f"ou=Groups,{SUFFIX}"
STOCK = Path(__file__).parent / "stock"
PROFILES = ("project", "stock")
BIG_DOMAIN_SIZE = 520  # more than slapd's default size limit of 500

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


def pytest_configure(config):
    config.addinivalue_line("markers", "both_profiles: run on the stock directory profile too (see tests/conftest.py)")
    config.addinivalue_line("markers", "stock_profile: run on the stock directory profile only")
    config.addinivalue_line("markers", "project_profile: run on the project's profile only, in a both_profiles module")


def pytest_generate_tests(metafunc):
    """Every test gets the `slapd` of its profiles; session scope, so pytest runs each profile's tests together."""
    if "slapd" in metafunc.fixturenames:
        marked = metafunc.definition.get_closest_marker
        if marked("stock_profile") or marked("project_profile"):
            profiles = PROFILES[1:] if marked("stock_profile") else PROFILES[:1]
        else:
            profiles = PROFILES if marked("both_profiles") else PROFILES[:1]
        metafunc.parametrize("slapd", profiles, indirect=True, scope="session")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """pytest groups each profile's tests (a session-scoped parameter) after pytest-django has moved the tests that
    flush the database to the end; move them there again (a stable sort: each part keeps its grouping)."""
    django_plugin.pytest_collection_modifyitems(items)


@pytest.fixture(scope="session")
def project_slapd(tmp_path_factory) -> Instance:
    instance = start_instance(tmp_path_factory.mktemp("slapd"))
    yield instance
    instance.destroy()


@pytest.fixture(scope="session")
def stock_slapd(tmp_path_factory) -> Instance:
    instance = start_instance(tmp_path_factory.mktemp("stock"), profile="stock", extra_schema=STOCK / "mmc.schema")
    yield instance
    instance.destroy()


@pytest.fixture(scope="session")
def slapd(request) -> Instance:
    """The instance of the profile under test (parametrised by pytest_generate_tests)."""
    return request.getfixturevalue(f"{request.param}_slapd")


@pytest.fixture
def profile(slapd: Instance) -> str:
    return slapd.profile


def use_instance(instance: Instance) -> None:
    """Point the app's LDAP_ settings at `instance`, bound as its bind account: the service account (never the
    rootdn) on the project's profile, the rootdn on a stock one, as MMC did."""
    features.forget()  # another instance may listen on a port a finished one used
    settings.LDAP_URL = [instance.uri]
    settings.LDAP_BIND_DN = instance.bind_dn
    settings.LDAP_BIND_PASSWORD = instance.bind_password_file.read_text().strip()
    settings.LDAP_BASE_DN = SUFFIX
    settings.LDAP_USERS_DN = OUS[0]
    settings.LDAP_DOMAINS_DN = OUS[1]
    settings.LDAP_ALIASES_DN = OUS[2]
    settings.LDAP_GROUPS_DN = f"ou=Groups,{SUFFIX}"
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
    refresh.join()  # an earlier test's background refresh would keep what it computed after the clearing below
    cache.clear()  # counts and orders remembered by an earlier test's pages (mailadmin/directory/remembered.py)
    for ou in [*OUS, GROUPS_OU]:
        slapd.delete_tree(ou)
    slapd.add_ldif(BASE_LDIF + f"\ndn: {GROUPS_OU}\nobjectClass: organizationalUnit\nou: Groups\n")
    return slapd


@pytest.fixture
def mds_people(test_directory: Instance) -> Instance:
    """tests/mds_people.ldif on top of base.ldif: POSIX people with mail, a person without, and MDS mail groups
    whose address is copied into the members' mailalias (added with the Relax control, which lets the rootdn past
    the unique overlay as an old directory's data got there; the stock profile has no such overlay). Works on either
    profile: every test starts with an empty ou=Groups."""
    test_directory.ldap_tool("ldapadd", "-e", "relax", input_text=MDS_LDIF)
    return test_directory


def _unique_alias_uris(instance: Instance) -> list[tuple[str, str]]:
    """(config DN, URI) of every unique-overlay rule on mailalias, read from cn=config as the local root."""
    out = subprocess.run(["ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-Q", "-Y", "EXTERNAL", "-H", instance.ldapi,
                          "-b", "cn=config", "(olcUniqueURI=*)", "olcUniqueURI"],
                         capture_output=True, text=True, check=True).stdout
    found, dn = [], ""
    for line in out.splitlines():
        if line.startswith("dn: "):
            dn = line[4:]
        elif line.startswith("olcUniqueURI: ") and "?mailalias?" in line.lower():
            found.append((dn, line.split(": ", 1)[1]))
    return found


def _change_config(instance: Instance, op: str, rules: list[tuple[str, str]]) -> None:
    for dn, uri in rules:
        subprocess.run(["ldapmodify", "-Q", "-Y", "EXTERNAL", "-H", instance.ldapi], check=True, capture_output=True,
                       text=True, input=f"dn: {dn}\nchangetype: modify\n{op}: olcUniqueURI\nolcUniqueURI: {uri}\n")


@pytest.fixture
def without_alias_uniqueness(mds_people: Instance) -> Instance:
    """A directory as MDS left it with mail groups: the unique overlay cannot check mailalias while group addresses
    are copied to several members (directory-model.md §6.5), so its mailalias rule is off until the test ends."""
    rules = _unique_alias_uris(mds_people)
    _change_config(mds_people, "delete", rules)
    yield mds_people
    _change_config(mds_people, "add", rules)


# Pierre, a person without mail account, gets a `mail` in example.test: that ties him to the domain, whose admins may
# then give him a mail account (they may not give one to a person of no domain of theirs).
PIERRE_OF_EXAMPLE = """\
dn: uid=pierre,ou=Users,dc=example,dc=org
changetype: modify
add: mail
mail: pierre@example.test
"""


@pytest.fixture
def pierre_of_example(test_directory: Instance) -> None:
    test_directory.ldap_tool("ldapmodify", input_text=PIERRE_OF_EXAMPLE)



def big_domain_ldif(count: int, domain: str = "big.test") -> str:
    """`domain` with `count` accounts u0000@domain…, for one ldapadd."""
    entries = [f"dn: virtualdomain={domain},ou=mailDomains,{SUFFIX}\nobjectClass: mailDomain\nvirtualdomain: {domain}\n"]
    entries += [
        f"dn: uid=u{n:04d},ou=Users,{SUFFIX}\nobjectClass: inetOrgPerson\nobjectClass: mailAccount\n"
        f"uid: u{n:04d}\ncn: User {n}\nsn: {n}\nmail: u{n:04d}@{domain}\nmailenable: OK\n"
        f"mailbox: /home/vmail/u{n:04d}/\nmailuserquota: 204800\n"
        for n in range(count)
    ]
    return "\n".join(entries)


@pytest.fixture
def big_domain(slapd: Instance) -> str:
    """big.test with BIG_DOMAIN_SIZE accounts, more than slapd's default size limit; returns its name."""
    slapd.add_ldif(big_domain_ldif(BIG_DOMAIN_SIZE))
    return "big.test"


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
