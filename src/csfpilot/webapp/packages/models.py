"""Signing keys of organizations, the partner keys they trust, and the packages they imported.

An organization signs the packages it exports with its **active key**
(Ed25519; the private half encrypted at rest, see :mod:`.sealing`). Rotating
retires the active key (kept, public half only in use, so packages signed with
it earlier still verify as this organization's) and makes a new one; revoking a
key marks it as no longer vouching for anything, so a package signed with it is
never shown as trusted again.

A **trusted key** is a partner's key fingerprint the organization has
compared (by telephone, in a meeting) and named. Packages signed by it import
as trusted; any other signer imports only after an explicit confirmation, and
is labelled untrusted for good.

An **imported package** row remembers each package id an organization
imported, so that the same package cannot be imported twice (a replay).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class OrganizationKey(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="package_keys"
    )
    fingerprint = models.CharField(max_length=40, unique=True)
    public_key = models.BinaryField(max_length=32)
    # AES-256-GCM of the raw private key: nonce (12 bytes) + ciphertext and tag.
    sealed_private_key = models.BinaryField(max_length=64)
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(retired_at__isnull=True, revoked_at__isnull=True),
                name="packages_one_active_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.fingerprint} ({self.state})"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.retired_at:
            return "retired"
        return "active"


class TrustedKey(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="trusted_keys"
    )
    fingerprint = models.CharField(max_length=40)
    partner = models.CharField(max_length=200)
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["partner", "fingerprint"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "fingerprint"], name="packages_trust_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} trusts {self.fingerprint} ({self.partner})"


class ImportedPackage(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="imported_packages"
    )
    package_id = models.UUIDField()
    kind = models.CharField(max_length=40)
    redaction = models.CharField(max_length=20)
    producer = models.CharField(max_length=500, blank=True)
    fingerprint = models.CharField(max_length=40, blank=True)
    trusted = models.BooleanField()
    sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField()
    profile = models.ForeignKey(
        "profiles.Profile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "package_id"], name="packages_import_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} imported {self.package_id}"
