"""Browsing pages: frameworks, their elements, crosswalks and search.

Views stay thin: they read through :mod:`csfpilot.webapp.catalog.queries`, pick
the template and answer HTMX requests with the part of the page that changes.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from csfpilot.core.errors import NotFound
from csfpilot.core.ids import DEFAULT_FRAMEWORK
from csfpilot.webapp.catalog import models as m
from csfpilot.webapp.catalog import queries
from csfpilot.webapp.catalog.pending import PendingElement, pending_element
from csfpilot.webapp.catalog.reference_tables import reference_tables

CROSSWALK_PAGE_SIZE = 200
SEARCH_LIMIT = 50


def _framework_or_404(key: str) -> m.Framework:
    try:
        return queries.framework(key)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _primary_first(fws: list[m.Framework]) -> list[m.Framework]:
    """CSF 2.0 first: it is what csfpilot is for; the others are there to relate to it."""
    return sorted(fws, key=lambda fw: fw.key != DEFAULT_FRAMEWORK)


def framework_list(request: HttpRequest) -> HttpResponse:
    fws = _primary_first(queries.frameworks())
    counts = queries.framework_level_counts()
    rows = [
        {"fw": fw, "levels": [(lvl, counts.get(fw.id, {}).get(lvl, {})) for lvl in fw.levels]}
        for fw in fws
    ]
    return render(
        request,
        "catalog/framework_list.html",
        {"rows": rows, "datasets_count": m.MappingDataset.objects.count()},
    )


def _branch_of(tree: list[queries.TreeNode]) -> dict[int, str]:
    """Element id → the code of its second-level ancestor (a CSF Category), or its root."""
    out: dict[int, str] = {}
    for root in tree:
        out[root.node.id] = root.node.code
        for branch in root.children:
            stack = [branch]
            while stack:
                t = stack.pop()
                out[t.node.id] = branch.node.code
                stack.extend(t.children)
    return out


def _active(tree: list[queries.TreeNode]) -> list[queries.TreeNode]:
    """The tree without withdrawn elements (they are listed where their outcome went)."""
    out = []
    for t in tree:
        if t.node.withdrawn:
            continue
        t.children = _active(t.children)
        out.append(t)
    return out


def framework(request: HttpRequest, key: str) -> HttpResponse:
    fw = _framework_or_404(key)
    if key != fw.key:
        return HttpResponsePermanentRedirect(reverse("catalog:framework", args=[fw.key]))
    language = get_language() or "en"
    context: dict[str, object] = {
        "fw": fw,
        "node_base": reverse("catalog:framework", args=[fw.key]),
        "levels": queries.level_counts(fw),
        "translation_sources": queries.translation_sources(fw, language),
    }
    template = (
        "catalog/framework_csf.html" if fw.family == "csf" else "catalog/framework_controls.html"
    )
    context["tree_html"] = _tree_html(request, fw, language, dict(context))
    return render(request, template, context)


def _translations_digest(fw: m.Framework, language: str) -> str:
    """What the tree shows of ``fw``'s translations into ``language``: their words, not only
    their number (an import may bring the same number of other texts)."""
    digest = hashlib.sha256()
    rows = m.NodeTranslation.objects.filter(node__framework=fw, language=language)
    for row in rows.order_by("node_id").values_list("node_id", "title", "text"):
        digest.update(repr(row).encode())
    return digest.hexdigest()[:16]


def _tree_html(
    request: HttpRequest, fw: m.Framework, language: str, context: dict[str, object]
) -> SafeString:
    """The framework's tree, rendered once per release, language and loaded data.

    A stored release never changes (see services.load_bundle), so the rendered tree
    only changes when crosswalk datasets, frameworks or translations are added: loading
    a framework links the crosswalk rows stored before it (services._relink), so every
    loaded release and dataset, with its digest, is in the key.
    """
    key = ":".join(
        [
            "catalog-tree",
            fw.content_digest,
            language,
            queries.loaded_state_digest(),
            _translations_digest(fw, language),
        ]
    )
    cached = cache.get(key)
    if cached is not None:
        # Rendered by an autoescaping template (below); the cache keeps the text only.
        return mark_safe(cached)  # noqa: S308
    context["translations"] = queries.translations_by_node(fw, language)
    if fw.family == "csf":
        full_tree = queries.tree(fw, with_examples=True)
        branch_of = _branch_of(full_tree)
        legacy: dict[str, list[queries.Migration]] = {}
        for mig in queries.migrations_into(fw):
            branch = branch_of.get(mig.target_id) if mig.target_id else None
            legacy.setdefault(branch or "", []).append(mig)
        context.update(tree=_active(full_tree), legacy=legacy, legacy_unplaced=legacy.get(""))
        template = "catalog/_csf_tree.html"
    else:
        context.update(
            tree=queries.tree(fw),
            baselines=queries.baselines_by_node(fw),
            withdrawals=queries.withdrawals_by_node(fw),
            baseline_legend=queries.BASELINE_ORDER,
        )
        template = "catalog/_controls_tree.html"
    html = render_to_string(template, context, request=request)
    cache.set(key, str(html), timeout=24 * 3600)
    return mark_safe(html)  # noqa: S308 - an autoescaping template rendered it


def _suggestions(fw: m.Framework, code: str) -> list[m.Node]:
    """Elements near a mistyped id: ``GV.OC-99`` suggests the GV.OC outcomes."""
    prefix = code.strip()
    for _ in range(6):  # a 404 page: a few small queries at most
        if len(prefix) < 2:
            break
        found = queries.search(prefix, framework_key=fw.key, limit=8)
        if found:
            return found
        prefix = prefix[:-1].rstrip("-.( ")
    return []


def node(request: HttpRequest, key: str, code: str) -> HttpResponse:
    fw = _framework_or_404(key)
    try:
        n = queries.node(fw.key, code)
    except NotFound:
        pending = pending_element(fw, code)
        if pending is not None:
            return _pending_page(request, pending, asked=(key, code))
        return render(
            request,
            "catalog/node_missing.html",
            {
                "fw": fw,
                "code": code.strip(),
                "mentions": queries.mentions(fw.key, code),
                "suggestions": _suggestions(fw, code),
            },
            status=404,
        )
    if n.code != code or fw.key != key or request.path.endswith("/"):
        return HttpResponsePermanentRedirect(reverse("catalog:node", args=[fw.key, n.code]))
    release = request.GET.get("release", "").strip()[:32]
    page = queries.element_page(n, language=get_language() or "en", release=release)
    return render(request, "catalog/node.html", {"fw": fw, "page": page, "n": n})


def _pending_page(
    request: HttpRequest, pending: PendingElement, *, asked: tuple[str, str]
) -> HttpResponse:
    """An id that a crosswalk for a later release names: its page, or the element itself
    once that release is loaded beside the older one."""
    found = pending.loaded_elsewhere
    if found is not None:
        # Not permanent: the address stays the one crosswalks for this framework use.
        return redirect("catalog:node", found.framework.key, found.code)
    fw = pending.framework
    if asked != (fw.key, pending.code) or request.path.endswith("/"):
        return HttpResponsePermanentRedirect(reverse("catalog:node", args=[fw.key, pending.code]))
    loaded = queries.loaded_releases()
    datasets = {
        d.key: d
        for d in m.MappingDataset.objects.filter(key__in={r.dataset_key for r in pending.rows})
    }
    tables = reference_tables(pending.rows, datasets=datasets, loaded=loaded)
    return render(
        request,
        "catalog/node_pending.html",
        {"fw": fw, "pending": pending, "tables": tables, "datasets": list(datasets.values())},
    )


def crosswalk_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalog/crosswalk_list.html",
        {"datasets": queries.datasets(), "loaded": queries.loaded_framework_keys()},
    )


def crosswalk(request: HttpRequest, key: str) -> HttpResponse:
    try:
        ds = queries.dataset(key)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    text = request.GET.get("q", "").strip()[:200]
    relationships = queries.dataset_relationships(ds)
    relationship = request.GET.get("rel", "")
    if relationship not in relationships:
        relationship = ""
    reverse_view = request.GET.get("dir") == "reverse"
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    total, rows = queries.crosswalk_rows(
        ds,
        text=text,
        relationship=relationship,
        offset=(number - 1) * CROSSWALK_PAGE_SIZE,
        limit=CROSSWALK_PAGE_SIZE,
    )
    page = Paginator(range(total), CROSSWALK_PAGE_SIZE).get_page(number)
    if page.number != number:  # past the last page: show the last one
        total, rows = queries.crosswalk_rows(
            ds,
            text=text,
            relationship=relationship,
            offset=max(page.start_index() - 1, 0),
            limit=CROSSWALK_PAGE_SIZE,
        )
    query = {"q": text, "rel": relationship, "dir": "reverse" if reverse_view else ""}
    base_query = urlencode({k: v for k, v in query.items() if v})
    loaded = queries.loaded_framework_keys()
    context = {
        "ds": ds,
        "rows": rows,
        "total": total,
        "page": page,
        "q": text,
        "rel": relationship,
        "relationships": relationships,
        "reverse": reverse_view,
        "base_query": base_query,
        "left_fw": ds.target_framework_key if reverse_view else ds.source_framework_key,
        "right_fw": ds.source_framework_key if reverse_view else ds.target_framework_key,
        # Element links are built from a reversed prefix: one reverse() per page, not per row.
        "source_base": reverse("catalog:framework", args=[ds.source_framework_key]),
        "target_base": reverse("catalog:framework", args=[ds.target_framework_key]),
        "source_loaded": ds.source_framework_key in loaded,
        "target_loaded": ds.target_framework_key in loaded,
    }
    template = "catalog/crosswalk.html"
    if request.htmx and not request.htmx.boosted:
        template += "#rows"
    return render(request, template, context)


def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:200]
    fws = _primary_first(queries.frameworks())
    fw_key = request.GET.get("fw", "")
    if fw_key not in {fw.key for fw in fws}:
        fw_key = ""
    total, found = (
        queries.search_page(text, framework_key=fw_key or None, limit=SEARCH_LIMIT)
        if text
        else (0, [])
    )
    examples = queries.matching_examples(found, text)
    groups: dict[str, dict[str, object]] = {}
    # CSF 2.0's matches first, then the other frameworks in their usual order.
    for n in sorted(found, key=lambda n: n.framework.key != DEFAULT_FRAMEWORK):
        g = groups.setdefault(n.framework.key, {"fw": n.framework, "nodes": []})
        g["nodes"].append(n)  # type: ignore[union-attr]
    context = {
        "q": text,
        "fw_key": fw_key,
        "frameworks": fws,
        "groups": list(groups.values()),
        "examples": examples,
        "count": len(found),
        "total": total,
    }
    template = "catalog/search.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)
