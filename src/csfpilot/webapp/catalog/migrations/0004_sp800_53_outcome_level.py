"""SP 800-53 releases stored before they named an outcome level assess their controls."""

from django.db import migrations


def controls_are_outcomes(apps, schema_editor):
    Framework = apps.get_model("catalog", "Framework")
    for fw in Framework.objects.filter(family="sp800-53", outcome_level=""):
        if list(fw.levels) == ["family", "control", "enhancement"]:
            fw.outcome_level = "control"
            fw.save(update_fields=["outcome_level"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_framework_alias"),
    ]

    operations = [
        migrations.RunPython(controls_are_outcomes, migrations.RunPython.noop),
    ]
