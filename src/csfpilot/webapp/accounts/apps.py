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
        _label_allauth_fields()


def _label_allauth_fields() -> None:
    """django-allauth names this field from its attribute, which no translation reaches."""
    from allauth.account.forms import RequestReauthenticationCodeForm
    from django.utils.translation import gettext_lazy

    RequestReauthenticationCodeForm.base_fields["recipient"].label = gettext_lazy("Recipient")
