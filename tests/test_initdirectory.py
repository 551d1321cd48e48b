from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import start_instance, use_instance


def _init(*args: str) -> str:
    out = StringIO()
    call_command("initdirectory", *args, stdout=out)
    return out.getvalue()


def test_it_creates_the_missing_base_entries(slapd, directory):
    slapd.delete_tree("ou=mailAliases,dc=example,dc=org")
    slapd.delete_tree("ou=mailDomains,dc=example,dc=org")
    assert _init() == ("Created ou=mailDomains,dc=example,dc=org.\nCreated ou=mailAliases,dc=example,dc=org.\n"
                       "Directory ready.\n")
    assert directory.read("ou=mailAliases,dc=example,dc=org", ("ou",)) is not None


def test_it_creates_nothing_on_a_dry_run(slapd, directory):
    slapd.delete_tree("ou=mailAliases,dc=example,dc=org")
    assert _init("--dry-run") == "Schema complete.\n"
    assert directory.read("ou=mailAliases,dc=example,dc=org", ("ou",)) is None


def test_it_has_nothing_to_create_on_a_prepared_directory(db):
    assert _init() == "Directory ready.\n"


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """A directory without the MDS mail schema."""
    instance = start_instance(tmp_path_factory.mktemp("bare"), mail_schema=False)
    yield instance
    instance.destroy()


def test_it_names_every_missing_schema_name(bare, db):
    use_instance(bare)
    with pytest.raises(CommandError) as e:
        _init()
    assert str(e.value) == (
        "The directory's schema lacks: mailAccount, mailDomain, mailalias, maildrop, mailenable, mailbox, "
        "mailuserquota, mailhost, virtualdomain, virtualdomaindescription. Load mailadmin/directory/slapd/mail.schema "
        "(see README)."
    )
