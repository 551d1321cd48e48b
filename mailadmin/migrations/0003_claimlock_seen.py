from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("mailadmin", "0002_claim_lock_row")]
    operations = [migrations.AddField(model_name="claimlock", name="seen", field=models.TextField(blank=True, default=""))]
