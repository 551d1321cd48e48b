"""manage.py selfservice on|off|show [--domain D]: the superadmin's switch, everywhere or per domain."""

from io import StringIO

from django.core.management import call_command
from django.test import Client

from mailadmin.models import AuditEntry
from mailadmin.self_service import self_service_allowed

from .conftest import sign_in


def _run(*args) -> str:
    out = StringIO()
    call_command("selfservice", *args, stdout=out)
    return out.getvalue()


def test_off_everywhere_then_on_again(db):
    assert "on everywhere" in _run("show")
    _run("off")
    assert sign_in(Client()).status_code == 200  # refused: the sign-in page again
    assert "off: every domain" in _run("show")
    _run("on")
    assert sign_in(Client()).status_code == 302
    assert AuditEntry.objects.filter(action="domain.self_service", target="*").count() == 2


def test_off_for_one_domain_leaves_the_others(db):
    _run("off", "--domain", "Example.TEST")
    assert sign_in(Client()).status_code == 200
    assert self_service_allowed("other.test") and not self_service_allowed("example.test")
    assert "off: example.test" in _run("show")
