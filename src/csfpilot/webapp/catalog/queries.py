"""Reads over the stored frameworks: what the web pages, the API and the CLI show.

Every function here answers in a fixed, small number of queries, whatever the
size of the framework (no per-row lookups).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, Q, Value, When

from csfpilot.core.catalog import Relationship
from csfpilot.core.errors import NotFound
from csfpilot.core.ids import DEFAULT_FRAMEWORK, canonical_code
from csfpilot.webapp.catalog import models as m


def frameworks() -> list[m.Framework]:
    return list(m.Framework.objects.order_by("family", "key"))


def framework(key: str | None) -> m.Framework:
    key = (key or DEFAULT_FRAMEWORK).strip().lower()
    fw = m.Framework.objects.filter(key=key).first()
    if fw is None:
        known = ", ".join(m.Framework.objects.values_list("key", flat=True)) or "none"
        raise NotFound(f"no framework {key!r} is loaded (loaded: {known})")
    return fw


def level_counts(fw: m.Framework) -> dict[str, dict[str, int]]:
    """Per level: active and withdrawn element counts."""
    out: dict[str, dict[str, int]] = {lvl: {"active": 0, "withdrawn": 0} for lvl in fw.levels}
    rows = fw.nodes.values("level", "withdrawn").annotate(n=Count("id"))
    for r in rows:
        out.setdefault(r["level"], {"active": 0, "withdrawn": 0})
        out[r["level"]]["withdrawn" if r["withdrawn"] else "active"] += r["n"]
    return out


def node(framework_key: str | None, raw_code: str) -> m.Node:
    """Find an element by any common spelling of its id (``AC-02``, ``ac-2.1``, ``gv.oc-1``)."""
    fw = framework(framework_key)
    code = canonical_code(fw.key, raw_code)
    found = m.Node.objects.filter(framework=fw, code=code).select_related("framework").first()
    if found is None:
        found = (
            m.Node.objects.filter(framework=fw, code__iexact=raw_code.strip())
            .select_related("framework")
            .first()
        )
    if found is None:
        raise NotFound(f"{fw.key} has no element {raw_code!r}")
    return found


def nodes(
    framework_key: str | None, *, level: str | None = None, include_withdrawn: bool = False
) -> list[m.Node]:
    fw = framework(framework_key)
    qs = m.Node.objects.filter(framework=fw)
    if level:
        qs = qs.filter(level=level)
    if not include_withdrawn:
        qs = qs.filter(withdrawn=False)
    return list(qs.order_by("order"))


@dataclass
class TreeNode:
    node: m.Node
    children: list[TreeNode] = field(default_factory=list)
    examples: list[m.Example] = field(default_factory=list)


def tree(fw: m.Framework, *, with_examples: bool = False) -> list[TreeNode]:
    """The whole framework as nested TreeNodes, in NIST's order (two queries)."""
    all_nodes = list(fw.nodes.order_by("order"))
    by_id = {n.id: TreeNode(n) for n in all_nodes}
    roots: list[TreeNode] = []
    for n in all_nodes:
        t = by_id[n.id]
        if n.parent_id is None:
            roots.append(t)
        else:
            by_id[n.parent_id].children.append(t)
    if with_examples:
        for e in m.Example.objects.filter(node__framework=fw).order_by("node_id", "order"):
            by_id[e.node_id].examples.append(e)
    return roots


@dataclass(frozen=True)
class Reference:
    """The other end of a crosswalk row, read from ``node``'s side."""

    framework: str
    code: str
    title: str
    relationship: str
    dataset_key: str
    dataset_name: str
    publisher: str
    comment: str
    in_catalog: bool  # False: the dataset names an id no loaded catalog has


def references(n: m.Node, *, to: str | None = None) -> list[Reference]:
    """Every crosswalk row touching ``n``, in both directions, optionally to one framework."""
    key = n.framework.key
    out_q = Q(dataset__source_framework_key=key, source_code=n.code)
    in_q = Q(dataset__target_framework_key=key, target_code=n.code)
    if to:
        out_q &= Q(dataset__target_framework_key=to)
        in_q &= Q(dataset__source_framework_key=to)
    rows = (
        m.Mapping.objects.filter(out_q | in_q)
        .select_related("dataset", "source", "target")
        .order_by("dataset__key", "id")
    )
    refs: list[Reference] = []
    for r in rows:
        ds = r.dataset
        outward = ds.source_framework_key == key and r.source_code == n.code
        if outward:
            other_fw, other_code, other = ds.target_framework_key, r.target_code, r.target
            rel = r.relationship
        else:
            other_fw, other_code, other = ds.source_framework_key, r.source_code, r.source
            rel = str(Relationship(r.relationship).inverse())
        title = (other.title or other.text) if other else r.target_title if outward else ""
        refs.append(
            Reference(
                framework=other_fw,
                code=other_code,
                title=title,
                relationship=rel,
                dataset_key=ds.key,
                dataset_name=ds.name,
                publisher=ds.publisher,
                comment=r.comment,
                in_catalog=other is not None,
            )
        )
    return refs


def references_by_dataset(n: m.Node) -> dict[str, list[Reference]]:
    grouped: dict[str, list[Reference]] = defaultdict(list)
    for r in references(n):
        grouped[r.dataset_name].append(r)
    return dict(grouped)


def search(text: str, *, framework_key: str | None = None, limit: int = 50) -> list[m.Node]:
    """Elements whose id, title, text or examples contain every word of ``text``.

    An exact id match ranks first, then elements in document order per framework.
    """
    words = [w for w in text.lower().split() if w][:8]
    if not words:
        return []
    qs = m.Node.objects.select_related("framework")
    if framework_key:
        qs = qs.filter(framework__key=framework_key)
    for w in words:
        qs = qs.filter(search_text__contains=w)
    found = list(qs.order_by("framework__family", "framework__key", "order")[: limit * 2])
    needle = text.strip().lower()
    found.sort(key=lambda n: (n.code.lower() != needle, n.withdrawn))
    return found[:limit]


# --- Reads for the REST API and the CLI: paginated lists and whole-element views. ---


def framework_level_counts() -> dict[int, dict[str, dict[str, int]]]:
    """``level_counts`` for every loaded framework at once (one query), keyed by framework id."""
    out: dict[int, dict[str, dict[str, int]]] = defaultdict(dict)
    rows = m.Node.objects.values("framework_id", "level", "withdrawn").annotate(n=Count("id"))
    for r in rows:
        per_level = out[r["framework_id"]].setdefault(r["level"], {"active": 0, "withdrawn": 0})
        per_level["withdrawn" if r["withdrawn"] else "active"] += r["n"]
    return dict(out)


def node_page(
    fw: m.Framework,
    *,
    level: str | None = None,
    parent: m.Node | None = None,
    include_withdrawn: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[int, list[m.Node]]:
    """One page of a framework's elements in NIST's order, and how many match in all.

    Each node carries ``parent_code`` so that no parent row is fetched per element.
    """
    qs = m.Node.objects.filter(framework=fw)
    if level:
        qs = qs.filter(level=level)
    if parent is not None:
        qs = qs.filter(parent=parent)
    if not include_withdrawn:
        qs = qs.filter(withdrawn=False)
    total = qs.count()
    rows = qs.annotate(parent_code=F("parent__code")).order_by("order")
    page = rows[offset:] if limit is None else rows[offset : offset + limit]
    return total, list(page)


@dataclass
class NodeView:
    """Everything one element page shows: the element and what hangs off it."""

    node: m.Node
    parent_code: str | None
    children: list[str]
    examples: list[m.Example]
    withdrawals: list[m.Withdrawal]
    baselines: list[str]
    references: list[Reference]


def node_view(n: m.Node, *, to: str | None = None) -> NodeView:
    """The element with its examples, references, children, withdrawals and baselines."""
    return NodeView(
        node=n,
        parent_code=(
            m.Node.objects.filter(id=n.parent_id).values_list("code", flat=True).first()
            if n.parent_id
            else None
        ),
        children=list(n.children.order_by("order").values_list("code", flat=True)),
        examples=list(n.examples.order_by("order")),
        withdrawals=list(n.withdrawals.order_by("id")),
        baselines=sorted(n.baselines.values_list("name", flat=True)),
        references=references(n, to=to),
    )


def crosswalk_keys() -> set[str]:
    """Framework keys a crosswalk can point to: loaded catalogs and every dataset's two ends."""
    keys = set(m.Framework.objects.values_list("key", flat=True))
    for src, dst in m.MappingDataset.objects.values_list(
        "source_framework_key", "target_framework_key"
    ):
        keys.update((src, dst))
    return keys


def _id_spellings(text: str) -> set[str]:
    """The canonical forms ``text`` takes if it is an element id of a known id scheme."""
    raw = text.strip()
    forms = {raw, raw.upper()}
    for key in ("sp800-53r5", "csf-2.0", "csf-1.1"):
        forms.add(canonical_code(key, raw))
    return {f for f in forms if f}


def search_page(
    text: str, *, framework_key: str | None = None, offset: int = 0, limit: int = 50
) -> tuple[int, list[m.Node]]:
    """Elements whose id is ``text`` (in any common spelling) or whose id, title, text or
    examples contain every word of ``text``; with the total count.

    An exact id match ranks first, then active elements before withdrawn ones, each in
    document order per framework.
    """
    words = [w for w in text.lower().split() if w][:8]
    if not words:
        return 0, []
    ids = _id_spellings(text)
    contains = Q()
    for w in words:
        contains &= Q(search_text__contains=w)
    qs = m.Node.objects.filter(contains | Q(code__in=ids))
    if framework_key:
        qs = qs.filter(framework=framework(framework_key))
    total = qs.count()
    rows = (
        qs.select_related("framework")
        .annotate(
            parent_code=F("parent__code"),
            exact=Case(When(code__in=ids, then=Value(0)), default=Value(1)),
        )
        .order_by("exact", "withdrawn", "framework__family", "framework__key", "order")
    )
    return total, list(rows[offset : offset + limit])


def datasets() -> list[m.MappingDataset]:
    return list(m.MappingDataset.objects.order_by("key"))


def dataset(key: str) -> m.MappingDataset:
    found = m.MappingDataset.objects.filter(key=key.strip()).first()
    if found is None:
        raise NotFound(f"no mapping dataset {key!r} is loaded")
    return found


def mapping_page(
    ds: m.MappingDataset, *, offset: int = 0, limit: int = 100
) -> tuple[int, list[m.Mapping]]:
    """One page of a dataset's rows in the order they were published."""
    qs = ds.rows.all()
    rows = qs.order_by("id")[offset : offset + limit]
    return qs.count(), list(rows)
