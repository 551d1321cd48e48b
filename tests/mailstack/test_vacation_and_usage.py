"""Vacation replies and mailbox usage with the real Dovecot: mailconfig's files installed in a private Dovecot with
its doveadm HTTP listener (DOVEADM_URL), mail delivered by `dovecot-lda -d`, replies caught by a `sendmail_path`
script; the console and self-service write the vacation script and read usage through the HTTP API."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from devtools.slapd import free_port
from mailadmin import dovecot
from mailadmin.vacation import SCRIPT_NAME
from tests.conftest import _client
from tests.selfservice.conftest import sign_in

from .conftest import modify
from .vacation_host import SUFFIX, VacationHost, running_vacation_host, use_vacation_host

vacation_host = pytest.fixture(scope="module")(running_vacation_host)


@pytest.fixture(autouse=True)
def doveadm_settings(vacation_host, slapd, settings, db) -> VacationHost:
    use_vacation_host(vacation_host, slapd, settings)
    return vacation_host


def _mail_user() -> Client:
    client = Client()
    assert sign_in(client).status_code == 302  # bob@example.test, with his mailbox password
    return client


def _vacation(**fields) -> dict:
    return {"enabled": "on", "subject": "Away", "message": "I am away until Monday.", "days": "7", **fields}


# --- Vacation -------------------------------------------------------------------------------------------------------


def test_mailconfig_writes_sieve_and_the_doveadm_listener(vacation_host):
    snippet = (vacation_host.conf.parent / "conf.d" / "99-mailadmin.conf").read_text()
    assert "mail_plugins = $mail_plugins sieve" in snippet and "sieve_before = ~/sieve/mailadmin-vacation.sieve" in snippet
    port = vacation_host.api_settings["DOVEADM_URL"].rsplit(":", 1)[1]
    assert f"port = {port}" in snippet and "address = 127.0.0.1" in snippet
    assert f"doveadm_api_key = <{vacation_host.conf.parent}/doveadm-api.key" in snippet
    assert (vacation_host.conf.parent / "doveadm-api.key").stat().st_mode & 0o077 == 0


def test_a_vacation_set_by_the_user_replies_once_per_sender_within_the_period(vacation_host):
    client = _mail_user()
    assert client.post("/me/vacation/", _vacation()).status_code == 302
    vacation_host.deliver("bob@example.test", "friend@far.test")
    replies = vacation_host.replies()
    assert len(replies) == 1
    reply = replies[0]
    assert "ARGS: -i -f <> -- friend@far.test" in reply and "Subject: Away" in reply
    assert "I am away until Monday." in reply and "Auto-Submitted: auto-replied" in reply
    vacation_host.deliver("bob@example.test", "friend@far.test")
    assert len(vacation_host.replies()) == 1  # the same sender, within 7 days: no second reply
    vacation_host.deliver("bob@example.test", "other@far.test")
    assert len(vacation_host.replies()) == 2


def test_hostile_text_stays_text_in_the_script(vacation_host):
    """Quotes, backslashes, braces and Sieve commands in the subject and message are sent as written, never run."""
    subject = 'Away "now" \\ } discard; {'
    message = 'Line one\n"quoted" \\ back\n}\nredirect "evil@far.test";\n# not a comment'
    client = _mail_user()
    assert client.post("/me/vacation/", _vacation(subject=subject, message=message)).status_code == 302
    vacation_host.deliver("bob@example.test", "friend@far.test")
    reply, = vacation_host.replies()
    assert f"Subject: {subject}" in reply and message in reply
    assert client.get("/me/").context["vacation_form"].initial["message"] == message


def test_no_reply_to_lists_or_automatic_mail(vacation_host):
    _mail_user().post("/me/vacation/", _vacation())
    vacation_host.deliver("bob@example.test", "list-bounces@far.test", headers="List-Id: <talk.far.test>\n")
    vacation_host.deliver("bob@example.test", "robot@far.test", headers="Auto-Submitted: auto-generated\n")
    vacation_host.deliver("bob@example.test", "bulk@far.test", headers="Precedence: bulk\n")
    assert vacation_host.replies() == []


def test_no_reply_after_vacation_is_off_and_the_users_own_rules_stay(vacation_host):
    """The user's own active script (managed outside mailadmin) is neither replaced nor removed."""
    own = 'require ["fileinto"];\nif header :contains "subject" "keep" { keep; }\n'
    dovecot.put_script("bob@example.test", "mine", own)
    vacation_host.dovecot.dovecot.doveadm("sieve", "activate", "-u", "bob@example.test", "mine")
    client = _mail_user()
    client.post("/me/vacation/", _vacation())
    assert client.post("/me/vacation/", {"subject": "Away", "message": "", "days": "7"}).status_code == 302
    vacation_host.deliver("bob@example.test", "friend@far.test")
    assert vacation_host.replies() == []
    assert dovecot.get_script("bob@example.test", SCRIPT_NAME) is None
    assert dovecot.get_script("bob@example.test", "mine") == own
    listed = vacation_host.dovecot.dovecot.doveadm("sieve", "list", "-u", "bob@example.test").stdout
    assert "mine ACTIVE" in listed


def test_no_reply_outside_its_dates(vacation_host):
    today = datetime.date.today()
    _mail_user().post("/me/vacation/", _vacation(first_day=str(today + datetime.timedelta(days=3)),
                                                 last_day=str(today + datetime.timedelta(days=10))))
    vacation_host.deliver("bob@example.test", "friend@far.test")
    assert vacation_host.replies() == []
    _mail_user().post("/me/vacation/", _vacation(first_day=str(today - datetime.timedelta(days=10)),
                                                 last_day=str(today - datetime.timedelta(days=1))))
    vacation_host.deliver("bob@example.test", "friend@far.test")
    assert vacation_host.replies() == []


def test_a_script_of_that_name_not_written_by_mailadmin_is_never_overwritten(vacation_host):
    dovecot.put_script("bob@example.test", SCRIPT_NAME, "keep;\n")
    response = _mail_user().post("/me/vacation/", _vacation())
    assert response.status_code == 422 and "which mailadmin did not write" in response.content.decode()
    assert dovecot.get_script("bob@example.test", SCRIPT_NAME) == "keep;\n"


def test_an_admin_sets_the_vacation_and_the_helpdesk_may_not(vacation_host, db):
    admin = _client(Client(), "dadmin", roles=[("domain_admin", "example.test")])
    assert admin.post("/accounts/carol@example.test/vacation/", _vacation(subject="Parental leave")).status_code == 302
    vacation_host.deliver("carol@example.test", "friend@far.test")
    assert "Subject: Parental leave" in vacation_host.replies()[0]
    helper = _client(Client(), "helper", roles=[("helpdesk", "")])
    assert helper.post("/accounts/carol@example.test/vacation/", {"subject": "x"}).status_code == 403
    page = admin.get("/accounts/carol@example.test/").content.decode()
    assert "Parental leave" in page  # the form shows what Dovecot holds


def test_a_stale_vacation_form_says_someone_else_changed_it(vacation_host):
    client = _mail_user()
    client.post("/me/vacation/", _vacation())
    version = client.get("/me/").context["vacation_form"].initial["version"]
    client.post("/me/vacation/", _vacation(subject="Changed meanwhile"))
    response = client.post("/me/vacation/", _vacation(subject="Mine", version=version))
    assert response.status_code == 422 and "Someone else changed" in response.content.decode()
    assert "Changed meanwhile" in dovecot.get_script("bob@example.test", SCRIPT_NAME)


# --- Usage -------------------------------------------------------------------------------------------------------------


def _dovecot_usage(host: VacationHost, address: str) -> int:
    """Storage used in kB, as the doveadm command line reports it (not through the HTTP API)."""
    result = host.dovecot.dovecot.doveadm("-f", "flow", "quota", "get", "-u", address)
    row = next(line for line in result.stdout.splitlines() if "Type=STORAGE" in line)
    return int(dict(part.split("=", 1) for part in row.split(" ") if "=" in part)["Value"])


def test_pages_and_quotareport_show_the_usage_dovecot_reports(vacation_host, slapd, db):
    modify(slapd, f"uid=carol,ou=Users,{SUFFIX}", "replace: mailuserquota\nmailuserquota: 20")
    for _ in range(3):
        vacation_host.deliver("carol@example.test", "friend@far.test", size=6000)
    vacation_host.deliver("alice@example.test", "friend@far.test")
    used = _dovecot_usage(vacation_host, "carol@example.test")
    assert used >= 18
    admin = _client(Client(), "root", superuser=True)
    page = admin.get("/accounts/carol@example.test/").content.decode()
    assert f"{used}K of 20K" in page and "nearly-full" in page
    domain = admin.get("/domains/example.test/").content.decode()
    assert f"{used}K of 20K" in domain
    full = admin.get("/domains/example.test/", {"usage": "nearly-full"}).content.decode()
    assert "carol@example.test" in full and "alice@example.test" not in full
    out = StringIO()
    call_command("quotareport", "--domain", "example.test", "--over", "90", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert [(r["address"], r["used_kb"], r["limit_kb"]) for r in report] == [("carol@example.test", used, 20)]
    out = StringIO()
    call_command("quotareport", stdout=out)
    assert out.getvalue().splitlines()[1].startswith("carol@example.test")  # the fullest first


def test_my_account_shows_my_usage(vacation_host):
    vacation_host.deliver("bob@example.test", "friend@far.test", size=3000)
    used = _dovecot_usage(vacation_host, "bob@example.test")
    assert f"{used}K of 200M" in _mail_user().get("/me/").content.decode()


def test_pages_say_usage_unknown_when_dovecot_is_down(vacation_host, settings, db):
    settings.DOVEADM_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    admin = _client(Client(), "root", superuser=True)
    assert "usage unknown" in admin.get("/accounts/carol@example.test/").content.decode()
    assert "usage unknown" in admin.get("/domains/example.test/").content.decode()
    page = _mail_user().get("/me/").content.decode()
    assert "usage unknown" in page and "Dovecot is not reachable" in page
