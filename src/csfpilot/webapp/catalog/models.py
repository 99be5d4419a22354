"""Frameworks as stored: one row per release, one row per element, one per mapping row.

A framework release is immutable once loaded: profiles and assessments point at
its nodes, so a newer NIST release is loaded beside it under a new key
(``csf-2.1``) and never rewrites the old rows.
"""

from __future__ import annotations

from django.db import models


class Framework(models.Model):
    key = models.CharField(max_length=64, unique=True)  # "csf-2.0"
    family = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=64)
    publisher = models.CharField(max_length=200)
    terms = models.TextField(blank=True)
    levels = models.JSONField(default=list)
    outcome_level = models.CharField(max_length=64, blank=True)
    # Only the identifiers NIST's crosswalks name (CIS Controls, ISO/IEC 27001), not the
    # whole framework: the pages say so.
    named_by_crosswalks = models.BooleanField(default=False)
    language = models.CharField(max_length=16, default="en")
    source_file = models.CharField(max_length=300, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    content_digest = models.CharField(max_length=64)
    bundled = models.BooleanField(default=False)  # shipped inside the package
    node_count = models.PositiveIntegerField(default=0)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["family", "key"]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class Node(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="nodes")
    code = models.CharField(max_length=100)
    level = models.CharField(max_length=64)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    order = models.PositiveIntegerField()
    title = models.TextField(blank=True)
    text = models.TextField(blank=True)
    withdrawn = models.BooleanField(default=False)
    withdrawal_note = models.TextField(blank=True)
    props = models.JSONField(default=dict, blank=True)
    # Lower-cased code, title, text and examples: what search matches against.
    search_text = models.TextField(blank=True)

    class Meta:
        ordering = ["framework_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="node_unique_code")
        ]
        indexes = [
            models.Index(fields=["framework", "order"]),
            models.Index(fields=["framework", "level"]),
        ]

    def __str__(self) -> str:
        return self.code


class NodeTranslation(models.Model):
    """NIST's text in another language; English is the node itself."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=16)
    title = models.TextField(blank=True)
    text = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node", "language"], name="translation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.node_id} ({self.language})"


class Example(models.Model):
    """An Implementation Example: a concise action that helps achieve an outcome."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="examples")
    code = models.CharField(max_length=100)
    title = models.CharField(max_length=100)
    text = models.TextField()
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["node_id", "order"]

    def __str__(self) -> str:
        return self.code


class Withdrawal(models.Model):
    """Where a withdrawn element of the same framework went."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="withdrawals")
    relation = models.CharField(max_length=32)
    target_code = models.CharField(max_length=100)
    target = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.relation} {self.target_code}"


class MappingDataset(models.Model):
    key = models.CharField(max_length=120, unique=True)
    name = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200)
    version = models.CharField(max_length=64, blank=True)
    terms = models.TextField(blank=True)
    description = models.TextField(blank=True)
    source_framework_key = models.CharField(max_length=64)
    target_framework_key = models.CharField(max_length=64)
    source_file = models.CharField(max_length=300, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    content_digest = models.CharField(max_length=64)
    bundled = models.BooleanField(default=False)
    row_count = models.PositiveIntegerField(default=0)
    reviewed_by = models.CharField(max_length=200, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class Mapping(models.Model):
    """One crosswalk row. Codes are kept even when no loaded catalog has the element."""

    dataset = models.ForeignKey(MappingDataset, on_delete=models.CASCADE, related_name="rows")
    source_code = models.CharField(max_length=100)
    target_code = models.CharField(max_length=100)
    source = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="mappings_out"
    )
    target = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="mappings_in"
    )
    relationship = models.CharField(max_length=32)
    comment = models.TextField(blank=True)
    strength = models.PositiveSmallIntegerField(null=True, blank=True)
    target_title = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["dataset", "source_code"]),
            models.Index(fields=["dataset", "target_code"]),
        ]

    def __str__(self) -> str:
        return f"{self.source_code} {self.relationship} {self.target_code}"


class BaselineMembership(models.Model):
    """A control's place in a named baseline (SP 800-53 LOW/MODERATE/HIGH/PRIVACY)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="baselines")
    name = models.CharField(max_length=64)
    code = models.CharField(max_length=100)
    node = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.CASCADE, related_name="baselines"
    )
    source_file = models.CharField(max_length=300, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["framework", "name", "code"], name="baseline_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.code}"


class FrameworkAlias(models.Model):
    """Another tool's copy of a NIST release, mapped onto NIST's elements on import.

    Nothing of the copy is stored as a framework; crosswalks that name the copy
    (by ``key``) are linked to ``official_key``, reading the copy's ids through
    ``renamed`` (``{"GV.OC-1": "GV.OC-01"}``).
    """

    key = models.CharField(max_length=64, unique=True)
    official_key = models.CharField(max_length=64)
    name = models.CharField(max_length=200, blank=True)
    renamed = models.JSONField(default=dict, blank=True)
    source_file = models.CharField(max_length=300, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} → {self.official_key}"
