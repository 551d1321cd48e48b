"""Console users tied to the directory entry they sign in as. Users who signed in by LDAP bind before this migration
get a pending identity: sign-in is refused until a superadmin runs `adminrole confirm` (the migration cannot read the
directory, and the entry holding the address today may not be the one the role was meant for)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def pending_identities(apps, schema_editor):
    user_model = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    identity_model = apps.get_model("mailadmin", "DirectoryIdentity")
    console_users = user_model.objects.filter(username__contains="@").filter(
        models.Q(is_superuser=True) | models.Q(mail_roles__isnull=False)).distinct()
    identity_model.objects.bulk_create(identity_model(user=user) for user in console_users)


class Migration(migrations.Migration):

    dependencies = [
        ("mailadmin", "0002_claim_lock_row"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DirectoryIdentity",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("dn", models.CharField(blank=True, max_length=1024)),
                ("entry_uuid", models.CharField(blank=True, max_length=36)),
                ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                              related_name="directory_identity", to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.RunPython(pending_identities, migrations.RunPython.noop),
    ]
