"""Evidence files that arrive in a ``full`` package, kept in the importing organization's
evidence library.

Each file becomes a file item stored by its SHA-256 like any upload (the same type checks
refuse an HTML page or an executable under any name), titled by its name in the package and
with its source recorded: the package, its producer and the key that signed it. A file the
library already holds is not stored twice; its item is used. The profile document names
each file on the outcomes it supports ("Title — sha256:…", the line form of
docs/evidence.md), and storing the profile links those lines to these items, so the links
are the package's. Everything happens in the import's transaction: a refused file stores
nothing, neither the files before it nor the profile.
"""

from __future__ import annotations

from csfpilot.core.errors import InputRefused
from csfpilot.formats.packages import VerifiedPackage
from csfpilot.webapp.evidence import blobs
from csfpilot.webapp.evidence import models as em
from csfpilot.webapp.evidence import services as evidence
from csfpilot.webapp.organizations.permissions import Access

MAX_SOURCE = 300


def source_of(pkg: VerifiedPackage) -> str:
    """Where a received file came from, as the evidence item's source says it."""
    trust = f"trusted as {pkg.trusted_as}" if pkg.trusted else "untrusted"
    text = (
        f"package {pkg.package_id} from {pkg.producer}, signed with "
        f"{pkg.fingerprint or 'no key'} ({trust})"
    )
    return text[:MAX_SOURCE]


def store_files(access: Access, pkg: VerifiedPackage, filename: str) -> list[em.EvidenceItem]:
    """Keep the package's files as evidence items; call inside the import's transaction."""
    if not pkg.files:
        return []
    held = dict(
        em.EvidenceVersion.objects.filter(
            item__organization=access.organization,
            item__retired_at__isnull=True,
            stored_file__sha256__in=[f.sha256 for f in pkg.files.values()],
        ).values_list("stored_file__sha256", "item_id")
    )
    items = []
    for member, received in sorted(pkg.files.items()):
        if received.sha256 in held:
            items.append(em.EvidenceItem.objects.get(pk=held[received.sha256]))
            continue
        where = f"{filename}: {member} ({received.filename})"
        try:
            spooled = blobs.spool(
                [received.data], filename=received.filename, organization=access.organization
            )
        except InputRefused as exc:
            raise InputRefused(f"{where}: {exc}", file=filename) from None
        item = evidence.add_item(
            access,
            evidence.ItemFields(
                title=received.filename[: evidence.MAX_TITLE] or member,
                description=f"Received in a signed package ({pkg.kind}, {pkg.redaction}).",
                source=source_of(pkg),
            ),
            evidence.Content(spooled=spooled, filename=received.filename),
        )
        held[received.sha256] = item.pk
        items.append(item)
    return items
