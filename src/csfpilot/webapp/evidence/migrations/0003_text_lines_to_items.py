"""Text-line evidence becomes library items, without loss.

For every organization, each distinct line of its outcomes' "Artifacts and
Evidence" text (current and target side) becomes one item: an http(s)
address a link item titled by the address, any other line a written
attestation whose statement is the line, titled by its first 80 characters.
Each item is linked to every outcome side that had the line (review pending,
statement empty). The text lines themselves stay where they are: they are the
column profile files exchange (docs/evidence.md, "Evidence in profile files").

The rules are written out here, not imported, so that this migration does
the same thing whatever later code says.
"""

from django.db import migrations

TITLE_CHARS = 80


def _is_url(text):
    return (
        text.lower().startswith(("https://", "http://"))
        and len(text) <= 2000
        and not any(ch.isspace() for ch in text)
        and len(text) > len("https://")
    )


def _title(text):
    flat = " ".join(text.split())
    return flat if len(flat) <= TITLE_CHARS else flat[: TITLE_CHARS - 1].rstrip() + "…"


def forwards(apps, schema_editor):
    ProfileOutcome = apps.get_model("profiles", "ProfileOutcome")
    EvidenceItem = apps.get_model("evidence", "EvidenceItem")
    EvidenceVersion = apps.get_model("evidence", "EvidenceVersion")
    EvidenceLink = apps.get_model("evidence", "EvidenceLink")
    items = {}  # (organization id, line) -> item id
    links = []
    rows = (
        ProfileOutcome.objects.exclude(current_evidence=[], target_evidence=[])
        .select_related("profile")
        .order_by("profile__organization_id", "profile_id", "position", "id")
    )
    for outcome in rows.iterator(chunk_size=500):
        org = outcome.profile.organization_id
        for side in ("current", "target"):
            seen = set()
            for raw in getattr(outcome, f"{side}_evidence") or []:
                if not isinstance(raw, str):
                    raw = str(raw)
                line = raw.strip()
                if not line or line in seen:
                    continue
                seen.add(line)
                key = (org, line)
                if key not in items:
                    link = _is_url(line)
                    item = EvidenceItem.objects.create(
                        organization_id=org,
                        title=line[:300] if link else _title(line),
                        kind="other" if link else "attestation",
                        form="link" if link else "attestation",
                    )
                    EvidenceVersion.objects.create(
                        item=item,
                        number=1,
                        url=line if link else "",
                        statement="" if link else line,
                    )
                    items[key] = item.pk
                links.append(
                    EvidenceLink(
                        item_id=items[key],
                        outcome_id=outcome.pk,
                        profile_id=outcome.profile_id,
                        code=outcome.code,
                        side=side,
                    )
                )
            if len(links) >= 500:
                EvidenceLink.objects.bulk_create(links)
                links = []
    EvidenceLink.objects.bulk_create(links)


def backwards(apps, schema_editor):
    # The text lines were never removed, so going back needs nothing undone: the items
    # made here stay in the library (they may have been reviewed or linked since).
    pass


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0002_reminders"),
        ("profiles", "0003_snapshot_digest"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
