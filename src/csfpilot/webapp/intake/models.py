"""A workbook held between the steps of a wizard, and where a Community Profile came from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    COMMUNITY = "community", _("Community Profile workbook")
    CSF11 = "csf11", _("CSF 1.1 assessment")


class HeldUpload(models.Model):
    """The file a person uploaded to a wizard, kept until they store the result or start over.

    One per person, organization and wizard: a new upload replaces the old, and
    storing the result deletes it. Files left behind are deleted after a day.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "purpose"], name="held_upload_one_per_wizard"
            )
        ]

    def __str__(self) -> str:
        return self.filename


class CommunitySource(models.Model):
    """Who published a Community Profile read from a workbook, and how it was read.

    ``spec`` is the column mapping (as the mapping file writes it, with the value
    choices made in the preview), ``citations`` the rows each outcome came from.
    """

    profile = models.OneToOneField(
        "profiles.Profile", on_delete=models.CASCADE, related_name="community_source"
    )
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    version = models.CharField(_("version"), max_length=64, blank=True)
    terms = models.TextField(_("terms of use"), blank=True)
    source_file = models.CharField(max_length=255)
    source_sha256 = models.CharField(max_length=64)
    spec = models.JSONField(default=dict)
    citations = models.JSONField(default=dict)
    statements_framework = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.publisher} {self.version}".strip() or self.source_file
