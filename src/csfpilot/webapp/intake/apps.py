from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "csfpilot.webapp.intake"
    label = "intake"
    verbose_name = _("Spreadsheet imports")
