from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "csfpilot.webapp.catalog"
    label = "catalog"
    verbose_name = "Catalog"
