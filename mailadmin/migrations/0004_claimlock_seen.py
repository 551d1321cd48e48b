from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("mailadmin", "0003_directory_identity")]
    operations = [migrations.AddField(model_name="claimlock", name="seen", field=models.TextField(blank=True, default=""))]
