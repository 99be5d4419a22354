"""An organization's evidence library: items, their immutable versions, links, requests, scans.

- :class:`StoredFile` is one file's bytes, kept once per organization by its
  SHA-256 (two uploads of the same PDF are one stored file). Its storage name
  is made from the organization and the hash, never from the uploaded name.
- :class:`EvidenceItem` is what people talk about ("the access control
  policy"): its kind, dates, owner and confidentiality label.
- :class:`EvidenceVersion` is one immutable version of an item: a stored file,
  a link or a written attestation. A new upload adds a version; nothing
  updates or deletes one while its item exists.
- :class:`EvidenceLink` ties an item to one outcome of one profile, on the
  Current or Target side, with what it shows there and its review.
- :class:`EvidenceRequest` is an assessor's request for evidence on outcomes.
- :class:`ScanImport`, :class:`ScanFinding` and :class:`ScanOutcome` keep a
  scanner's file (as an item), what it found, and its tally per outcome.
- :class:`SnapshotEvidence` records which items a frozen snapshot cites, so
  that those items can be retired but never destroyed.

Rows that must outlive a direct delete (a stored file still used by a version,
an item a scan or a snapshot cites) are held with ``RESTRICT``, not
``PROTECT``: removing the whole organization, or the snapshot, still removes
them together.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from csfpilot.core.evidence import (
    Confidentiality,
    EvidenceKind,
    FindingStatus,
    RequestState,
    ReviewState,
    Severity,
)

_USER = settings.AUTH_USER_MODEL


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(m.value, m.value.replace("-", " ")) for m in enum]


class ImmutableRow(Exception):
    """Raised on any attempt to change a stored version or stored file."""


class StoredFile(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="evidence_files"
    )
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    # Decided from the content when it was stored, never from the name.
    media_type = models.CharField(max_length=120)
    storage_name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sha256"], name="evidence_file_once_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.sha256

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRow("a stored file never changes; store the new bytes instead")
        super().save(*args, **kwargs)


class Form(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")
    ATTESTATION = "attestation", _("Written attestation")


class SourceKind(models.TextChoices):
    PERSON = "person", _("A person")
    TOOL = "tool", _("A tool")


class EvidenceItem(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="evidence_items"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=_choices(EvidenceKind), default=EvidenceKind.OTHER.value
    )
    form = models.CharField(_("form"), max_length=12, choices=Form.choices)
    source_kind = models.CharField(
        max_length=10, choices=SourceKind.choices, default=SourceKind.PERSON
    )
    # A person's name, or the tool and version that produced the item.
    source = models.CharField(_("source"), max_length=300, blank=True)
    collected_on = models.DateField(_("collected on"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    review_interval_days = models.PositiveIntegerField(_("review interval (days)"), null=True)
    # The last day the item proves anything (valid_until, or effective_from + interval),
    # kept so that "what expires before X" is one indexed query.
    expires_on = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence_owned"
    )
    owner_name = models.CharField(_("owner"), max_length=200, blank=True)
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=20,
        choices=_choices(Confidentiality),
        default=Confidentiality.INTERNAL.value,
    )
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = [Lower("title"), "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in EvidenceKind]),
                name="evidence_known_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(form__in=Form.values), name="evidence_known_form"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "expires_on"]),
            models.Index(fields=["organization", "kind"]),
        ]

    def __str__(self) -> str:
        return self.title


class EvidenceVersion(models.Model):
    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # RESTRICT, not PROTECT: a file stays while a version uses it, yet an organization
    # deleted with all its rows takes its files along.
    stored_file = models.ForeignKey(
        StoredFile, null=True, blank=True, on_delete=models.RESTRICT, related_name="versions"
    )
    # Shown only: the name the file had on the uploader's machine.
    filename = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    statement = models.TextField(blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["item_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="evidence_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRow("versions are immutable; add a new version instead")
        super().save(*args, **kwargs)


class Side(models.TextChoices):
    CURRENT = "current", _("Current")
    TARGET = "target", _("Target")


class EvidenceLink(models.Model):
    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="links")
    outcome = models.ForeignKey(
        "profiles.ProfileOutcome", on_delete=models.CASCADE, related_name="evidence_links"
    )
    # Denormalised from the outcome so that per-profile and per-organization reads need no join.
    profile = models.ForeignKey(
        "profiles.Profile", on_delete=models.CASCADE, related_name="evidence_links"
    )
    code = models.CharField(max_length=100)
    side = models.CharField(max_length=10, choices=Side.choices, default=Side.CURRENT)
    statement = models.TextField(_("what it shows"), blank=True)
    review = models.CharField(
        max_length=20, choices=_choices(ReviewState), default=ReviewState.PENDING.value
    )
    review_comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["profile_id", "code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "outcome", "side"], name="evidence_link_once_per_side"
            ),
            models.CheckConstraint(
                condition=models.Q(review__in=[r.value for r in ReviewState]),
                name="evidence_known_review",
            ),
        ]
        indexes = [models.Index(fields=["profile", "code"])]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.code} ({self.side})"


class EvidenceRequest(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="evidence_requests"
    )
    profile = models.ForeignKey(
        "profiles.Profile", on_delete=models.CASCADE, related_name="evidence_requests"
    )
    outcomes = models.ManyToManyField("profiles.ProfileOutcome", related_name="+")
    assignee = models.ForeignKey(
        _USER,
        null=True,
        on_delete=models.SET_NULL,
        related_name="evidence_requests_assigned",
    )
    requested_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due = models.DateField(_("due"))
    note = models.TextField(_("note"), blank=True)
    # Stored states only: "overdue" is an open request past its due day, computed on read.
    state = models.CharField(
        max_length=12,
        choices=_choices([s for s in RequestState if s is not RequestState.OVERDUE]),
        default=RequestState.OPEN.value,
    )
    items = models.ManyToManyField(EvidenceItem, blank=True, related_name="requests")
    response = models.TextField(blank=True)
    decision_comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due", "id"]
        indexes = [
            models.Index(fields=["organization", "state", "due"]),
            models.Index(fields=["assignee", "state"]),
        ]

    def __str__(self) -> str:
        return f"request {self.pk} to {self.assignee_id}"


class ScanImport(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="scan_imports"
    )
    profile = models.ForeignKey(
        "profiles.Profile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scan_imports",
    )
    item = models.ForeignKey(EvidenceItem, on_delete=models.RESTRICT, related_name="scan_imports")
    version = models.ForeignKey(EvidenceVersion, on_delete=models.RESTRICT, related_name="+")
    format = models.CharField(max_length=20)
    tool = models.CharField(max_length=200)
    tool_version = models.CharField(max_length=100, blank=True)
    scope = models.CharField(max_length=500, blank=True)
    # Tool and scope, normalised: repeated imports with the same key form a series.
    series = models.CharField(max_length=200)
    scanned_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    findings_count = models.PositiveIntegerField(default=0)
    mapped_count = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-imported_at", "-id"]
        indexes = [models.Index(fields=["organization", "series", "imported_at"])]

    def __str__(self) -> str:
        return f"{self.tool} {self.scope} @ {self.imported_at}"


class ScanFinding(models.Model):
    scan = models.ForeignKey(ScanImport, on_delete=models.CASCADE, related_name="findings")
    rule_id = models.CharField(max_length=300)
    title = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=_choices(FindingStatus))
    severity = models.CharField(max_length=10, choices=_choices(Severity))
    resource = models.TextField(blank=True)
    sp800_53 = models.JSONField(default=list)
    csf = models.JSONField(default=list)
    cci = models.JSONField(default=list)
    tags = models.JSONField(default=list)
    outcomes = models.JSONField(default=list)
    # How each outcome was reached ("sp800-53", "csf", "rule:<name>"), or why none was.
    mapped_by = models.JSONField(default=list)
    unmapped_reason = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["scan_id", "id"]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.status}"


class ScanOutcome(models.Model):
    """One scan's tally for one outcome: what contradictions and trends are read from."""

    scan = models.ForeignKey(ScanImport, on_delete=models.CASCADE, related_name="tallies")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField(max_length=100)
    passed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # Failing findings of high or critical severity.
    serious = models.PositiveIntegerField(default=0)
    other = models.PositiveIntegerField(default=0)
    # False once a newer import of the same series exists: only the newest counts.
    latest = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scan", "code"], name="evidence_tally_once")]
        indexes = [models.Index(fields=["organization", "latest", "code"])]

    def __str__(self) -> str:
        return f"{self.code}: {self.passed} pass, {self.failed} fail"


class SnapshotEvidence(models.Model):
    snapshot = models.ForeignKey(
        "profiles.Snapshot", on_delete=models.CASCADE, related_name="evidence_cited"
    )
    # RESTRICT: an item a snapshot cites is never deleted on its own, but deleting the
    # organization (its snapshots and items together) is allowed.
    item = models.ForeignKey(EvidenceItem, on_delete=models.RESTRICT, related_name="snapshots")
    version = models.ForeignKey(EvidenceVersion, on_delete=models.RESTRICT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "version"], name="evidence_snapshot_cites_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id} cites {self.version_id}"


class ReminderSent(models.Model):
    """An e-mail reminder sent, so that the same one goes out at most once a day.

    ``subject`` is what it was about: ``item`` (an item expiring soon, to its owner) or
    ``request`` (an overdue request, to the member asked).
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(max_length=10)
    object_id = models.PositiveIntegerField()
    day = models.DateField()
    recipient = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "object_id", "day"], name="evidence_reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.object_id} on {self.day}"
