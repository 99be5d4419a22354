"""Profiles as stored: one row per profile, one per outcome, one per action, one per snapshot.

An **Organizational Profile** belongs to exactly one organization and is written
against one stored framework release (``csf-2.0`` today; a later release is
another :class:`~csfpilot.webapp.catalog.models.Framework` row). It has one
:class:`ProfileOutcome` row per assessable outcome of that release, holding the
columns of NIST's Organizational Profile Template for both the Current and the
Target side. A **Community Profile** is the same table with ``kind =
community``: a shared target with only the target side filled.

Concurrent edits never overwrite each other: the profile, each outcome and each
action carry a ``version`` that a save must name; a save naming an older
version is refused (see :mod:`csfpilot.webapp.profiles.services`).

A :class:`Snapshot` is a dated, immutable copy of a profile in csfpilot's
native profile format. Nothing updates it: ``save()`` on an existing row and
``update()`` on a queryset of snapshots both raise.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from csfpilot.core.profiles import ActionStatus, Priority, ProfileKind, RollUp, ScopeType

_USER = settings.AUTH_USER_MODEL


def default_scale() -> str:
    """New profiles rate on implementation status unless they say otherwise."""
    return "status"


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(m.value, m.value.replace("-", " ")) for m in enum]


class Profile(models.Model):
    """An Organizational (or Community) Profile of one organization.

    ``scale`` holds the rating scale as :mod:`.storage` writes it: the key of a
    built-in scale (``"status"``, ``"maturity"``) or a custom scale in full.
    Tiers are CSF 2.0's Tiers 1–4, for cybersecurity risk governance and risk
    management, current and target, each with its rationale.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="profiles"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=_choices(ProfileKind),
        default=ProfileKind.ORGANIZATIONAL.value,
    )
    framework = models.ForeignKey(
        "catalog.Framework", on_delete=models.PROTECT, related_name="profiles"
    )
    scope_type = models.CharField(
        _("scope"),
        max_length=20,
        choices=_choices(ScopeType),
        default=ScopeType.ORGANIZATION.value,
    )
    scope_name = models.TextField(_("scope name"), blank=True)
    description = models.TextField(_("description"), blank=True)
    assumptions = models.TextField(_("assumptions"), blank=True)
    scale = models.JSONField(_("scale"), default=default_scale)
    rollup = models.CharField(
        _("roll-up"), max_length=20, choices=_choices(RollUp), default=RollUp.EQUAL.value
    )
    based_on = models.TextField(_("based on"), blank=True)

    governance_current = models.PositiveSmallIntegerField(null=True, blank=True)
    governance_target = models.PositiveSmallIntegerField(null=True, blank=True)
    governance_current_rationale = models.TextField(blank=True)
    governance_target_rationale = models.TextField(blank=True)
    management_current = models.PositiveSmallIntegerField(null=True, blank=True)
    management_target = models.PositiveSmallIntegerField(null=True, blank=True)
    management_current_rationale = models.TextField(blank=True)
    management_target_rationale = models.TextField(blank=True)

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
        ordering = [Lower("name"), "id"]
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("name"), name="profiles_unique_name_per_org"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in ProfileKind]),
                name="profiles_known_kind",
            ),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{col}__isnull": True})
                    | models.Q(**{f"{col}__gte": 1, f"{col}__lte": 4}),
                    name=f"profiles_{col}_is_a_tier",
                )
                for col in (
                    "governance_current",
                    "governance_target",
                    "management_current",
                    "management_target",
                )
            ),
        ]
        indexes = [models.Index(fields=["organization", "kind"])]

    def __str__(self) -> str:
        return self.name


class ProfileOutcome(models.Model):
    """One outcome of a profile: NIST's template row, Current and Target side.

    ``current`` and ``target`` hold the level key as the profile's scale
    defines it (``"partially"``, ``3``, ``"na"``) or null for *not assessed*.
    ``owner_name`` is the owner as written (a person, a team, a role);
    ``owner`` is the member the outcome is assigned to, when it is one — a
    contributor may edit only outcomes assigned to them. ``code`` and
    ``position`` copy the framework node's id and document order (a stored
    release never changes) so that reads need no join.
    """

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="outcomes")
    node = models.ForeignKey("catalog.Node", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=100)
    position = models.PositiveIntegerField()

    included = models.BooleanField(default=True)
    rationale = models.TextField(blank=True)
    # "" when no priority is set (NIST leaves the column optional).
    priority = models.CharField(max_length=10, choices=_choices(Priority), blank=True)
    current_priority = models.CharField(max_length=10, choices=_choices(Priority), blank=True)
    current = models.JSONField(null=True, blank=True)
    target = models.JSONField(null=True, blank=True)
    owner = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_outcomes"
    )
    owner_name = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    considerations = models.TextField(blank=True)

    current_policies = models.TextField(blank=True)
    current_practices = models.TextField(blank=True)
    current_roles = models.TextField(blank=True)
    current_references = models.JSONField(default=list, blank=True)
    current_evidence = models.JSONField(default=list, blank=True)
    target_policies = models.TextField(blank=True)
    target_practices = models.TextField(blank=True)
    target_roles = models.TextField(blank=True)
    target_references = models.JSONField(default=list, blank=True)
    target_evidence = models.JSONField(default=list, blank=True)

    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["profile_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "node"], name="profiles_outcome_once"),
            models.UniqueConstraint(fields=["profile", "code"], name="profiles_outcome_code_once"),
        ]
        indexes = [
            models.Index(fields=["profile", "position"]),
            models.Index(fields=["owner"]),
        ]

    def __str__(self) -> str:
        return self.code


class Action(models.Model):
    """One line of a profile's action plan (POA&M).

    ``code`` is the action's id within the profile (``A-001``), as profile
    files carry it; ``outcomes`` and ``controls`` are lists of ids, in the
    order given; ``position`` keeps the plan's order.
    """

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="actions")
    code = models.CharField(max_length=64)
    position = models.PositiveIntegerField(default=0)
    title = models.TextField()
    outcomes = models.JSONField(default=list)
    owner = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_actions"
    )
    owner_name = models.TextField(blank=True)
    due = models.DateField(null=True, blank=True)
    milestone = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=_choices(ActionStatus), default=ActionStatus.OPEN.value
    )
    cost = models.TextField(blank=True)
    controls = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["profile_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "code"], name="profiles_action_code_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ActionStatus]),
                name="profiles_action_known_status",
            ),
        ]
        indexes = [models.Index(fields=["profile", "status", "due"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class SnapshotChanged(Exception):
    """Raised on any attempt to change a stored snapshot."""


class SnapshotQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise SnapshotChanged("snapshots are immutable; take a new one instead")

    update.queryset_only = True  # type: ignore[attr-defined]

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise SnapshotChanged("snapshots are immutable; take a new one instead")


class Snapshot(models.Model):
    """A dated, immutable copy of a profile, kept as a native profile document.

    ``document`` is exactly what ``csfpilot profile`` files hold (JSON form),
    including the ``snapshot`` block with the time and label, so a snapshot
    exports as a file byte for byte and is read back by the same reader.
    """

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="snapshots")
    taken_at = models.DateTimeField()
    label = models.CharField(max_length=200, blank=True)
    document = models.JSONField()
    # SHA-256 of the document's canonical JSON: what caches of its scores are keyed by.
    digest = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["profile_id", "taken_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "taken_at"], name="profiles_snapshot_once")
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} @ {self.taken_at.isoformat()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise SnapshotChanged("snapshots are immutable; take a new one instead")
        super().save(*args, **kwargs)
