"""What the catalog API and the CLI's ``--json`` output look like.

The same shapes serve both front ends, so a script can switch between
``csfpilot catalog show GV.OC-01 --json`` and ``GET /api/frameworks/csf-2.0/nodes/GV.OC-01``
without rewriting its parser. Element ids are always given in their canonical
spelling (``GV.OC-01``, ``AC-2(1)``) under the name ``id``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from ninja import Field, Schema

from csfpilot.core.errors import InputRefused
from csfpilot.webapp.catalog import models as m
from csfpilot.webapp.catalog.queries import NodeView, Reference
from csfpilot.webapp.catalog.services import LoadReport

T = TypeVar("T")


class LevelCount(Schema):
    """How many elements a framework has at one level of its tree."""

    level: str = Field(description="Level name, e.g. function, category, subcategory, control.")
    active: int
    withdrawn: int


class FrameworkOut(Schema):
    """One loaded framework release (CSF 2.0, SP 800-53 Rev. 5, ...)."""

    key: str = Field(description="Stable id with the release in it, e.g. csf-2.0, sp800-53r5.")
    name: str
    version: str
    family: str = Field(description="Groups releases of one framework, e.g. csf.")
    publisher: str
    terms: str = Field(description="The publisher's terms of use for the content.")
    levels: list[str] = Field(description="Level names from the root of the tree down.")
    outcome_level: str = Field(description="The level an organization assesses, if any.")
    language: str
    source_file: str = Field(description="The file the release was loaded from.")
    source_sha256: str = Field(description="sha256 of that file's bytes.")
    bundled: bool = Field(description="Shipped inside csfpilot rather than imported.")
    node_count: int = Field(description="Number of elements, withdrawn ones included.")
    level_counts: list[LevelCount]
    loaded_at: datetime


class FrameworkDetail(FrameworkOut):
    datasets: list[str] = Field(
        description="Keys of the loaded mapping datasets with this framework at one end."
    )


class NodeOut(Schema):
    """One element of a framework: a Function, Category, Subcategory, control..."""

    id: str = Field(description="Canonical element id, e.g. GV.OC-01 or AC-2(1).")
    framework: str
    level: str
    parent: str | None = Field(description="Id of the parent element; null at the root.")
    depth: int = Field(description="0 for the root level, 1 for its children, and so on.")
    title: str = Field(description="Short name; empty for CSF Subcategories.")
    text: str = Field(description="The outcome statement or control text.")
    withdrawn: bool


class ExampleOut(Schema):
    """One of NIST's Implementation Examples for a CSF Subcategory."""

    id: str = Field(description="NIST's id, e.g. GV.OC-01.001 (a global running number).")
    title: str = Field(description="Ex1, Ex2, ... within the Subcategory.")
    text: str


class ReferenceOut(Schema):
    """A crosswalk row read from the element's side: what it maps to, and who said so."""

    framework: str = Field(description="Key of the framework at the other end.")
    id: str = Field(description="Element id at the other end, as the dataset names it.")
    title: str
    relationship: str = Field(
        description="equivalent, subset_of, superset_of, intersects_with, related_to, "
        "incorporated_into or moved_to, read from this element's side."
    )
    dataset: str = Field(description="Key of the mapping dataset the row comes from.")
    dataset_name: str
    publisher: str
    comment: str
    in_catalog: bool = Field(
        description="False when no loaded catalog has the element the dataset names."
    )
    release: str = Field(
        default="",
        description="Release of the mapped framework the dataset was made for "
        "(SP 800-53 5.1.1 or 5.2.0).",
    )


class WithdrawalOut(Schema):
    """Where a withdrawn element went."""

    relation: str = Field(description="incorporated_into or moved_to.")
    target: str
    in_catalog: bool


class TranslationOut(Schema):
    """The element's title and text in another language, and whose translation it is."""

    language: str = Field(description="A lower-case language tag: fr, es, zh-hant.")
    title: str
    text: str
    source: str = Field(description="Whose translation: the library and who packaged it.")


class NodeDetail(NodeOut):
    withdrawal_note: str
    withdrawn_to: list[WithdrawalOut]
    children: list[str] = Field(description="Ids of the direct children, in NIST's order.")
    examples: list[ExampleOut]
    references: list[ReferenceOut]
    baselines: list[str] = Field(description="Named baselines that select this element.")
    translations: list[TranslationOut] = Field(
        default_factory=list,
        description="Translations that came with another tool's copy of the framework; NIST "
        "publishes its text in English.",
    )


class DatasetOut(Schema):
    """A published crosswalk between two frameworks."""

    key: str
    name: str
    publisher: str
    version: str
    terms: str
    description: str
    source_framework: str
    target_framework: str
    source_file: str
    source_sha256: str
    bundled: bool
    row_count: int
    reviewed_by: str = Field("", description="Who reviewed the rows before it was loaded.")


class MappingOut(Schema):
    """One row of a mapping dataset, with ids as the dataset names them."""

    source: str
    target: str
    relationship: str
    comment: str
    strength: int | None = Field(description="The dataset's strength of relationship, if any.")
    target_title: str
    source_in_catalog: bool
    target_in_catalog: bool


class Page(Schema, Generic[T]):
    """One page of a long list: ``count`` is the total, ``items`` this page's share."""

    count: int
    offset: int
    limit: int
    items: list[T]


class NodePage(Page[NodeOut]):
    """A page of elements."""


class MappingPage(Page[MappingOut]):
    """A page of a mapping dataset's rows."""


class FieldProblem(Schema):
    loc: list[str | int] = Field(description="Where the problem is, e.g. [query, limit].")
    msg: str


class Problem(Schema):
    """An error body after RFC 9457: ``detail`` names what was wrong."""

    title: str
    status: int
    detail: str
    errors: list[FieldProblem] = Field(default_factory=list)


def framework_out(
    fw: m.Framework, counts: dict[str, dict[str, int]], *, datasets: list[str] | None = None
) -> FrameworkOut:
    per_level = [
        LevelCount(level=lvl, active=c["active"], withdrawn=c["withdrawn"])
        for lvl, c in _ordered_counts(fw, counts)
    ]
    fields = {
        "key": fw.key,
        "name": fw.name,
        "version": fw.version,
        "family": fw.family,
        "publisher": fw.publisher,
        "terms": fw.terms,
        "levels": list(fw.levels),
        "outcome_level": fw.outcome_level,
        "language": fw.language,
        "source_file": fw.source_file,
        "source_sha256": fw.source_sha256,
        "bundled": fw.bundled,
        "node_count": fw.node_count,
        "level_counts": per_level,
        "loaded_at": fw.loaded_at,
    }
    if datasets is None:
        return FrameworkOut(**fields)
    return FrameworkDetail(**fields, datasets=datasets)


def _ordered_counts(
    fw: m.Framework, counts: dict[str, dict[str, int]]
) -> list[tuple[str, dict[str, int]]]:
    """Counts in the framework's own level order (root first), unknown levels last."""
    empty = {"active": 0, "withdrawn": 0}
    out = [(lvl, counts.get(lvl, empty)) for lvl in fw.levels]
    out.extend((lvl, c) for lvl, c in sorted(counts.items()) if lvl not in fw.levels)
    return out


def node_out(n: m.Node, *, framework: str, parent: str | None) -> NodeOut:
    return NodeOut(
        id=n.code,
        framework=framework,
        level=n.level,
        parent=parent,
        depth=n.depth,
        title=n.title,
        text=n.text,
        withdrawn=n.withdrawn,
    )


def listed_node(n: m.Node, framework: str) -> NodeOut:
    """A node read by a list query, which annotates ``parent_code``."""
    return node_out(n, framework=framework, parent=getattr(n, "parent_code", None))


def reference_out(r: Reference) -> ReferenceOut:
    return ReferenceOut(
        framework=r.framework,
        id=r.code,
        title=r.title,
        relationship=r.relationship,
        dataset=r.dataset_key,
        dataset_name=r.dataset_name,
        publisher=r.publisher,
        comment=r.comment,
        in_catalog=r.in_catalog,
        release=r.release,
    )


def node_detail(view: NodeView) -> NodeDetail:
    n = view.node
    return NodeDetail(
        **node_out(n, framework=n.framework.key, parent=view.parent_code).model_dump(),
        withdrawal_note=n.withdrawal_note,
        withdrawn_to=[
            WithdrawalOut(
                relation=w.relation, target=w.target_code, in_catalog=w.target_id is not None
            )
            for w in view.withdrawals
        ],
        children=view.children,
        examples=[ExampleOut(id=e.code, title=e.title, text=e.text) for e in view.examples],
        references=[reference_out(r) for r in view.references],
        baselines=view.baselines,
        translations=[
            TranslationOut(language=t.language, title=t.title, text=t.text, source=t.source)
            for t in view.translations
        ],
    )


def dataset_out(ds: m.MappingDataset) -> DatasetOut:
    return DatasetOut(
        key=ds.key,
        name=ds.name,
        publisher=ds.publisher,
        version=ds.version,
        terms=ds.terms,
        description=ds.description,
        source_framework=ds.source_framework_key,
        target_framework=ds.target_framework_key,
        source_file=ds.source_file,
        source_sha256=ds.source_sha256,
        bundled=ds.bundled,
        row_count=ds.row_count,
        reviewed_by=ds.reviewed_by,
    )


def mapping_out(r: m.Mapping) -> MappingOut:
    return MappingOut(
        source=r.source_code,
        target=r.target_code,
        relationship=r.relationship,
        comment=r.comment,
        strength=r.strength,
        target_title=r.target_title,
        source_in_catalog=r.source_id is not None,
        target_in_catalog=r.target_id is not None,
    )


class ImportedItem(Schema):
    """One thing an import stored, or would store."""

    kind: str = Field(
        description="framework, crosswalk, alias (a copy of NIST's release "
        "mapped onto it), baseline or translations."
    )
    key: str
    name: str
    count: int = Field(description="Elements, rows, renamed ids, controls or translated texts.")
    source: str = Field("", description="A crosswalk's source framework.")
    target: str = Field(
        "", description="A crosswalk's target framework; the release an alias or baseline is of."
    )


class FrameworkImportOut(Schema):
    """What a framework or crosswalk import loaded, or (``applied`` false) would load."""

    file: str
    applied: bool = Field(description="False: a preview, rolled back; nothing was stored.")
    created: list[str] = Field(description="Keys of what is (or would be) new.")
    unchanged: list[str] = Field(description="Keys already loaded with the same content.")
    items: list[ImportedItem]
    warnings: list[str]


class WhereProblem(Schema):
    """Where in the file the problem is; the parts that apply are given."""

    file: str | None = None
    line: int | None = Field(None, description="Line of a text file.")
    sheet: str | None = Field(None, description="Sheet of a workbook.")
    row: int | None = Field(None, description="Row of a sheet or CSV file.")
    column: str | None = Field(None, description="Column of a sheet or CSV file.")
    element: str | None = Field(None, description="The element or JSON path.")
    field: str | None = Field(None, description="The field, or the form field sent.")
    msg: str


class ImportRefused(Schema):
    """RFC 9457 problem: the file was refused and nothing was stored."""

    title: str
    status: int
    detail: str
    errors: list[WhereProblem]


def import_out(report: LoadReport, *, file: str, applied: bool) -> FrameworkImportOut:
    return FrameworkImportOut(
        file=file,
        applied=applied,
        created=report.created,
        unchanged=report.unchanged,
        items=[ImportedItem(**vars(i)) for i in report.items],
        warnings=report.warnings,
    )


def refused(exc: InputRefused) -> ImportRefused:
    where = WhereProblem(
        file=exc.file,
        line=exc.line,
        sheet=exc.sheet,
        row=exc.row,
        column=exc.column,
        element=exc.element,
        field=exc.field,
        msg=exc.message,
    )
    return ImportRefused(title="Input refused", status=400, detail=str(exc), errors=[where])
