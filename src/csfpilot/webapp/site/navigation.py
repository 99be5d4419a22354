"""The main navigation: one ordered list that every page's header is drawn from.

A feature adds itself to the header by registering a :class:`NavItem` here
(e.g. Organizations and Profiles, placed with ``order`` between the catalog
entries), so that the layout template never changes when features arrive.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    """One entry of the main navigation.

    ``sections`` are URL names (``namespace:name``) or whole namespaces
    (``namespace:*``) for which this entry is marked as the current page.
    """

    key: str
    label: str | Promise
    url_name: str
    order: int
    sections: tuple[str, ...] = ()

    def url(self) -> str:
        return reverse(self.url_name)

    def is_current(self, view_name: str | None) -> bool:
        if not view_name:
            return False
        for s in self.sections or (self.url_name,):
            if s.endswith(":*") and view_name.startswith(s[:-1]):
                return True
            if s == view_name:
                return True
        return False


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    """Add (or replace, by key) an entry of the main navigation."""
    _ITEMS[item.key] = item


def items() -> list[NavItem]:
    return sorted(_ITEMS.values(), key=lambda i: (i.order, i.key))


# Orders leave room: organizations/profiles/assessments go between 20 and 80.
register(
    NavItem(
        "frameworks",
        _("Frameworks"),
        "catalog:framework_list",
        order=10,
        sections=("catalog:framework_list", "catalog:framework", "catalog:node"),
    )
)
register(
    NavItem(
        "crosswalks",
        _("Crosswalks"),
        "catalog:crosswalk_list",
        order=80,
        sections=("catalog:crosswalk_list", "catalog:crosswalk"),
    )
)
register(NavItem("search", _("Search"), "catalog:search", order=90))
register(NavItem("profiles", _("Profiles"), "profiles:mine", order=30, sections=("profiles:*",)))
