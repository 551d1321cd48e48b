"""The French translation: complete, in step with the code and its compiled .mo, and chosen by the browser's language."""

from __future__ import annotations

import ast
import gettext
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# The documented command (docs/i18n.md), so the test checks what the lead runs.
MAKEMESSAGES = ["makemessages", "-l", "fr", "--no-location", "--no-obsolete", "-i", "tests", "-i", "var", "-i", "scripts"]
FR = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9,en;q=0.5"}


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A French request leaves French active in this thread; later tests expect the default language."""
    yield
    translation.activate("en")


def _msgfmt() -> str:
    path = shutil.which("msgfmt")
    if path is None:
        pytest.fail("msgfmt is not installed: run `make test`, which installs gettext")
    return path


def _entries(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (a list) and flags; the header is left out."""
    entries: list[dict] = []
    entry: dict | None = None
    key = ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry and entry.get("msgid"):
                entries.append(entry)
            entry = None
            continue
        entry = entry or {"flags": set(), "msgctxt": None, "msgid_plural": None, "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
        if match:
            key, text = match.group(1), match.group(2)
        else:
            text = line.strip()
        value = ast.literal_eval(text)
        if key.startswith("msgstr"):
            index = int(key[7:-1]) if "[" in key else 0
            entry["msgstr"][index] = entry["msgstr"].get(index, "") + value
        else:
            entry[key] = (entry.get(key) or "") + value
    return entries


def _keys(path: Path) -> set[tuple]:
    return {(e["msgctxt"], e["msgid"], e["msgid_plural"]) for e in _entries(path)}


def _text(response) -> str:
    """The visible text of a page: tags dropped, entities decoded."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _assert_french(response, present: list[str], absent: list[str]) -> None:
    text = _text(response)
    assert '<html lang="fr">' in response.content.decode()
    for words in present:
        assert words in text, f"expected {words!r} on the French page"
    for words in absent:
        assert not re.search(rf"\b{re.escape(words)}\b", text), f"English {words!r} left on the French page"


# --- The catalogue ----------------------------------------------------------------------------------------------------


def test_the_french_catalogue_has_no_untranslated_or_fuzzy_entry():
    entries = _entries(PO)
    assert len(entries) > 200
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values()) or not e["msgstr"]]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == [] and fuzzy == []
    plural = [e for e in entries if e["msgid_plural"]]
    assert plural and all(sorted(e["msgstr"]) == [0, 1] for e in plural)
    result = subprocess.run([_msgfmt(), "--check", "--statistics", "-o", os.devnull, str(PO)],
                            capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"})
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr


def test_the_catalogue_holds_every_string_of_the_code(tmp_path):
    """makemessages, run on a copy of the tree, finds no msgid the committed catalogue lacks (and none it has left)."""
    _msgfmt()
    copy = tmp_path / "tree"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".*", "var", "__pycache__", "node_modules"))
    env = {**os.environ, "LDAP_URL": "ldap://127.0.0.1:1", "LDAP_BIND_DN": "cn=x,dc=example,dc=org",
           "SECRET_KEY": "makemessages-in-a-copy", "DJANGO_SETTINGS_MODULE": "mailadmin.settings"}
    result = subprocess.run([sys.executable, "manage.py", *MAKEMESSAGES], cwd=copy, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    fresh, committed = _keys(copy / PO.relative_to(ROOT)), _keys(PO)
    assert sorted(fresh - committed, key=str) == [], "strings not in the catalogue: run makemessages (docs/i18n.md)"
    assert sorted(committed - fresh, key=str) == [], "strings no longer in the code: run makemessages (docs/i18n.md)"


def test_the_committed_mo_is_compiled_from_the_po(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run([_msgfmt(), "--check-format", "-o", str(compiled), str(PO)], check=True)
    with compiled.open("rb") as fresh, MO.open("rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(fresh)._catalog, \
            "locale/fr/LC_MESSAGES/django.mo is stale: run compilemessages (docs/i18n.md)"


# --- Pages in French --------------------------------------------------------------------------------------------------


def test_the_login_page_is_in_french(client, db):
    r = client.get("/login/", **FR)
    _assert_french(r, ["Se connecter", "Nom d’utilisateur", "Mot de passe"], ["Sign in", "Username", "Password"])


def test_the_dashboard_is_in_french(superadmin):
    r = superadmin.get("/", **FR)
    _assert_french(r, ["Tableau de bord", "Comptes désactivés", "Alias virtuels", "Se déconnecter", "Acheminement"],
                   ["Dashboard", "Disabled accounts", "Virtual aliases", "Recent changes", "Sign out", "Route"])


def test_the_dashboard_names_recent_changes_in_french(superadmin):
    from mailadmin import audit

    audit.record("root", "account.forwards.add", "alice@example.test")
    audit.record("root", "some.future.action", "alice@example.test")
    text = _text(superadmin.get("/", **FR))
    assert "Redirection ajoutée" in text and "réussi" in text
    assert "some.future.action" in text  # an action without a label is shown by its code


def test_the_domain_list_is_in_french(superadmin):
    r = superadmin.get("/domains/", **FR)
    _assert_french(r, ["Domaines", "Quota par défaut", "Ajouter un domaine", "Filtrer par nom ou description"],
                   ["Domains", "Default quota", "Add a domain", "Filter", "Accounts"])


def test_the_domain_page_is_in_french(superadmin):
    r = superadmin.get("/domains/example.test/", **FR)
    _assert_french(r, ["Quota par défaut des nouveaux comptes", "Ajouter un compte", "garde une copie", "activé"],
                   ["Add an account", "Default quota for new accounts", "keeps a copy", "enabled", "Forwards"])


def test_an_account_page_is_in_french(superadmin):
    r = superadmin.get("/accounts/carol@example.test/", **FR)
    _assert_french(
        r,
        ["Le courrier est redirigé vers", "une copie est gardée dans la boîte aux lettres", "illimité", "Redirections",
         "Garder une copie dans cette boîte aux lettres", "Définir le mot de passe", "Options avancées"],
        ["Mail is forwarded", "Forwards", "Keep a copy", "Set password", "Advanced", "unlimited", "Save"],
    )


def test_the_route_tool_explains_in_french(superadmin):
    r = superadmin.get("/route/", {"address": "dave@example.test"}, **FR)
    _assert_french(r, ["Domaine accepté\xa0?", "Le compte est désactivé", "Rejeté\xa0: utilisateur inconnu."],
                   ["Domain accepted", "Bounces", "yes", "no"])


def test_the_directory_down_page_is_in_french(superadmin, directory_down):
    r = superadmin.get("/domains/", **FR)
    assert r.status_code == 503
    _assert_french(r, ["L’annuaire LDAP est injoignable", "Réessayer"], ["Try again", "not reachable"])


def test_the_server_error_page_is_in_french():
    with translation.override("fr"):
        page = render_to_string("500.html")
    assert '<html lang="fr">' in page and "Erreur du serveur" in page and "Server error" not in page


def test_english_stays_the_default(superadmin):
    body = superadmin.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()
    assert '<html lang="en">' in body and "Dashboard" in body


# --- Form errors in French --------------------------------------------------------------------------------------------


def test_an_invalid_quota_is_refused_in_french(superadmin):
    url = "/domains/example.test/edit/"
    version = superadmin.get(url, **FR).context["form"]["version"].value()
    r = superadmin.post(url, {"description": "x", "default_quota": "beaucoup", "version": version}, **FR)
    _assert_french(r, ["«\xa0beaucoup\xa0» n’est pas un quota\xa0: utilisez par exemple 500M"], ["is not a quota"])


def test_an_address_in_use_is_refused_in_french(superadmin):
    r = superadmin.post("/accounts/alice@example.test/aliases/add/", {"address": "bob@example.test"}, **FR)
    assert r.status_code == 422
    _assert_french(r, ["bob@example.test est déjà l’adresse du compte bob@example.test.",
                       "Rien n’a été modifié\xa0: voir le formulaire ci-dessous."],
                   ["is already", "Nothing was changed"])


def test_a_french_unlimited_quota_comes_back_unchanged(superadmin, directory):
    from mailadmin.directory import accounts as ldap_accounts

    page = superadmin.get("/accounts/carol@example.test/", **FR)
    assert 'value="illimité"' in page.content.decode()
    csn = page.context["quota_form"]["csn"].value()
    r = superadmin.post("/accounts/carol@example.test/quota/", {"quota": "illimité", "csn": csn}, **FR)
    assert r.status_code == 302
    assert ldap_accounts.get_account(directory, "carol@example.test").quota_kb == 0
    assert "Nouveau quota de carol@example.test\xa0: illimité." in _text(superadmin.get(r["Location"], **FR))


def test_a_domain_in_use_is_refused_in_french(superadmin):
    r = superadmin.post("/domains/example.test/delete/", {}, **FR)
    _assert_french(r, ["example.test est encore utilisé par les adresses ci-dessous",
                       "alice@example.test (par un alias)"], ["is still used", "by an alias"])
