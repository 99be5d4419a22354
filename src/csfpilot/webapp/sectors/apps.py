from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SectorsConfig(AppConfig):
    name = "csfpilot.webapp.sectors"
    label = "sectors"
    verbose_name = _("Sector benchmarks")

    def ready(self) -> None:
        from csfpilot.webapp.organizations.panels import register
        from csfpilot.webapp.sectors.panels import SECTOR

        register(SECTOR)
