"""Threats 8, 9 and 10: directory values, query parameters and audit rows are escaped on every page, and no code
marks data safe or renders admin-supplied text as a template."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mailadmin import audit

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
RAW = (SCRIPT, "<img src=x onerror=alert(1)>")
ESCAPED = ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;")

# Stored as the rootdn, as another tool (or an attacker with write access to the directory) could.
MARKUP_LDIF = f"""\
dn: uid=alice,ou=Users,dc=example,dc=org
changetype: modify
replace: cn
cn: {SCRIPT}
-
replace: givenName
givenName: {IMG}
-
add: mailalias
mailalias: {SCRIPT}@example.test
-
add: maildrop
maildrop: {IMG}@external.test
-
replace: mailhost
mailhost: {IMG}
-
replace: mailbox
mailbox: /home/vmail/{SCRIPT}/

dn: virtualdomain=example.test,ou=mailDomains,dc=example,dc=org
changetype: modify
replace: virtualdomaindescription
virtualdomaindescription: {SCRIPT}

dn: mailalias=team@example.test,ou=mailAliases,dc=example,dc=org
changetype: modify
add: mail
mail: {IMG}@external.test

dn: uid=pierre,ou=Users,dc=example,dc=org
changetype: modify
replace: cn
cn: {IMG}

dn: mailalias=\\3Cscript\\3Ealert(1)\\3C/script\\3Elist@example.test,ou=mailAliases,dc=example,dc=org
changetype: add
objectClass: mailAlias
mailalias: {SCRIPT}list@example.test
mail: {IMG}@external.test
mailenable: OK
"""


def assert_escaped(html: str, where: str, *, shown: bool = True) -> None:
    """No payload raw and, when `shown`, at least one shown escaped (so the page did render the value)."""
    for raw in RAW:
        assert raw not in html, f"{where} shows {raw} unescaped"
    if shown:
        assert any(escaped in html for escaped in ESCAPED), f"{where} does not show the stored value at all"


@pytest.fixture
def markup(test_directory):
    test_directory.ldap_tool("ldapmodify", input_text=MARKUP_LDIF)
    return test_directory


PAGES = [
    "/domains/", "/domains/example.test/", "/domains/example.test/edit/",
    "/accounts/alice@example.test/", "/accounts/alice@example.test/remove/",
    "/aliases/", "/aliases/team@example.test/",
    "/people/", "/people/pierre/enable/",
    "/search/?q=example.test", "/route/?address=alice@example.test",
    "/route/?address=team@example.test",
]
QUIET_PAGES = ["/domains/example.test/delete/", "/aliases/team@example.test/remove/"]  # they show no stored text


@pytest.mark.parametrize("path", PAGES + QUIET_PAGES)
def test_directory_values_are_escaped_on_every_page(path, markup, login_as):
    response = login_as("superadmin").get(path)
    assert response.status_code == 200
    assert_escaped(response.content.decode(), path, shown=path not in QUIET_PAGES)


@pytest.mark.parametrize("persona", ["domain_admin", "helpdesk"])
def test_the_account_page_is_escaped_for_every_role(persona, markup, login_as):
    assert_escaped(login_as(persona).get("/accounts/alice@example.test/").content.decode(), persona)


def test_the_refused_domain_removal_lists_its_users_escaped(markup, login_as):
    response = login_as("superadmin").post("/domains/example.test/delete/")
    assert response.status_code == 200 and "still used" in response.content.decode()
    assert_escaped(response.content.decode(), "the refusal")


def test_a_stale_domain_form_shows_typed_and_current_values_escaped(markup, login_as):
    response = login_as("superadmin").post("/domains/example.test/edit/", {
        "description": IMG, "default_quota": "1G", "version": "20000101000000.000000Z#000000#000#000000"})
    html = response.content.decode()
    assert "Someone else changed" in html
    assert_escaped(html, "the conflict page")
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html  # what was typed


@pytest.mark.parametrize("url,field", [
    ("/accounts/alice@example.test/aliases/add/", "address"),
    ("/accounts/alice@example.test/forwards/add/", "address"),
    ("/aliases/add/", "address"),
    ("/route/", "address"),
])
def test_form_errors_echo_the_typed_value_escaped(url, field, login_as):
    client = login_as("superadmin")
    response = client.get(url, {field: SCRIPT}) if url == "/route/" else client.post(url, {field: SCRIPT})
    assert response.status_code in (200, 422)
    assert_escaped(response.content.decode(), url)


def test_a_flash_message_with_a_directory_value_is_escaped(markup, login_as):
    """Enabling mail names the person by its cn in the message shown on the next page."""
    response = login_as("superadmin").post("/people/pierre/enable/", {"address": "pierre@example.test"}, follow=True)
    assert response.status_code == 200 and response.redirect_chain
    assert_escaped(response.content.decode(), "the message")


@pytest.mark.parametrize("url,param", [
    ("/domains/", "q"), ("/domains/example.test/", "q"), ("/search/", "q"), ("/people/", "q"), ("/route/", "address"),
])
@pytest.mark.parametrize("payload", [SCRIPT, IMG])
def test_query_parameters_are_echoed_escaped(url, param, payload, login_as):
    response = login_as("superadmin").get(url, {param: payload})
    assert response.status_code == 200
    assert_escaped(response.content.decode(), f"{url}?{param}=")


@pytest.mark.parametrize("payload", [SCRIPT, IMG, f"/{IMG}"])
def test_next_is_echoed_escaped_on_the_login_page(payload, login_as):
    response = login_as("anonymous").get("/login/", {"next": payload})
    assert response.status_code == 200
    assert_escaped(response.content.decode(), "the login page")


def test_a_signed_in_user_is_not_sent_elsewhere_by_next(login_as):
    response = login_as("superadmin").get("/login/", {"next": "https://evil.test/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_page_number_is_not_echoed(login_as):
    response = login_as("superadmin").get("/domains/example.test/", {"page": SCRIPT})
    assert not any(raw in response.content.decode() for raw in RAW)


def test_audit_rows_are_escaped_on_the_dashboard(login_as):
    audit.record(SCRIPT, "account.update", f"{IMG}@example.test", old={"name": SCRIPT}, new={"name": IMG},
                 ok=False, detail=SCRIPT)
    html = login_as("superadmin").get("/").content.decode()
    assert_escaped(html, "the dashboard")
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2  # actor and detail
    assert "&lt;img src=x onerror=alert(1)&gt;@example.test" in html  # target


def test_an_audit_row_is_not_rendered_as_a_template(login_as):
    audit.record("{{ 7|add:'7' }}{% now 'Y' %}", "x", "{% debug %}@example.test", ok=False, detail="{{ request }}")
    html = login_as("superadmin").get("/").content.decode()
    assert "{{ 7|add:&#x27;7&#x27; }}{% now &#x27;Y&#x27; %}" in html and "{% debug %}@example.test" in html
    assert "{{ request }}" in html


# --- Lint: nothing marks data safe, nothing renders data as a template ---------------------------------------------

CODE = [p for d in ("mailadmin", "domains", "accounts") for p in (ROOT / d).rglob("*.py") if "migrations" not in p.parts]
TEMPLATES = list((ROOT / "templates").rglob("*.html")) + [p for d in ("mailadmin", "domains", "accounts")
                                                          for p in (ROOT / d).rglob("templates/**/*.html")]
UNSAFE_TEMPLATE = re.compile(r"\|\s*safe\b|\|\s*safeseq\b|\{%\s*autoescape\s+off")
UNSAFE_CODE = re.compile(r"\bmark_safe\b|\bSafeString\b|\bformat_html\b|\bTemplate\(|\bfrom_string\b|\.render_string\b"
                         r"|\bSafeData\b|autoescape\s*=\s*False")


def test_no_template_turns_escaping_off():
    assert TEMPLATES
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in TEMPLATES
                 for n, line in enumerate(p.read_text().splitlines(), 1) if UNSAFE_TEMPLATE.search(line)]
    assert not offenders, offenders


def test_no_code_marks_text_safe_or_compiles_a_template():
    assert CODE
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in CODE
                 for n, line in enumerate(p.read_text().splitlines(), 1) if UNSAFE_CODE.search(line)]
    assert not offenders, offenders


SLASHED_LDIF = """\
dn: uid=a/b,ou=Users,dc=example,dc=org
changetype: add
objectClass: inetOrgPerson
objectClass: mailAccount
uid: a/b
cn: Slashed
sn: Slashed
mail: a/b@example.test
mailenable: OK

dn: uid=p/q,ou=Users,dc=example,dc=org
changetype: add
objectClass: inetOrgPerson
uid: p/q
cn: Slashed person
sn: Slashed

dn: mailalias=x/y@example.test,ou=mailAliases,dc=example,dc=org
changetype: add
objectClass: mailAlias
mailalias: x/y@example.test
mail: partner@external.test
mailenable: OK
"""


def test_a_stored_value_holding_a_slash_does_not_break_the_pages_listing_it(test_directory, login_as):
    """Written by another tool: the pages list it (linked, the link answers 404) instead of failing with a 500."""
    test_directory.ldap_tool("ldapmodify", input_text=SLASHED_LDIF)
    client = login_as("superadmin")
    for path in ("/domains/example.test/", "/aliases/", "/people/", "/search/?q=example.test", "/route/?address=x@example.test"):
        assert client.get(path).status_code == 200, path
    html = client.get("/domains/example.test/").content.decode()
    link = re.search(r'href="(/accounts/a[^"]*b@example.test/)"', html).group(1)
    assert client.get(link).status_code == 404
