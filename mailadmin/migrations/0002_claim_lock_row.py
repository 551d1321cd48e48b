"""The address lock's row exists from the start: created on first use instead, two first claims at once on
PostgreSQL would both find no row to lock, and one would fail on the other's insert."""

from django.db import migrations

LOCK_NAME = "addresses"  # mailadmin.directory.claims.LOCK_NAME when this migration was written


def create_lock_row(apps, schema_editor):
    apps.get_model("mailadmin", "ClaimLock").objects.get_or_create(name=LOCK_NAME)


class Migration(migrations.Migration):
    dependencies = [("mailadmin", "0001_initial")]
    operations = [migrations.RunPython(create_lock_row, migrations.RunPython.noop)]
