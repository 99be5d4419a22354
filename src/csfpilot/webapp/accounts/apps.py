from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "csfpilot.webapp.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from csfpilot.webapp.accounts import signals  # noqa: F401 - connects receivers
        from csfpilot.webapp.accounts.panels import API_ACCESS
        from csfpilot.webapp.organizations.panels import register

        register(API_ACCESS)
