from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "csfpilot.webapp.site"
    label = "site"
    verbose_name = "Site"
