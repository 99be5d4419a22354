"""The supplier register (GV.SC-04) and the questionnaires suppliers answer.

A :class:`Supplier` belongs to one organization (the buyer). Its **requirement set** is
either one of the buyer's Community Profiles (its target levels) or a list of outcomes
with target levels kept on the supplier (``requirements``). Each assessment cycle the buyer
sends a :class:`Questionnaire`, a copy of the requirement set at that moment
(:class:`QuestionnaireItem` rows), so that a later change to the requirement set never
changes what a supplier was asked.

A supplier's contact answers through a :class:`GuestLink` (no account): only the SHA-256
of the link's token is stored, it expires, it can be revoked, and it opens nothing but its
own questionnaire, after the contact proves the e-mail address with a code.

The latest submitted questionnaire's results are copied onto the supplier (``risk_*``,
``attainment``) so that the portfolio of thousands of suppliers reads one table.
All times are stored in UTC.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from csfpilot.webapp.profiles.models import default_scale
from csfpilot.webapp.suppliers.tiering import Tier


class DataAccess(models.TextChoices):
    NONE = "none", _("No access to our data")
    INTERNAL = "internal", _("Internal data")
    CONFIDENTIAL = "confidential", _("Confidential data")
    PERSONAL = "personal", _("Personal or regulated data")


class SystemAccess(models.TextChoices):
    NONE = "none", _("No access to our systems")
    USER = "user", _("User-level access")
    PRIVILEGED = "privileged", _("Administrative or privileged access")


class ServiceDependency(models.TextChoices):
    SUPPORTING = "supporting", _("Supporting (easily replaced)")
    IMPORTANT = "important", _("Important")
    ESSENTIAL = "essential", _("Essential (the business stops without it)")


class TierChoice(models.TextChoices):
    CRITICAL = Tier.CRITICAL.value, _("Critical")
    HIGH = Tier.HIGH.value, _("High")
    MODERATE = Tier.MODERATE.value, _("Moderate")
    LOW = Tier.LOW.value, _("Low")


class Language(models.TextChoices):
    EN = "en", "English"
    ZH_HANT = "zh-hant", "繁體中文"


class Supplier(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="suppliers"
    )
    name = models.CharField(_("name"), max_length=200)
    services = models.TextField(_("services provided"), blank=True)
    data_access = models.CharField(
        _("data access"), max_length=20, choices=DataAccess.choices, default=DataAccess.NONE
    )
    system_access = models.CharField(
        _("system access"), max_length=20, choices=SystemAccess.choices, default=SystemAccess.NONE
    )
    service_dependency = models.CharField(
        _("service dependency"),
        max_length=20,
        choices=ServiceDependency.choices,
        default=ServiceDependency.SUPPORTING,
    )
    country = models.CharField(_("country"), max_length=2, blank=True)  # ISO 3166-1 alpha-2
    derived_tier = models.CharField(max_length=10, choices=TierChoice.choices)
    tier_override = models.CharField(
        _("criticality set by hand"), max_length=10, choices=TierChoice.choices, blank=True
    )
    tier_reason = models.TextField(_("reason for the tier set by hand"), blank=True)
    # The tier in force (the override, else the derived one), kept for ordering and filters.
    tier = models.CharField(max_length=10, choices=TierChoice.choices)
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    requirement_profile = models.ForeignKey(
        "profiles.Profile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Community Profile required"),
    )
    # [{"code": "GV.SC-05", "target": "fully"}, ...] when no Community Profile is chosen.
    requirements = models.JSONField(default=list, blank=True)
    language = models.CharField(
        _("questionnaire language"), max_length=10, choices=Language.choices, default="en"
    )
    next_assessment_due = models.DateField(_("next assessment due"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The key the supplier signs its answer packages with, pinned at the first trusted answer:
    # from then on an answer signed by any other key is refused.
    package_fingerprint = models.CharField(max_length=40, blank=True)
    # The latest submitted questionnaire's results (see risk.py).
    risk_score = models.PositiveSmallIntegerField(null=True, blank=True)
    risk_rating = models.CharField(max_length=10, default="unknown")
    gap = models.FloatField(null=True, blank=True)
    attainment = models.JSONField(default=dict, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [Lower("name"), "id"]
        indexes = [
            models.Index(fields=["organization", "risk_score"], name="suppliers_by_risk"),
            models.Index(fields=["organization", "next_assessment_due"], name="suppliers_by_due"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), max_length=254)
    role = models.CharField(_("role"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class QuestionnaireState(models.TextChoices):
    SENT = "sent", _("Sent")
    IN_PROGRESS = "in_progress", _("Being answered")
    SUBMITTED = "submitted", _("Submitted")
    CLOSED = "closed", _("Closed")


class Questionnaire(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="questionnaires")
    cycle = models.PositiveIntegerField()
    language = models.CharField(max_length=10, choices=Language.choices, default="en")
    # As profiles/storage.py writes a scale: a built-in key, or a custom scale in full.
    scale = models.JSONField(default=default_scale)
    guidance = models.TextField(blank=True)
    due = models.DateField()
    state = models.CharField(
        max_length=20, choices=QuestionnaireState.choices, default=QuestionnaireState.SENT
    )
    sent_at = models.DateTimeField()
    # The name an answer package gives this cycle (exchange.py); made when first sent as a
    # package.
    reference = models.UUIDField(null=True, blank=True, unique=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.CharField(max_length=254, blank=True)  # the contact's e-mail, or how
    risk_score = models.PositiveSmallIntegerField(null=True, blank=True)
    risk_rating = models.CharField(max_length=10, default="unknown")
    gap = models.FloatField(null=True, blank=True)
    attainment = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-cycle", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "cycle"], name="suppliers_one_per_cycle")
        ]
        indexes = [models.Index(fields=["organization", "state", "due"], name="suppliers_q_due")]

    def __str__(self) -> str:
        return f"{self.supplier_id} cycle {self.cycle}"

    @property
    def open(self) -> bool:
        return self.state in (QuestionnaireState.SENT, QuestionnaireState.IN_PROGRESS)


class QuestionnaireItem(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(max_length=100)
    position = models.PositiveIntegerField()
    target = models.JSONField()  # a level key of the questionnaire's scale
    answer = models.JSONField(null=True, blank=True)
    comment = models.TextField(blank=True)
    evidence = models.TextField(blank=True)  # what the supplier offers as evidence
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="suppliers_item_once")
        ]

    def __str__(self) -> str:
        return self.code


class GuestLink(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="links")
    email = models.EmailField(max_length=254)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # E-mail verification: the hash of the last code sent, when, and failed tries since.
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_failures = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    # The hash of the browser's proof of verification (a cookie scoped to the link's path).
    browser_hash = models.CharField(max_length=64, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"link for {self.email}"


class ReceivedQuestionnaire(models.Model):
    """A customer's questionnaire, imported from a signed package, as its supplier answers it.

    The other side of :class:`Questionnaire`: this organization is the supplier. It keeps
    what was asked (``items``: code and required level, on ``scale``), from whom (the
    buyer's name and key, and whether that key is trusted here), the profile the answers
    were taken from, and the answers as edited (``answers``: code → answer, comment,
    evidence). Returning it writes a signed answer package (received.py).
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    package_id = models.UUIDField()
    reference = models.UUIDField()
    buyer = models.CharField(max_length=200)
    buyer_fingerprint = models.CharField(max_length=40, blank=True)
    trusted = models.BooleanField()
    trusted_as = models.CharField(max_length=200, blank=True)
    supplier_name = models.CharField(max_length=200, blank=True)  # as the buyer calls us
    cycle = models.PositiveIntegerField()
    due = models.DateField()
    language = models.CharField(max_length=10, choices=Language.choices, default="en")
    guidance = models.TextField(blank=True)
    framework = models.CharField(max_length=100)
    scale = models.JSONField(default=default_scale)
    items = models.JSONField(default=list)  # [{"code", "target"}] in the buyer's order
    profile = models.ForeignKey(
        "profiles.Profile", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answers = models.JSONField(default=dict, blank=True)  # code → {answer, comment, evidence}
    received_at = models.DateTimeField()
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_level = models.CharField(max_length=10, blank=True)
    returned_package_id = models.UUIDField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reference"], name="suppliers_received_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.buyer} #{self.cycle}"


class RemediationState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Remediation(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="remediations")
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    code = models.CharField(max_length=100, blank=True)
    request = models.TextField()
    due = models.DateField()
    state = models.CharField(
        max_length=10, choices=RemediationState.choices, default=RemediationState.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["organization", "state", "due"], name="suppliers_rem_due")]

    def __str__(self) -> str:
        return f"{self.code or 'remediation'} due {self.due}"


class ReminderSent(models.Model):
    """One reminder about one questionnaire or remediation to one address on one day."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(max_length=20)  # questionnaire | remediation
    object_id = models.PositiveIntegerField()
    day = models.DateField()
    recipient = models.CharField(max_length=254)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "object_id", "day", "recipient"], name="suppliers_remind_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.object_id} to {self.recipient} on {self.day}"
