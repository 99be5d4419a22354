"""A mapping project: one framework's requirements, the targets proposed for each, and
what a person decided about every proposed pair.

The mapping assistant proposes, for each assessable requirement of the source
framework, the few elements of the target framework (CSF 2.0 by default) that
most likely say the same thing, each with a score and its reasons. A proposal
is only a proposal: a pair enters the organization's crosswalk once a member
accepted it as proposed, or changed it (picked another target, or said how the
two relate), and leaves it again when rejected or reset. The accepted and
changed pairs *are* the organization's crosswalk dataset, "made by automation,
reviewed by a person"; nothing else is.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RunState(models.TextChoices):
    NEW = "new", _("No proposals yet")
    QUEUED = "queued", _("Proposals being made")
    READY = "ready", _("Proposals ready")
    FAILED = "failed", _("Proposals failed")


class PairState(models.TextChoices):
    # Words of their own: "Proposed" elsewhere is a proposed value, not a proposed pair.
    PROPOSED = "proposed", pgettext_lazy("pair state", "Proposed")
    ACCEPTED = "accepted", pgettext_lazy("pair state", "Accepted")
    REJECTED = "rejected", pgettext_lazy("pair state", "Rejected")
    CHANGED = "changed", pgettext_lazy("pair state", "Changed")


# What a reviewer may say about a pair: NIST IR 8477's set relationships.
class PairRelationship(models.TextChoices):
    EQUIVALENT = "equivalent", _("equivalent")
    SUBSET_OF = "subset_of", _("subset of")
    SUPERSET_OF = "superset_of", _("superset of")
    INTERSECTS_WITH = "intersects_with", _("intersects with")


IN_CROSSWALK = (PairState.ACCEPTED, PairState.CHANGED)


class MappingProject(models.Model):
    """One source framework mapped onto one target framework, for one organization."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="mapping_projects"
    )
    name = models.CharField(_("name"), max_length=200)
    # A loaded release is never deleted while something points at it.
    source_framework = models.ForeignKey(
        "catalog.Framework", on_delete=models.PROTECT, related_name="+"
    )
    target_framework = models.ForeignKey(
        "catalog.Framework", on_delete=models.PROTECT, related_name="+"
    )
    top = models.PositiveSmallIntegerField(default=5)
    method = models.CharField(max_length=20, default="combined")
    run_state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.NEW)
    run_error = models.TextField(blank=True)
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggested_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization_id", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="mapping_project_unique_name"
            ),
            models.CheckConstraint(
                condition=models.Q(run_state__in=RunState.values), name="mapping_known_run_state"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def dataset_key(self) -> str:
        """The crosswalk's key wherever it is exported or transferred through."""
        return f"{self.organization.slug}-mapping-{self.pk}"


class Requirement(models.Model):
    """One assessable element of the source framework, in document order."""

    project = models.ForeignKey(
        MappingProject, on_delete=models.CASCADE, related_name="requirements"
    )
    code = models.CharField(max_length=100)
    node = models.ForeignKey(
        "catalog.Node", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["project_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="mapping_requirement_unique")
        ]

    def __str__(self) -> str:
        return self.code


class Pair(models.Model):
    """A requirement and one target: proposed by the assistant, then decided by a person.

    ``proposed_code``, ``rank``, ``score`` and ``reasons`` are the assistant's and
    never change. ``target_code`` is the target the pair stands for now: the
    proposed one, or the one a reviewer picked instead (state ``changed``).
    """

    project = models.ForeignKey(MappingProject, on_delete=models.CASCADE, related_name="pairs")
    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="pairs")
    rank = models.PositiveSmallIntegerField()  # 1 = the assistant's best
    proposed_code = models.CharField(max_length=100)
    score = models.FloatField()
    reasons = models.JSONField(default=list, blank=True)  # [{"kind": ..., "detail": ...}]
    target_code = models.CharField(max_length=100)
    target = models.ForeignKey(
        "catalog.Node", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=PairState.choices, default=PairState.PROPOSED)
    relationship = models.CharField(
        max_length=20, choices=PairRelationship.choices, blank=True, default=""
    )
    note = models.CharField(max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by_name = models.CharField(max_length=254, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["requirement_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["requirement", "rank"], name="mapping_pair_rank"),
            models.CheckConstraint(
                condition=models.Q(state__in=PairState.values), name="mapping_known_pair_state"
            ),
            models.CheckConstraint(
                condition=models.Q(relationship__in=["", *PairRelationship.values]),
                name="mapping_known_relationship",
            ),
            # Nothing enters the crosswalk without a person's decision and a relationship.
            models.CheckConstraint(
                condition=models.Q(state="proposed")
                | models.Q(state="rejected")
                | (~models.Q(relationship="") & models.Q(reviewed_at__isnull=False)),
                name="mapping_reviewed_pairs_say_how",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "state"]),
            models.Index(fields=["project", "score"]),
        ]

    def __str__(self) -> str:
        return f"{self.requirement_id} → {self.target_code} ({self.state})"

    @property
    def in_crosswalk(self) -> bool:
        return self.state in IN_CROSSWALK
