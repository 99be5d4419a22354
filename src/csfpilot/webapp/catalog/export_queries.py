"""Rebuilding a stored framework or crosswalk as the domain objects the exporters write.

The exporters in :mod:`csfpilot.formats` work on :class:`~csfpilot.core.catalog.Catalog`
and :class:`~csfpilot.core.catalog.MappingSet`, so that the CLI can export
straight from a file. These reads turn the database rows back into exactly
those objects: a framework rebuilt here has the same content digest as the
one that was loaded (the digest stored with it), which the tests check for
every bundled framework. Each read is a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F

from csfpilot.core.catalog import (
    Catalog,
    DatasetInfo,
    Example,
    FrameworkInfo,
    Mapping,
    MappingSet,
    Node,
    Relationship,
    Withdrawal,
)
from csfpilot.webapp.catalog import models as m
from csfpilot.webapp.catalog import queries


def framework_info(fw: m.Framework) -> FrameworkInfo:
    return FrameworkInfo(
        key=fw.key,
        name=fw.name,
        version=fw.version,
        publisher=fw.publisher,
        levels=tuple(fw.levels),
        terms=fw.terms,
        source_file=fw.source_file,
        source_sha256=fw.source_sha256,
        family=fw.family,
        language=fw.language,
        outcome_level=fw.outcome_level,
        named_by_crosswalks=fw.named_by_crosswalks,
    )


def catalog(key: str | None) -> Catalog:
    """The stored framework ``key`` as a Catalog (three queries); NotFound if not loaded."""
    fw = queries.framework(key)
    examples: dict[int, list[Example]] = defaultdict(list)
    for e in m.Example.objects.filter(node__framework=fw).order_by("node_id", "order"):
        examples[e.node_id].append(Example(code=e.code, title=e.title, text=e.text))
    withdrawals: dict[int, list[Withdrawal]] = defaultdict(list)
    for w in m.Withdrawal.objects.filter(node__framework=fw).order_by("node_id", "id"):
        withdrawals[w.node_id].append(
            Withdrawal(relation=Relationship(w.relation), target=w.target_code)
        )
    rows = fw.nodes.annotate(parent_code=F("parent__code")).order_by("order")
    nodes = tuple(
        Node(
            code=n.code,
            level=n.level,
            parent=n.parent_code,
            title=n.title,
            text=n.text,
            order=n.order,
            examples=tuple(examples.get(n.id, ())),
            withdrawn=n.withdrawn,
            withdrawal_note=n.withdrawal_note,
            withdrawn_to=tuple(withdrawals.get(n.id, ())),
            props=dict(n.props),
        )
        for n in rows
    )
    return Catalog(info=framework_info(fw), nodes=nodes)


def loaded_catalog(key: str) -> Catalog | None:
    """Like :func:`catalog`, or None when the framework is not loaded (crosswalk ends)."""
    if not m.Framework.objects.filter(key=key).exists():
        return None
    return catalog(key)


def mapping_set(key: str) -> MappingSet:
    """The stored crosswalk dataset ``key`` as a MappingSet, rows as published."""
    ds = queries.dataset(key)
    info = DatasetInfo(
        key=ds.key,
        name=ds.name,
        publisher=ds.publisher,
        version=ds.version,
        source_framework=ds.source_framework_key,
        target_framework=ds.target_framework_key,
        terms=ds.terms,
        source_file=ds.source_file,
        source_sha256=ds.source_sha256,
        description=ds.description,
    )
    rows = tuple(
        Mapping(
            source=r.source_code,
            target=r.target_code,
            relationship=Relationship(r.relationship),
            comment=r.comment,
            strength=r.strength,
            target_title=r.target_title,
        )
        for r in ds.rows.order_by("id")
    )
    return MappingSet(info=info, mappings=rows)
