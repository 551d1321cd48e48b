"""The migration that ties console users to their entry: users who signed in by LDAP bind before it are pending."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE, AFTER = [("mailadmin", "0002_claim_lock_row")], [("mailadmin", "0003_directory_identity")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_migrations():
    yield
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_migrations")
def test_existing_console_users_with_an_address_get_a_pending_identity():
    old = _migrate(BEFORE)
    users, roles = old.get_model("auth", "User"), old.get_model("mailadmin", "Role")
    anne = users.objects.create(username="anne@example.test")
    roles.objects.create(user=anne, kind="domain_admin", domain="example.test")
    roles.objects.create(user=anne, kind="helpdesk", domain="")
    users.objects.create(username="boss@example.test", is_superuser=True)
    users.objects.create(username="admin", is_superuser=True)  # a local password: no directory entry to tie
    users.objects.create(username="nobody@example.test")  # no role: cannot sign in anyway
    new = _migrate(AFTER)
    identities = new.get_model("mailadmin", "DirectoryIdentity").objects.order_by("user__username")
    assert [(i.user.username, i.dn, i.entry_uuid) for i in identities] == [
        ("anne@example.test", "", ""), ("boss@example.test", "", "")]
