"""The import validates every row of a domain with one form (accounts/importing.py, Planner._form): a form re-validated
on new data must answer exactly what a new form answers, and validation must never change its fields or widgets."""

import copy

import pytest

from accounts import importing

pytestmark = pytest.mark.django_db

HEADER = "address,name,first_name,last_name,uid,quota,aliases,forwards,keep_copy,enabled,mailbox,password_hash\n"
ROWS = (
    "zoe@example.test,Zoé Zola,Zoé,Zola,zoe,1G,z.zola@example.test;zz@example.test,zoe@external.test,yes,yes,,\n"
    "bad..local@example.test,,,,,,,,,,,\n"
    "yann@example.test,,Yann,,,lots,,,,,,\n"
    "own@example.test,,,,,,own@example.test,,,,,\n"
    "self@example.test,,,,,,,self@example.test;x@external.test,,,,\n"
    "far@example.test,,,,,,far@nowhere.test,,,,,\n"
    "clear@example.test,,,,,,,,,,,cleartext\n"
    "box@example.test,,,,,,,,,,/home/vmail/../../etc/,\n"
    "maybe@example.test,,,,,,,,perhaps,,,\n"
    "long@example.test,,,," + "u" * 70 + ",,,,,,,\n"
    "xavier@example.test,,Xavier,,,none,,,no,no,,{SSHA}gPTZkWLt+qJNXEwdM2bWx1566xkqzSY7\n"
    "otto@other.test,,Otto,,,200M,o@other.test,,,,,\n"
    "alice@example.test,,,,,,,,,,,\n"
    "zoe@example.test,,,,,,,,,,,\n"
    "ulla@other.test,,,,,,,,,,/home/vmail/ulla/,\n"
)


class _NoReuse(dict):
    """A form cache that keeps nothing: every row gets a new form, as the console's views do."""

    def __setitem__(self, key, value):
        pass


def _outcomes(directory, path, *, reuse: bool):
    planner = importing.Planner(directory)
    if not reuse:
        planner.forms = _NoReuse()
    return planner.plan(importing.read_rows(path, "csv")), planner


def test_a_reused_form_answers_every_row_as_a_new_form_would(directory, tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(HEADER + ROWS)
    reused, _planner = _outcomes(directory, path, reuse=True)
    fresh, _planner = _outcomes(directory, path, reuse=False)
    assert reused == fresh
    assert [o.status for o in reused].count(importing.CREATE) == 5
    assert len({o.message for o in reused if o.status == importing.ERROR}) == 10


def test_validating_rows_changes_no_field_or_widget_of_the_shared_form(directory, tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(HEADER + ROWS)
    planner = importing.Planner(directory)
    rows = list(importing.read_rows(path, "csv"))
    planner.check(rows[0])
    form = planner.forms["example.test"]
    before = _state(form)
    planner.plan(rows)
    assert planner.forms["example.test"] is form
    assert _state(form) == before


def _state(form) -> dict:
    """Every attribute of every field and widget (the widget itself by its own attributes, not by identity)."""
    return {name: ({k: copy.deepcopy(v) for k, v in vars(field).items() if k != "widget"},
                   copy.deepcopy(vars(field.widget)), field.widget)
            for name, field in form.fields.items()}
