"""Frameworks that hold only what crosswalks name are marked; ISO rows that map to nothing go.

The CIS Controls and ISO/IEC 27001:2022 catalogs are built from the identifiers
NIST's crosswalks name, so their pages say that they are not the whole framework.
The ISO/IEC 27001:2022 crosswalk's "Mandatory Clause: None" entries were stored as
rows with an empty target; the importer now leaves them out, so stored datasets
lose them too, with the row count and content digest the importer now gives (a
later load of the same file then finds the dataset unchanged).
"""

from django.db import migrations, models

_NAMED_BY_CROSSWALKS = ("cis-v8.0", "cis-v8.1", "iso27001-2022")


def forwards(apps, schema_editor):
    from csfpilot.core.catalog import DatasetInfo, Mapping, MappingSet, Relationship

    Framework = apps.get_model("catalog", "Framework")
    MappingDataset = apps.get_model("catalog", "MappingDataset")
    Row = apps.get_model("catalog", "Mapping")
    Framework.objects.filter(key__in=_NAMED_BY_CROSSWALKS).update(named_by_crosswalks=True)
    for ds in MappingDataset.objects.filter(key__startswith="olir-iso27001-2022"):
        empty = Row.objects.filter(dataset=ds, target_code="")
        if not empty.exists():
            continue
        empty.delete()
        rows = list(Row.objects.filter(dataset=ds).order_by("id"))
        info = DatasetInfo(
            key=ds.key,
            name=ds.name,
            publisher=ds.publisher,
            version=ds.version,
            source_framework=ds.source_framework_key,
            target_framework=ds.target_framework_key,
        )
        kept = tuple(
            Mapping(
                source=r.source_code,
                target=r.target_code,
                relationship=Relationship(r.relationship),
                comment=r.comment,
                strength=r.strength,
            )
            for r in rows
        )
        ds.content_digest = MappingSet(info=info, mappings=kept).content_digest()
        ds.row_count = len(rows)
        ds.save(update_fields=["content_digest", "row_count"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="framework",
            name="named_by_crosswalks",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
