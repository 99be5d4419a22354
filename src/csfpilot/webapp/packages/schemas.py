"""Request and response bodies of ``/api/organizations/{slug}/keys|trusted-keys|packages``."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema


class KeyOut(Schema):
    fingerprint: str = Field(description="40 hex digits: the first 20 bytes of SHA-256(key).")
    fingerprint_grouped: str = Field(description="The same in groups of four, as people compare.")
    state: str = Field(description="active, retired (still verifies) or revoked.")
    created: str
    retired: str | None
    revoked: str | None
    public_key_pem: str = Field(description="The public key (PEM) to hand to partners.")


class TrustedOut(Schema):
    fingerprint: str
    fingerprint_grouped: str
    partner: str
    added: str


class KeysOut(Schema):
    organization: str
    keys: list[KeyOut]
    trusted: list[TrustedOut]


class TrustIn(Schema):
    fingerprint: str = Field(description="The partner's key fingerprint (spaces allowed).")
    partner: str = Field(description="The partner's name, shown beside the key.")


class FieldOut(Schema):
    member: str
    field: str
    value: Any


class PackageOut(Schema):
    package_id: str
    kind: str
    created: str
    producer: str
    fingerprint: str | None = Field(description="The signer's key; null when unsigned.")
    fingerprint_grouped: str | None
    signed: bool
    trusted: bool = Field(description="Signed by a key this organization trusts.")
    trusted_as: str | None
    redaction: str = Field(description="full, no-text or scores.")
    title: str
    problems: list[str] = Field(description="Why the package is not trusted, in words.")
    members: list[str]
    files: list[dict[str, Any]]


class InspectionOut(PackageOut):
    already_imported: bool
    importable: bool
    reason: str
    listing: list[FieldOut] = Field(description="Every field the package holds.")


class ImportedOut(PackageOut):
    profile_id: int | None
    profile_name: str | None
