"""Reads over the stored frameworks: what the web pages, the API and the CLI show.

Every function here answers in a fixed, small number of queries, whatever the
size of the framework (no per-row lookups).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, F, Q, Value, When

from csfpilot.core.catalog import Relationship
from csfpilot.core.errors import NotFound
from csfpilot.core.ids import DEFAULT_FRAMEWORK, canonical_code
from csfpilot.webapp.catalog import models as m
from csfpilot.webapp.catalog.reference_tables import ReferenceTable, reference_tables


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
    # The release of the mapped framework the dataset was made for (SP 800-53 "5.2.0").
    release: str = ""
    # The dataset's own key for the other end; ``framework`` is the loaded release the
    # row links to, which is another key when that release was imported beside it.
    dataset_end: str = ""


def _rows_touching(n: m.Node, key: str, to: str | None) -> Q:
    """Rows naming ``n`` by id at a dataset end of its framework, or linked to it.

    A row of a crosswalk made for a later release is linked to that release's
    element once it is loaded (``sp800-53r5.2.0``), while the dataset's end is
    still the framework it was published against (``sp800-53r5``).
    """
    out_q = Q(dataset__source_framework_key=key, source_code=n.code) | Q(source_id=n.id)
    in_q = Q(dataset__target_framework_key=key, target_code=n.code) | Q(target_id=n.id)
    if to:
        # ``to`` is a dataset's end, or the loaded release a row is linked to.
        out_q &= Q(dataset__target_framework_key=to) | Q(target__framework__key=to)
        in_q &= Q(dataset__source_framework_key=to) | Q(source__framework__key=to)
    return out_q | in_q


def _reference(r: m.Mapping, n_key: str, n_code: str, n_id: int | None) -> Reference:
    ds = r.dataset
    if n_id is not None and r.source_id == n_id:
        outward = True
    elif n_id is not None and r.target_id == n_id:
        outward = False
    else:
        outward = ds.source_framework_key == n_key and r.source_code == n_code
    if outward:
        end, other_code, other = ds.target_framework_key, r.target_code, r.target
        rel = r.relationship
    else:
        end, other_code, other = ds.source_framework_key, r.source_code, r.source
        rel = str(Relationship(r.relationship).inverse())
    title = (other.title or other.text) if other else r.target_title if outward else ""
    return Reference(
        framework=other.framework.key if other else end,
        code=other_code,
        title=title,
        relationship=rel,
        dataset_key=ds.key,
        dataset_name=ds.name,
        publisher=ds.publisher,
        comment=r.comment,
        in_catalog=other is not None,
        release=ds.version,
        dataset_end=end,
    )


def references(n: m.Node, *, to: str | None = None) -> list[Reference]:
    """Every crosswalk row touching ``n``, in both directions, optionally to one framework."""
    rows = (
        m.Mapping.objects.filter(_rows_touching(n, n.framework.key, to))
        .select_related("dataset", "source__framework", "target__framework")
        .order_by("dataset__key", "id")
    )
    return [_reference(r, n.framework.key, n.code, n.id) for r in rows]


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
    translations: list[m.NodeTranslation]


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
        translations=list(n.translations.order_by("language")),
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


# --- Reads for the browsing pages: the framework tree, one element, one crosswalk. ---

BASELINE_ORDER = ("LOW", "MODERATE", "HIGH", "PRIVACY")
_MIGRATIONS = (str(Relationship.INCORPORATED_INTO), str(Relationship.MOVED_TO))


def loaded_framework_keys() -> set[str]:
    return set(m.Framework.objects.values_list("key", flat=True))


def loaded_releases() -> dict[str, str]:
    """Each loaded framework's key and the release it is (``sp800-53r5`` → ``5.0.1``)."""
    return dict(m.Framework.objects.values_list("key", "version"))


def loaded_state_digest() -> str:
    """What identifies the loaded releases and crosswalk datasets (one query).

    Anything drawn from crosswalk rows depends on both: a dataset brings rows, and a
    framework loaded after a dataset links the rows that name its elements.
    """
    frameworks = m.Framework.objects.values_list(
        Value("framework", output_field=CharField()), "key", "content_digest"
    ).order_by()
    datasets = m.MappingDataset.objects.values_list(
        Value("dataset", output_field=CharField()), "key", "content_digest"
    ).order_by()
    state = sorted(frameworks.union(datasets, all=True))
    return hashlib.sha256(repr(state).encode()).hexdigest()


def baselines_by_node(fw: m.Framework) -> dict[int, list[str]]:
    """Per element id, the baselines that select it (LOW, MODERATE, HIGH, PRIVACY order)."""
    rank = {name: i for i, name in enumerate(BASELINE_ORDER)}
    out: dict[int, list[str]] = defaultdict(list)
    rows = m.BaselineMembership.objects.filter(framework=fw, node__isnull=False).values_list(
        "node_id", "name"
    )
    for node_id, name in rows:
        out[node_id].append(name)
    for names in out.values():
        names.sort(key=lambda n: (rank.get(n, len(rank)), n))
    return dict(out)


def withdrawals_by_node(fw: m.Framework) -> dict[int, list[m.Withdrawal]]:
    """Per withdrawn element id, where NIST says it went (same framework)."""
    out: dict[int, list[m.Withdrawal]] = defaultdict(list)
    for w in m.Withdrawal.objects.filter(node__framework=fw).order_by("node_id", "id"):
        out[w.node_id].append(w)
    return dict(out)


def translations_by_node(fw: m.Framework, language: str) -> dict[int, m.NodeTranslation]:
    """NIST's text translated into ``language``, per element id (empty for English)."""
    if not language or language == fw.language:
        return {}
    rows = m.NodeTranslation.objects.filter(node__framework=fw, language=language)
    return {t.node_id: t for t in rows}


def translation_sources(fw: m.Framework, language: str) -> list[dict[str, object]]:
    """Whose translations into ``language`` the framework's pages show, and how many texts
    each ({"source", "n"}); empty in the framework's own language."""
    if not language or language == fw.language:
        return []
    return list(
        m.NodeTranslation.objects.filter(node__framework=fw, language=language)
        .values("source")
        .annotate(n=Count("id"))
        .order_by("source")
    )


@dataclass(frozen=True)
class Migration:
    """A withdrawn element of an earlier release and where its outcome went.

    CSF 2.0 withdrew 79 CSF 1.1 Subcategories: most were *incorporated into* a
    CSF 2.0 outcome, some *moved to* another place in the Core.
    """

    source_framework: str
    source_code: str
    source_id: int | None  # None while the earlier release is not loaded
    source_text: str
    relationship: str
    target_code: str  # empty when NIST names no single destination ("other Categories")
    target_id: int | None
    dataset_key: str
    comment: str  # NIST's withdrawal note, e.g. "Incorporated into GV.OC-05"


def migrations_into(fw: m.Framework) -> list[Migration]:
    """Every migration row (incorporated into / moved to) whose target is in ``fw``."""
    rows = (
        m.Mapping.objects.filter(dataset__target_framework_key=fw.key, relationship__in=_MIGRATIONS)
        .select_related("dataset", "source")
        .order_by("dataset__key", "id")
    )
    return [
        Migration(
            source_framework=r.dataset.source_framework_key,
            source_code=r.source_code,
            source_id=r.source_id,
            source_text=(r.source.text or r.source.title) if r.source else "",
            relationship=r.relationship,
            target_code=r.target_code,
            target_id=r.target_id,
            dataset_key=r.dataset.key,
            comment=r.comment,
        )
        for r in rows
    ]


def top_level_summary(fw: m.Framework) -> list[tuple[m.Node, dict[str, int]]]:
    """Each top-level element (a CSF Function, an SP 800-53 family) with its active
    descendants counted per level (one query)."""
    out: list[tuple[m.Node, dict[str, int]]] = []
    for root in tree(fw):
        counts: dict[str, int] = defaultdict(int)
        stack = list(root.children)
        while stack:
            t = stack.pop()
            if not t.node.withdrawn:
                counts[t.node.level] += 1
            stack.extend(t.children)
        if not root.node.withdrawn:
            out.append((root.node, dict(counts)))
    return out


@dataclass
class ElementPage:
    """Everything one element's page shows."""

    node: m.Node
    ancestors: list[m.Node]  # from the top level down, without the element itself
    children: list[m.Node]
    examples: list[m.Example]
    withdrawals: list[m.Withdrawal]
    baselines: list[str]
    child_baselines: dict[int, list[str]]
    reference_tables: list[ReferenceTable]
    previous: m.Node | None
    next: m.Node | None
    translations: dict[int, m.NodeTranslation]
    # The element's translations into languages other than the page's, with their sources.
    other_translations: list[m.NodeTranslation]


def element_page(n: m.Node, *, language: str = "en", release: str = "") -> ElementPage:
    """The element with its place in the tree, its text and everything that points at it;
    ``release`` narrows the crosswalk tables that span several releases to one.

    A fixed number of queries, plus one per ancestor (at most the framework's depth).
    """
    fw = n.framework
    ancestors: list[m.Node] = []
    parent_id = n.parent_id
    while parent_id is not None:
        parent = m.Node.objects.get(id=parent_id)
        ancestors.insert(0, parent)
        parent_id = parent.parent_id
    children = list(n.children.order_by("order"))
    child_baselines: dict[int, list[str]] = defaultdict(list)
    rank = {name: i for i, name in enumerate(BASELINE_ORDER)}
    own_baselines: list[str] = []
    for node_id, name in m.BaselineMembership.objects.filter(
        node_id__in=[n.id, *(c.id for c in children)]
    ).values_list("node_id", "name"):
        (own_baselines if node_id == n.id else child_baselines[node_id]).append(name)
    for names in [own_baselines, *child_baselines.values()]:
        names.sort(key=lambda x: (rank.get(x, len(rank)), x))

    refs = references(n)
    keys = {r.dataset_key for r in refs}
    tables = reference_tables(
        refs,
        datasets={d.key: d for d in m.MappingDataset.objects.filter(key__in=keys)},
        loaded=loaded_releases(),
        release=release,
    )

    same_level = m.Node.objects.filter(framework=fw, level=n.level)
    if not n.withdrawn:
        same_level = same_level.filter(withdrawn=False)
    translations = {}
    if language and language != fw.language:
        translations = {
            t.node_id: t
            for t in m.NodeTranslation.objects.filter(
                node_id__in=[n.id, *(a.id for a in ancestors), *(c.id for c in children)],
                language=language,
            )
        }
    return ElementPage(
        node=n,
        ancestors=ancestors,
        children=children,
        examples=list(n.examples.order_by("order")),
        withdrawals=list(n.withdrawals.select_related("target").order_by("id")),
        baselines=own_baselines,
        child_baselines=dict(child_baselines),
        reference_tables=tables,
        previous=same_level.filter(order__lt=n.order).order_by("-order").first(),
        next=same_level.filter(order__gt=n.order).order_by("order").first(),
        translations=translations,
        other_translations=list(
            n.translations.exclude(language__in=[language, fw.language]).order_by("language")
        ),
    )


def _code_matches(field_name: str, framework_key: str, word: str) -> Q:
    """``word`` as an id of ``framework_key``, or the id of a branch above it.

    ``AC-2`` finds AC-2 and AC-2(1)… but not AC-20; ``GV.OC`` finds GV.OC-01…;
    any common spelling works (``ac-02``, ``gv.oc-1``).
    """
    code = canonical_code(framework_key, word)
    q = Q(**{f"{field_name}__iexact": code})
    for separator in ("(", "-", "."):
        q |= Q(**{f"{field_name}__istartswith": code + separator})
    return q


def crosswalk_rows(
    ds: m.MappingDataset,
    *,
    text: str = "",
    relationship: str = "",
    offset: int = 0,
    limit: int = 200,
) -> tuple[int, list[m.Mapping]]:
    """A page of a dataset's rows, in published order, filtered by words and relationship.

    Every word must be either end's id (or the id of a branch above it), or appear
    in either end's title or text, the dataset's own title for the target, or the
    row's comment.
    """
    qs = ds.rows.all()
    for w in text.split()[:8]:
        qs = qs.filter(
            _code_matches("source_code", ds.source_framework_key, w)
            | _code_matches("target_code", ds.target_framework_key, w)
            | Q(source__title__icontains=w)
            | Q(source__text__icontains=w)
            | Q(target__title__icontains=w)
            | Q(target__text__icontains=w)
            | Q(target_title__icontains=w)
            | Q(comment__icontains=w)
        )
    if relationship:
        qs = qs.filter(relationship=relationship)
    total = qs.count()
    rows = qs.select_related("source", "target").order_by("id")[offset : offset + limit]
    return total, list(rows)


def dataset_relationships(ds: m.MappingDataset) -> list[str]:
    """The relationships a dataset's rows use, for its filter."""
    return sorted(set(ds.rows.values_list("relationship", flat=True).distinct()))


def mentions(framework_key: str, raw_code: str) -> list[Reference]:
    """Crosswalk rows that name ``raw_code`` of a framework, whether or not it is loaded.

    Answers "why does a dataset cite IA-13 when the catalog has no such control":
    the rows are read from the missing element's side.
    """
    code = canonical_code(framework_key, raw_code)
    rows = (
        m.Mapping.objects.filter(
            Q(dataset__source_framework_key=framework_key, source_code=code)
            | Q(dataset__target_framework_key=framework_key, target_code=code)
        )
        .select_related("dataset", "source__framework", "target__framework")
        .order_by("dataset__key", "id")[:200]
    )
    return [_reference(r, framework_key, code, None) for r in rows]


def matching_examples(found: list[m.Node], text: str) -> dict[int, m.Example]:
    """For search results whose own title and text lack some searched word, the
    Implementation Example that explains the match (one query)."""
    words = [w for w in text.lower().split() if w][:8]
    if not words:
        return {}
    lacking = [
        n.id for n in found if not all(w in f"{n.code} {n.title} {n.text}".lower() for w in words)
    ]
    best: dict[int, tuple[int, m.Example]] = {}
    for e in m.Example.objects.filter(node_id__in=lacking).order_by("node_id", "order"):
        hits = sum(w in e.text.lower() for w in words)
        if hits and hits > best.get(e.node_id, (0, e))[0]:
            best[e.node_id] = (hits, e)
    return {node_id: e for node_id, (_, e) in best.items()}
