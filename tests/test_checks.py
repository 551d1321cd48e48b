"""One test per system check id: bad configuration fails at start-up with a message that names the variable."""

import pytest

from devtools.slapd import free_port
from mailadmin.checks import configuration, mail_schema
from tests.conftest import start_instance, use_instance


def _ids(errors) -> set[str]:
    return {e.id for e in errors}


def test_the_test_configuration_passes(settings):
    assert configuration(None) == []
    assert mail_schema(None) == []


def test_e001_no_ldap_url(settings):
    settings.LDAP_URL = []
    errors = [e for e in configuration(None) if e.id == "mailadmin.E001"]
    assert len(errors) == 1 and "LDAP_URL" in errors[0].msg


DN_SETTINGS = ["LDAP_BASE_DN", "LDAP_USERS_DN", "LDAP_DOMAINS_DN", "LDAP_ALIASES_DN", "LDAP_BIND_DN"]


@pytest.mark.parametrize("name", DN_SETTINGS)
@pytest.mark.parametrize("value", ["not a dn", "dc=example,", "=x"])
def test_e002_a_dn_that_does_not_parse(settings, name, value):
    setattr(settings, name, value)
    errors = [e for e in configuration(None) if e.id == "mailadmin.E002"]
    assert len(errors) == 1 and name in errors[0].msg


def test_e003_an_unreadable_ca_file(settings, tmp_path):
    settings.LDAP_CA_FILE = str(tmp_path / "missing.pem")
    errors = [e for e in configuration(None) if e.id == "mailadmin.E003"]
    assert len(errors) == 1 and "LDAP_CA_FILE" in errors[0].msg


@pytest.mark.parametrize("key", ["short", "django-insecure-" + "x" * 40, "change-me-to-a-long-random-string-please-x"])
def test_e004_a_published_or_short_secret_key_without_debug(settings, key):
    settings.DEBUG, settings.SECRET_KEY = False, key
    errors = [e for e in configuration(None) if e.id == "mailadmin.E004"]
    assert len(errors) == 1 and "SECRET_KEY" in errors[0].msg


def test_e004_is_not_raised_in_debug_or_for_a_long_random_key(settings):
    settings.DEBUG, settings.SECRET_KEY = True, "short"
    assert "mailadmin.E004" not in _ids(configuration(None))
    settings.DEBUG, settings.SECRET_KEY = False, "q" * 50
    assert "mailadmin.E004" not in _ids(configuration(None))


@pytest.mark.parametrize("template", ["home/vmail/%uid%/", "/home/vmail/%uid%/../../etc/"])
def test_e005_a_mailbox_template_that_leaves_its_base(settings, template):
    settings.MAIL_MAILBOX_TEMPLATE = template
    errors = [e for e in configuration(None) if e.id == "mailadmin.E005"]
    assert len(errors) == 1 and "MAIL_MAILBOX_TEMPLATE" in errors[0].msg


def test_e006_a_mailbox_template_without_placeholder(settings):
    settings.MAIL_MAILBOX_TEMPLATE = "/home/vmail/shared/"
    errors = [e for e in configuration(None) if e.id == "mailadmin.E006"]
    assert len(errors) == 1 and "MAIL_MAILBOX_TEMPLATE" in errors[0].msg


def test_e007_a_negative_default_quota(settings):
    settings.MAIL_DEFAULT_QUOTA = -1
    errors = [e for e in configuration(None) if e.id == "mailadmin.E007"]
    assert len(errors) == 1 and "MAIL_DEFAULT_QUOTA" in errors[0].msg


def test_e008_a_url_that_is_not_ldap(settings):
    settings.LDAP_URL = ["ldap://ok.example", "http://x.example"]
    errors = [e for e in configuration(None) if e.id == "mailadmin.E008"]
    assert len(errors) == 1 and "http://x.example" in errors[0].msg and "LDAP_URL" in errors[0].msg


def test_e009_no_bind_dn(settings):
    settings.LDAP_BIND_DN = ""
    errors = [e for e in configuration(None) if e.id == "mailadmin.E009"]
    assert len(errors) == 1 and "LDAP_BIND_DN" in errors[0].msg


@pytest.mark.parametrize("timeout", [0, -5])
def test_e010_a_timeout_that_is_not_positive(settings, timeout):
    settings.LDAP_TIMEOUT = timeout
    errors = [e for e in configuration(None) if e.id == "mailadmin.E010"]
    assert len(errors) == 1 and "LDAP_TIMEOUT" in errors[0].msg


@pytest.mark.parametrize(("values", "named"), [
    ({"DOVEADM_URL": "ftp://127.0.0.1:8080", "DOVEADM_API_KEY_FILE": "/k"}, "http://"),
    ({"DOVEADM_URL": "http://127.0.0.1:8080", "DOVEADM_API_KEY_FILE": ""}, "go together"),
    ({"DOVEADM_URL": "", "DOVEADM_API_KEY_FILE": "/k"}, "go together"),
    ({"DOVEADM_TIMEOUT": 0}, "DOVEADM_TIMEOUT"),
])
def test_e012_a_wrong_or_half_doveadm_setting(settings, values, named):
    for name, value in values.items():
        setattr(settings, name, value)
    errors = [e for e in configuration(None) if e.id == "mailadmin.E012"]
    assert len(errors) == 1 and named in errors[0].msg


def test_e012_is_quiet_without_doveadm_or_with_both_settings(settings):
    assert not [e for e in configuration(None) if e.id == "mailadmin.E012"]
    settings.DOVEADM_URL, settings.DOVEADM_API_KEY_FILE = "http://127.0.0.1:8080", "/etc/mailadmin/doveadm-api.key"
    assert not [e for e in configuration(None) if e.id == "mailadmin.E012"]


@pytest.mark.parametrize("name", ["SESSION_COOKIE_AGE", "SESSION_IDLE_TIMEOUT", "SESSION_RECHECK_INTERVAL",
                                  "AXES_FAILURE_LIMIT"])
def test_e011_a_session_or_throttling_setting_that_is_not_positive(settings, name):
    setattr(settings, name, 0)
    errors = [e for e in configuration(None) if e.id == "mailadmin.E011"]
    assert len(errors) == 1 and name in errors[0].msg


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    instance = start_instance(tmp_path_factory.mktemp("bare-checks"), mail_schema=False)
    yield instance
    instance.destroy()


def test_w001_mail_schema_names_missing_on_the_server(bare):
    use_instance(bare)
    [warning] = mail_schema(None)
    assert warning.id == "mailadmin.W001"
    assert "mailAccount" in warning.msg and "mailaliasmember" in warning.msg


def test_w002_the_schema_cannot_be_read(settings):
    settings.LDAP_URL = [f"ldap://127.0.0.1:{free_port()}"]
    [warning] = mail_schema(None)
    assert warning.id == "mailadmin.W002"


@pytest.mark.parametrize(("urls", "start_tls"), [(["ldaps://ldap.example"], False), (["ldap://ldap.example"], True)])
def test_w003_tls_without_a_ca_file(settings, urls, start_tls):
    settings.LDAP_URL, settings.LDAP_START_TLS, settings.LDAP_CA_FILE = urls, start_tls, ""
    errors = [e for e in configuration(None) if e.id == "mailadmin.W003"]
    assert len(errors) == 1 and "LDAP_CA_FILE" in errors[0].msg


def test_w003_is_quiet_with_a_readable_ca_file(settings, tmp_path):
    (tmp_path / "ca.pem").write_text("x")
    settings.LDAP_URL, settings.LDAP_CA_FILE = ["ldaps://ldap.example"], str(tmp_path / "ca.pem")
    assert _ids(configuration(None)) & {"mailadmin.W003", "mailadmin.E003"} == set()
