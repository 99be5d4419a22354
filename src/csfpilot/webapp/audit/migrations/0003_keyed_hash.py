# Every entry gets its keyed hash (HMAC-SHA256 of its stored hash with the audit key).
# Entries written before this release are keyed as they are stored: their SHA-256 links
# are still checked by `csfpilot audit verify`, so an entry changed before the upgrade
# still shows as changed.

import hashlib
import hmac

from django.conf import settings
from django.db import migrations, models

CONTEXT = b"csfpilot audit entry v1\n"


def key_existing_entries(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    rows = AuditEvent.objects.filter(mac="").only("pk", "hash").order_by("pk")
    batch = []
    for event in rows.iterator(chunk_size=2000):
        event.mac = hmac.new(
            settings.AUDIT_KEY, CONTEXT + event.hash.encode("ascii"), hashlib.sha256
        ).hexdigest()
        batch.append(event)
        if len(batch) >= 2000:
            AuditEvent.objects.bulk_update(batch, ["mac"])
            batch = []
    if batch:
        AuditEvent.objects.bulk_update(batch, ["mac"])


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_instance_chain"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="mac",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(key_existing_entries, migrations.RunPython.noop),
    ]
