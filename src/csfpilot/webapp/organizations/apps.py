from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "csfpilot.webapp.organizations"
    label = "organizations"
    verbose_name = _("Organizations")

    def ready(self) -> None:
        from csfpilot.webapp.site import navigation

        navigation.register(
            navigation.NavItem(
                "organizations",
                _("Organizations"),
                "organizations:list",
                order=20,
                sections=("organizations:*",),
            )
        )
