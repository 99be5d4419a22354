from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "csfpilot.webapp.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from csfpilot.webapp.audit import account_events

        account_events.connect()
