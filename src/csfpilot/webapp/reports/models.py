"""An organization's own look for its reports: a template, a logo and two colours.

One row per organization, changed by its owners and assessors. The template
is Jinja2 source rendered in a sandbox over the report's data only; the logo
is kept as the checked image bytes (PNG or JPEG) and embedded as a data URI;
colours are ``#rrggbb``. Everything is checked before it is stored
(:mod:`.services`), and checked again on every render.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from csfpilot.reports.branding import DEFAULT_ACCENT, DEFAULT_PRIMARY


class ReportTemplate(models.Model):
    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="report_template"
    )
    template = models.TextField(_("template"), blank=True)
    template_name = models.CharField(_("template file"), max_length=200, blank=True)
    logo = models.BinaryField(_("logo"), null=True, blank=True)
    logo_type = models.CharField(max_length=20, blank=True)
    primary = models.CharField(_("main colour"), max_length=7, default=DEFAULT_PRIMARY)
    accent = models.CharField(_("accent colour"), max_length=7, default=DEFAULT_ACCENT)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("report template")

    def __str__(self) -> str:
        return f"report template of {self.organization_id}"


class RenderSlot(models.Model):
    """One of the installation's report-rendering places, shared by every server process.

    A render takes a free slot (or one whose holder is past ``expires_at``, its process
    having died) and frees it when done; at most ``CSFPILOT_REPORT_CONCURRENCY`` renders
    run at once, at most ``CSFPILOT_REPORT_CONCURRENCY_PER_USER`` of them for one person.
    Rows are made on first use, numbered from 0.
    """

    number = models.PositiveIntegerField(primary_key=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    holder = models.CharField(max_length=32, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report render slot")

    def __str__(self) -> str:
        return f"render slot {self.number}"
