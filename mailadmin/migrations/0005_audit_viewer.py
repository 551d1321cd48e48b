"""The audit viewer: client address, role and domain columns, the indexes a filtered page reads, and the addresses
each row names; rows written before are given their domain and addresses here."""

import django.db.models.deletion
from django.db import migrations, models

from mailadmin.audit import named_addresses, target_domain


def index_existing_rows(apps, schema_editor):
    entries = apps.get_model("mailadmin", "AuditEntry")
    addresses = apps.get_model("mailadmin", "AuditAddress")
    for entry in entries.objects.iterator(chunk_size=2000):
        entry.domain = target_domain(entry.target)
        entry.save(update_fields=["domain"])
        addresses.objects.bulk_create(addresses(entry=entry, address=a)
                                      for a in named_addresses(entry.target, entry.old, entry.new))


class Migration(migrations.Migration):

    dependencies = [
        ('mailadmin', '0004_claimlock_seen'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditAddress',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('address', models.CharField(max_length=320)),
            ],
        ),
        migrations.AddField(
            model_name='auditentry',
            name='client',
            field=models.GenericIPAddressField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='domain',
            field=models.CharField(blank=True, max_length=253),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='role',
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['domain', '-at', '-id'], name='audit_domain_at'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['actor', '-at', '-id'], name='audit_actor_at'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['action', '-at', '-id'], name='audit_action_at'),
        ),
        migrations.AddField(
            model_name='auditaddress',
            name='entry',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='addresses', to='mailadmin.auditentry'),
        ),
        migrations.AddIndex(
            model_name='auditaddress',
            index=models.Index(fields=['address', 'entry'], name='audit_address'),
        ),
        migrations.RunPython(index_existing_rows, migrations.RunPython.noop),
    ]
