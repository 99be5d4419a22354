from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "csfpilot.webapp.evidence"
    label = "evidence"
    verbose_name = _("Evidence")

    def ready(self) -> None:
        from csfpilot.webapp.evidence.panels import EVIDENCE
        from csfpilot.webapp.organizations.panels import register

        register(EVIDENCE)
