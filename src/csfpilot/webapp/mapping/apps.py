from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MappingConfig(AppConfig):
    name = "csfpilot.webapp.mapping"
    label = "mapping"
    verbose_name = _("Crosswalk reviews")

    def ready(self) -> None:
        from csfpilot.webapp.mapping.panels import CROSSWALKS
        from csfpilot.webapp.organizations.panels import register

        register(CROSSWALKS)
