from django.urls import include, path, re_path
from django.views.i18n import set_language

from csfpilot.webapp.config.api import api, unknown_path

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", api.urls),
    re_path(r"^api/", unknown_path),  # after every endpoint: unknown API paths answer JSON
    path("", include("csfpilot.webapp.site.urls")),
    path("", include("csfpilot.webapp.catalog.urls")),
    path("", include("csfpilot.webapp.accounts.urls")),
    path("", include("csfpilot.webapp.organizations.urls")),
    path("", include("csfpilot.webapp.profiles.urls")),
    path("", include("csfpilot.webapp.jobs.urls")),
    path("", include("csfpilot.webapp.sectors.urls")),
    path("", include("csfpilot.webapp.reports.urls")),
    path("", include("csfpilot.webapp.audit.urls")),
    path("", include("csfpilot.webapp.backup.urls")),
    path("", include("csfpilot.webapp.evidence.urls")),
    path("", include("csfpilot.webapp.intake.urls")),
    path("", include("csfpilot.webapp.packages.urls")),
    path("accounts/", include("allauth.urls")),
]
