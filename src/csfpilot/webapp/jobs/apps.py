from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "csfpilot.webapp.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from csfpilot.webapp.jobs.panels import JOBS
        from csfpilot.webapp.organizations.panels import register

        register(JOBS)
