"""The catalog's REST endpoints: frameworks, their elements, crosswalks, search, datasets.

Read-only and public; the operator's framework and crosswalk imports are in
``import_api`` (they need the operator's account). Unknown frameworks, elements
and datasets answer 404 with a problem body naming what was asked for.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError

from csfpilot.core.errors import NotFound
from csfpilot.webapp.catalog import queries
from csfpilot.webapp.catalog import schemas as s
from csfpilot.webapp.catalog.pending import pending_element
from csfpilot.webapp.organizations.permissions import PUBLIC, needs

router = Router(tags=["catalog"])

NOT_FOUND = {404: s.Problem}
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


MAX_OFFSET = 10_000_000


class PageQuery(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
    # Bounded: past what a database integer holds, SQLite refuses the query outright.
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")


class NodeQuery(Schema):
    level: str | None = Field(None, description="Only elements of this level, e.g. category.")
    parent: str | None = Field(None, description="Only direct children of this element id.")
    include_withdrawn: bool = Field(False, description="Also list withdrawn elements.")


class SearchQuery(Schema):
    q: str = Field(..., min_length=1, max_length=200, description="Words or an element id.")
    framework: str | None = Field(None, description="Only this framework, e.g. sp800-53r5.")


class CrosswalkQuery(Schema):
    to: str | None = Field(None, description="Only references to this framework key.")


def _query_problem(name: str, message: str) -> ValidationError:
    return ValidationError([{"loc": ["query", name], "msg": message, "type": "value_error"}])


@router.get(
    "/frameworks",
    response=list[s.FrameworkOut],
    summary="Loaded frameworks",
    openapi_extra=needs(PUBLIC),
)
def list_frameworks(request: HttpRequest) -> list[s.FrameworkOut]:
    """Every loaded framework release with its element counts per level."""
    counts = queries.framework_level_counts()
    return [s.framework_out(fw, counts.get(fw.id, {})) for fw in queries.frameworks()]


@router.get(
    "/frameworks/{key}",
    response={200: s.FrameworkDetail, **NOT_FOUND},
    summary="One framework",
    openapi_extra=needs(PUBLIC),
)
def get_framework(request: HttpRequest, key: str) -> s.FrameworkOut:
    """A framework release, its element counts and the datasets that map it."""
    fw = queries.framework(key)
    keys = [
        ds.key
        for ds in queries.datasets()
        if fw.key in (ds.source_framework_key, ds.target_framework_key)
    ]
    return s.framework_out(fw, queries.level_counts(fw), datasets=keys)


@router.get(
    "/frameworks/{key}/nodes",
    response={200: s.NodePage, **NOT_FOUND},
    summary="Elements of a framework",
    openapi_extra=needs(PUBLIC),
)
def list_nodes(
    request: HttpRequest, key: str, filters: Query[NodeQuery], page: Query[PageQuery]
) -> s.NodePage:
    """Elements in NIST's order, optionally of one level or under one parent."""
    fw = queries.framework(key)
    if filters.level and filters.level not in fw.levels:
        raise _query_problem(
            "level",
            f"{fw.key} has no level {filters.level!r}; its levels are {', '.join(fw.levels)}",
        )
    parent = queries.node(fw.key, filters.parent) if filters.parent else None
    total, rows = queries.node_page(
        fw,
        level=filters.level,
        parent=parent,
        include_withdrawn=filters.include_withdrawn,
        offset=page.offset,
        limit=page.limit,
    )
    return s.NodePage(
        count=total,
        offset=page.offset,
        limit=page.limit,
        items=[s.listed_node(n, fw.key) for n in rows],
    )


@router.get(
    "/frameworks/{key}/nodes/{code}",
    response={200: s.NodeDetail, **NOT_FOUND},
    summary="One element",
    openapi_extra=needs(PUBLIC),
)
def get_node(request: HttpRequest, key: str, code: str) -> s.NodeDetail:
    """An element by any common spelling of its id (``AC-02``, ``ac-2.1``, ``gv.oc-1``),
    with its Implementation Examples and Informative References."""
    return s.node_detail(queries.node_view(queries.node(key, code)))


@router.get(
    "/frameworks/{key}/nodes/{code}/crosswalk",
    response={200: list[s.ReferenceOut], **NOT_FOUND},
    summary="Crosswalk of one element",
    openapi_extra=needs(PUBLIC),
)
def crosswalk(
    request: HttpRequest, key: str, code: str, params: Query[CrosswalkQuery]
) -> list[s.ReferenceOut]:
    """Elements of other frameworks that mapping datasets relate to this one, both ways.

    An id that the loaded release lacks but a crosswalk for a later release names
    (SP 800-53 ``SA-24`` while 5.0.1 is loaded) answers with the rows that name it."""
    to = (params.to or "").strip().lower() or None
    if to is not None and to not in queries.crosswalk_keys():
        known = ", ".join(sorted(queries.crosswalk_keys()))
        raise NotFound(f"no framework or mapping dataset end {to!r} is loaded (known: {known})")
    try:
        refs = queries.references(queries.node(key, code), to=to)
    except NotFound:
        pending = pending_element(queries.framework(key), code)
        if pending is None:
            raise
        if pending.loaded_elsewhere is not None:
            refs = queries.references(pending.loaded_elsewhere, to=to)
        else:
            refs = [r for r in pending.rows if to is None or to in (r.dataset_end, r.framework)]
    return [s.reference_out(r) for r in refs]


@router.get(
    "/search",
    response={200: s.NodePage, **NOT_FOUND},
    summary="Search elements",
    openapi_extra=needs(PUBLIC),
)
def search(request: HttpRequest, params: Query[SearchQuery], page: Query[PageQuery]) -> s.NodePage:
    """Elements whose id is ``q`` (any common spelling) or whose id, title, text or
    Implementation Examples contain every word of ``q``. An exact id ranks first."""
    if not params.q.split():
        raise _query_problem("q", "give at least one word or an element id")
    total, rows = queries.search_page(
        params.q, framework_key=params.framework, offset=page.offset, limit=page.limit
    )
    return s.NodePage(
        count=total,
        offset=page.offset,
        limit=page.limit,
        items=[s.listed_node(n, n.framework.key) for n in rows],
    )


@router.get(
    "/datasets",
    response=list[s.DatasetOut],
    summary="Mapping datasets",
    openapi_extra=needs(PUBLIC),
)
def list_datasets(request: HttpRequest) -> list[s.DatasetOut]:
    """Every loaded crosswalk dataset, with its publisher, terms and row count."""
    return [s.dataset_out(ds) for ds in queries.datasets()]


@router.get(
    "/datasets/{key}/mappings",
    response={200: s.MappingPage, **NOT_FOUND},
    summary="Rows of a mapping dataset",
    openapi_extra=needs(PUBLIC),
)
def list_mappings(request: HttpRequest, key: str, page: Query[PageQuery]) -> s.MappingPage:
    """A dataset's rows in the order they were published."""
    total, rows = queries.mapping_page(queries.dataset(key), offset=page.offset, limit=page.limit)
    return s.MappingPage(
        count=total,
        offset=page.offset,
        limit=page.limit,
        items=[s.mapping_out(r) for r in rows],
    )
