"""What each organization contributes to its sector's benchmark, kept ready for SQL.

A sector benchmark (mean, median and quartiles of Function scores across the
organizations of a sector) is computed by the database, so the scores it
aggregates are stored as plain numbers: one :class:`ContributedScore` row per
organization and Function, plus one for the whole profile. They are a copy
(denormalized) of what :func:`csfpilot.core.scoring.score_profile` says about
one profile, the organization's **counted profile**:

1. the profile an owner designated for the benchmark (:class:`PrimaryProfile`), or else
2. the organization's most recently created Organizational Profile on CSF 2.0.

Community Profiles never count (they hold targets only), nor do profiles on
another framework (their Functions would not line up).

:class:`Contribution` records which profile the copy was taken from and that
profile's ``updated_at`` at the time, so a copy is known to be stale as soon
as the profile changes (every content change moves ``updated_at``) or another
profile becomes the counted one. See :mod:`csfpilot.webapp.sectors.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from csfpilot.webapp.organizations.sectors import Sector

PROFILE_CODE = ""
"""The ``code`` of the row that holds the whole profile's score (Functions have their ids)."""


class PrimaryProfile(models.Model):
    """The profile an organization designated to count in its sector's benchmark."""

    organization = models.OneToOneField(
        "organizations.Organization",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="primary_profile",
    )
    profile = models.ForeignKey("profiles.Profile", on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.organization_id} → {self.profile_id}"


class Contribution(models.Model):
    """Which profile an organization's stored scores were computed from, and when."""

    organization = models.OneToOneField(
        "organizations.Organization",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="sector_contribution",
    )
    profile = models.ForeignKey("profiles.Profile", on_delete=models.CASCADE, related_name="+")
    # The organization's sector when the scores were stored; a different one means stale.
    sector = models.CharField(max_length=40, choices=Sector.choices, blank=True, default="")
    # The profile's updated_at when the scores were computed: a later one means stale.
    profile_updated_at = models.DateTimeField()
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.organization_id} from profile {self.profile_id}"


class ContributedScore(models.Model):
    """One organization's score for one Function (or the whole profile), in percent.

    ``sector`` repeats the organization's sector so that the aggregate reads
    one table through one index. ``current`` and ``target`` are 0–100, or
    null when nothing under the Function is assessed on that side (such an
    organization does not count towards that number's n).
    """

    # The contribution's key is the organization's id, so this column holds that id too;
    # deleting the counted profile removes its contribution and these rows with it.
    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="scores")
    sector = models.CharField(max_length=40, choices=Sector.choices, blank=True)
    code = models.CharField(max_length=20, blank=True)
    current = models.FloatField(null=True)
    target = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "code"], name="sectors_one_score_per_code"
            )
        ]
        # Covering indexes in the order the quartiles need: SQLite reads each Function's
        # values already sorted instead of sorting them per request.
        indexes = [
            models.Index(fields=["sector", "code", "current"], name="sectors_score_current"),
            models.Index(fields=["sector", "code", "target"], name="sectors_score_target"),
        ]

    def __str__(self) -> str:
        return f"{self.contribution_id} {self.code or 'profile'}"


class MemberStatus(models.TextChoices):
    """Where an organization stands with its sector's benchmark."""

    REQUESTED = "requested", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REVOKED = "revoked", _("Revoked")


class SectorMember(models.Model):
    """Whether an organization's scores count in a sector's benchmark.

    Choosing a sector only *asks* to take part (``requested``). The scores count
    toward the sector's numbers, and toward its threshold k, only once the
    operator or the sector's steward has approved the organization: otherwise
    anyone who may create organizations could join a sector with made-up
    profiles, reach k, and work a real member's exact scores out of the mean.
    One row per organization and sector, so a revoked organization that moves
    away and back is still revoked.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="sector_memberships"
    )
    sector = models.CharField(max_length=40, choices=Sector.choices)
    status = models.CharField(
        max_length=20, choices=MemberStatus.choices, default=MemberStatus.REQUESTED
    )
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    # Who approved or revoked: a steward or the operator's account; null with decided_at set
    # is the command line (the instance's operator). The name is kept as it was then.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_name = models.CharField(max_length=254, blank=True, default="")

    class Meta:
        ordering = ["sector", "organization__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sector"], name="sectors_one_membership_per_sector"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=MemberStatus.values), name="sectors_known_status"
            ),
        ]
        # The aggregate keeps the approved organizations of one sector: (sector, status) first.
        indexes = [
            models.Index(fields=["sector", "status", "organization"], name="sectors_member_status")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} in {self.sector}: {self.status}"


class SectorSteward(models.Model):
    """An account the operator names to approve and revoke the organizations of one sector.

    A steward speaks for the sector body (an ISAC, a regulator, an industry
    association). Stewardship gives no access to any organization's data: a
    steward sees which organizations asked to take part, and decides.
    """

    sector = models.CharField(max_length=40, choices=Sector.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sector_stewardships"
    )
    appointed_at = models.DateTimeField()

    class Meta:
        ordering = ["sector", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["sector", "user"], name="sectors_one_steward_row")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} stewards {self.sector}"


# -- between instances: the sector body's members, their signed contributions, and the
# aggregate members import (see csfpilot.webapp.sectors.exchange) ---------------------------


class RemoteMember(models.Model):
    """A member organization on another instance, known to the sector body by name and key.

    The steward or the operator adds it after checking the key's fingerprint with the
    member (out of band, as for any partner key); only contributions signed by an
    approved member's key are accepted.
    """

    sector = models.CharField(max_length=40, choices=Sector.choices)
    name = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=40)
    status = models.CharField(
        max_length=20, choices=MemberStatus.choices, default=MemberStatus.APPROVED
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["sector", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sector", "fingerprint"], name="sectors_one_remote_key_per_sector"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.fingerprint}) in {self.sector}"


class RemoteContribution(models.Model):
    """The latest signed contribution of one remote member: scores only, in percent.

    ``scores`` maps "" (the whole profile) and each Function id to ``[current, target]``.
    Every package id ever accepted is kept (``SeenContribution``) so a replay is refused.
    """

    member = models.OneToOneField(
        RemoteMember, on_delete=models.CASCADE, related_name="contribution"
    )
    package_id = models.UUIDField()
    created = models.DateTimeField()  # when the member signed it
    received_at = models.DateTimeField()
    sha256 = models.CharField(max_length=64)
    scores = models.JSONField()

    def __str__(self) -> str:
        return f"{self.member_id} {self.package_id}"


class SeenContribution(models.Model):
    """A contribution package id already imported (any member, any sector): replays are refused."""

    package_id = models.UUIDField(unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return str(self.package_id)


class ReceivedAggregate(models.Model):
    """A sector body's signed aggregate, imported by a member organization to see its position.

    ``rows`` holds what the package published: per code and side, n and why a number was
    withheld, or the mean and quartiles.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="sector_aggregates"
    )
    sector = models.CharField(max_length=40, choices=Sector.choices)
    package_id = models.UUIDField()
    published = models.DateTimeField()
    source = models.CharField(max_length=200)  # the sector body, as the package names it
    fingerprint = models.CharField(max_length=40)
    trusted_as = models.CharField(max_length=200)  # the name the organization gave that key
    imported_at = models.DateTimeField()
    contributors = models.PositiveIntegerField()
    min_orgs = models.PositiveIntegerField()
    p_percent = models.FloatField()
    rows = models.JSONField()

    class Meta:
        ordering = ["-published", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "package_id"], name="sectors_aggregate_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sector} aggregate {self.published:%Y-%m-%d} for {self.organization_id}"
