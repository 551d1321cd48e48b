"""The deploy check's directory requirements (mailadmin.W011-W013), on the project's directory and a stock one."""

from __future__ import annotations

import pytest
from django.conf import settings

from mailadmin.checks import directory_requirements
from tests.directory.test_refusals import config, restart

pytestmark = pytest.mark.both_profiles


def _warnings(check_id: str) -> list:
    return [w for w in directory_requirements(None) if w.id == check_id]


@pytest.fixture
def config_readable(slapd):
    """The bind account may read cn=config, as an operator may allow so the deploy check can see the indexes."""
    access = f'olcAccess: {{0}}to * by dn.exact="{settings.LDAP_BIND_DN}" read by * break\n'
    config(slapd, f"dn: olcDatabase={{0}}config,cn=config\nchangetype: modify\nadd: olcAccess\n{access}")
    yield
    config(slapd, "dn: olcDatabase={0}config,cn=config\nchangetype: modify\ndelete: olcAccess\nolcAccess: {0}\n")
    restart(slapd)


def test_w011_binding_as_the_rootdn(profile):
    warnings = _warnings("mailadmin.W011")
    if profile == "project":  # the service account
        assert warnings == []
    else:
        [warning] = warnings
        assert settings.LDAP_BIND_DN in warning.msg and "service account" in warning.hint


def test_w011_reads_the_rootdn_from_cn_config_where_it_may(profile, config_readable):
    assert len(_warnings("mailadmin.W011")) == (profile == "stock")


def test_w012_no_sssvlv_names_the_lines_to_add_it(profile):
    warnings = _warnings("mailadmin.W012")
    if profile == "project":
        assert warnings == []
    else:
        [warning] = warnings
        for line in ("moduleload sssvlv", "overlay sssvlv", "olcModuleLoad: sssvlv", "objectClass: olcSssVlvConfig",
                     "olcSssVlvMax: 64"):
            assert line in warning.hint, line


def test_w013_indexes_that_cannot_be_read_on_a_stock_directory(profile):
    warnings = _warnings("mailadmin.W013")
    if profile == "project":  # sssvlv says the directory was set up for mailadmin: its indexes are not guessed
        assert warnings == []
    else:
        [warning] = warnings
        assert "could not be read" in warning.msg
        assert "index mail eq,sub" in warning.hint and "olcDbIndex: mailalias eq,sub" in warning.hint


def test_w013_names_exactly_the_missing_indexes_where_cn_config_can_be_read(profile, config_readable):
    warnings = _warnings("mailadmin.W013")
    if profile == "project":
        assert warnings == []
    else:
        [warning] = warnings
        assert "lacks indexes" in warning.msg
        assert "index uid eq,sub" in warning.hint and "olcDbIndex: virtualdomain eq" in warning.hint
        assert "objectClass" not in warning.hint  # Debian indexes it already
