"""The REST API: one django-ninja instance, one router per app."""

from ninja import NinjaAPI

from csfpilot import __version__

api = NinjaAPI(
    title="csfpilot API",
    version=__version__,
    description="Frameworks, elements, crosswalks and search over NIST CSF 2.0 and related "
    "frameworks.",
    urls_namespace="api",
)

api.add_router("/", "csfpilot.webapp.catalog.api.router")
