"""Audit events as stored: one row per recorded change, chained by hash per organization.

A row records who (``actor_kind``: a signed-in ``user``, the ``cli`` operator
or the ``system`` itself; the user's id and name as they were at the time),
when (UTC), in which organization, on what (``object_type``, ``object_id``,
``object_label``), the ``action``, and ``changes``: the field-level difference
``{"field": [before, after]}``. A bulk change (a file import, a derived
target, a backup restored) is one row whose ``changes`` lists every object it
touched (see :mod:`csfpilot.webapp.audit.services`).

Rows without an organization form the **instance chain**: backups and restores
are recorded there (naming the organization in ``org_slug``), not in the
organization's own chain, so that a backup restored and backed up again is
byte for byte the same archive.

The actor and organization are kept as recorded text and ids, not as foreign
keys that could later be nulled: an entry's content never changes, or its hash
would no longer verify (:mod:`csfpilot.webapp.audit.chain`).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from csfpilot.webapp.audit.chain import timestamp


class ActorKind(models.TextChoices):
    USER = "user", _("User")
    CLI = "cli", _("Command line")
    SYSTEM = "system", _("System")


QUIET_ACTIONS = ("download", "sign-in", "sign-in-failed")
"""Events that record something happening without any data changing."""


class AuditEvent(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="audit_events",
        null=True,
        blank=True,
    )
    seq = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # HMAC-SHA256 of ``hash`` with the audit key (outside the database): see chain.py.
    mac = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(_("when"))
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    # The user's id when the event was recorded; not a foreign key (see the module docstring).
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(_("who"), max_length=254, blank=True)
    # The organization's slug as hashed: slugs never change, ids differ between databases.
    # In the instance chain, the organization a backup or restore concerned ("" for all).
    org_slug = models.CharField(max_length=60, blank=True)
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.CharField(max_length=100, blank=True)
    object_label = models.TextField(_("object"), blank=True)
    action = models.CharField(_("action"), max_length=20)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["organization_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "seq"], name="audit_seq_once_per_org"),
            models.UniqueConstraint(
                fields=["seq"],
                condition=models.Q(organization__isnull=True),
                name="audit_seq_once_per_instance",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-at"]),
            models.Index(fields=["organization", "object_type"]),
            models.Index(fields=["organization", "actor_id"]),
            # The last event that changed something (reports/report_key.py): downloads and
            # sign-ins change no data, and a report asked for again must not skip them one
            # by one.
            models.Index(
                fields=["organization", "seq"],
                condition=~models.Q(action__in=QUIET_ACTIONS),
                name="audit_last_change",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org_slug} #{self.seq} {self.action} {self.object_type} {self.object_id}"

    def hashed_fields(self) -> dict[str, Any]:
        """What the entry's hash covers, as :func:`.chain.entry_hash` takes it."""
        return {
            "seq": self.seq,
            "prev_hash": self.prev_hash,
            "at": timestamp(self.at),
            "actor": {"kind": self.actor_kind, "id": self.actor_id, "name": self.actor_name},
            "organization": self.org_slug,
            "object": {"type": self.object_type, "id": self.object_id, "label": self.object_label},
            "action": self.action,
            "changes": self.changes,
        }
