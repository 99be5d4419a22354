"""The control tree of a large framework (SP 800-53: 1,189 elements), drawn in Python.

The Django template language costs tens of microseconds per tag; a family →
control → enhancement tree with links, baseline badges and withdrawal notes
would spend most of a second there. Building the same markup with
plain string building keeps the page fast; every value is HTML-escaped
(``_e``) before it is joined in.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from django import template
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from csfpilot.webapp.site.templatetags.csf_display import (
    baseline_badges,
    level_name,
    relationship_label,
)

register = template.Library()

_SENTINEL = "__code__"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


class _Drawer:
    def __init__(
        self,
        framework_key: str,
        baselines: Mapping[int, list[str]],
        withdrawals: Mapping[int, Sequence[Any]],
        translations: Mapping[int, Any],
    ) -> None:
        self.url_pattern = reverse("catalog:node", args=[framework_key, _SENTINEL])
        self.baselines = baselines
        self.withdrawals = withdrawals
        self.translations = translations
        self.withdrawn_label = _e(_("Withdrawn"))
        self._badges: dict[tuple[str, ...], str] = {}
        self._verbs: dict[str, str] = {}

    def url(self, code: str) -> str:
        return _e(self.url_pattern.replace(_SENTINEL, iri_to_uri(code)))

    def badges(self, node_id: int) -> str:
        names = tuple(self.baselines.get(node_id) or ())
        if names not in self._badges:
            self._badges[names] = str(baseline_badges(list(names)))
        return self._badges[names]

    def verb(self, relation: str) -> str:
        if relation not in self._verbs:
            self._verbs[relation] = _e(relationship_label(relation))
        return self._verbs[relation]

    def title(self, node: Any) -> tuple[str, str]:
        tr = self.translations.get(node.id)
        if tr is not None and tr.title:
            return tr.title, "zh-Hant-TW" if tr.language == "zh-hant" else tr.language
        return node.title, "en"

    def went_to(self, node: Any) -> str:
        ws = self.withdrawals.get(node.id) or ()
        if not ws:
            return ""
        targets = ", ".join(
            f'<a href="{self.url(w.target_code)}">{_e(w.target_code)}</a>'
            if w.target_id
            else _e(w.target_code)
            for w in ws
        )
        return f' <span class="went-to">{self.verb(ws[0].relation)} {targets}</span>'

    def item(self, t: Any) -> str:
        node = t.node
        title, lang = self.title(node)
        code = _e(node.code)
        withdrawn = ""
        if node.withdrawn:
            withdrawn = (
                f' <span class="tag tag-withdrawn">{self.withdrawn_label}</span>'
                + self.went_to(node)
            )
        children = ""
        if t.children:
            children = (
                '<ul class="enhancements">' + "".join(self.item(c) for c in t.children) + "</ul>"
            )
        return (
            f'<li class="control{" is-withdrawn" if node.withdrawn else ""}" id="{code}">'
            f'<div class="control-line"><a class="node-link" href="{self.url(node.code)}">'
            f'{code}</a> <span class="control-title" lang="{_e(lang)}">{_e(title)}</span> '
            f"{self.badges(node.id)}{withdrawn}</div>{children}</li>"
        )

    def group(self, t: Any, *, open_: bool) -> str:
        node = t.node
        title, lang = self.title(node)
        code = _e(node.code)
        # Active elements only, as in the header above the tree; withdrawn ones are
        # listed in the family but counted apart, so the families add up to the header.
        count = sum(not c.node.withdrawn for c in t.children)
        withdrawn = len(t.children) - count
        child_level = t.children[0].node.level if t.children else ""
        noun = level_name(child_level, count != 1) if child_level else ""
        more = (
            f' <span class="withdrawn-count">'
            f"{_e(_('(+%(n)s withdrawn)') % {'n': withdrawn})}</span>"
            if withdrawn
            else ""
        )
        own_page = _("%(code)s on its own page") % {"code": node.code}
        return (
            f'<li class="tree-function" id="{code}"><details{" open" if open_ else ""}>'
            f'<summary><span class="code-badge">{code}</span> '
            f'<span class="node-title" lang="{_e(lang)}">{_e(title)}</span> '
            f'<span class="muted">{count} {_e(noun)}{more}</span></summary>'
            f'<div class="tree-body"><p class="tree-open"><a href="{self.url(node.code)}">'
            f'{_e(own_page)}</a></p><ul class="controls">'
            + "".join(self.item(c) for c in t.children)
            + "</ul></div></details></li>"
        )


@register.simple_tag
def control_tree(
    tree: Sequence[Any],
    framework_key: str,
    baselines: Mapping[int, list[str]] | None = None,
    withdrawals: Mapping[int, Sequence[Any]] | None = None,
    translations: Mapping[int, Any] | None = None,
) -> SafeString:
    """``<li>`` per top-level group (collapsed unless it is the only one), its elements
    nested below with links, baseline badges and, when withdrawn, where they went."""
    drawer = _Drawer(framework_key, baselines or {}, withdrawals or {}, translations or {})
    only_one = len(tree) == 1
    # Every piece above escapes its values; the joined markup is safe.
    return mark_safe("".join(drawer.group(t, open_=only_one) for t in tree))  # noqa: S308
