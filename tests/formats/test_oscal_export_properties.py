"""Property: any framework csfpilot can hold survives OSCAL export → import → export.

Random catalogs are built the way importers build them (a forest of elements in
depth-first order, unique codes, levels from the framework's list) but with
hostile content: Markdown and OSCAL insert syntax in titles and text, line
breaks in titles, backslashes, untitled elements, ids that are no OSCAL token,
withdrawals to ids outside the catalog, explicit orders, examples with odd
codes, and arbitrary JSON properties. Every document is also checked against
NIST's OSCAL 1.2.1 catalog schema.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csfpilot.core.catalog import Catalog, Example, FrameworkInfo, Node, Relationship, Withdrawal
from csfpilot.formats.oscal import read_oscal_catalog
from csfpilot.formats.oscal.catalog_writer import catalog_document, catalog_json
from csfpilot.formats.oscal.extension import (
    escape_line,
    escape_markup,
    is_string,
    unescape_line,
    unescape_markup,
)
from tests.formats.oscal_validation import schema_errors

WHEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

# Text a person could type, with everything Markdown, OSCAL and JSON care about mixed in.
SPECIAL = "\\*_[](){}<>&#`!|~\n\r\t -=+@'\"\u2028\u00a0"
free_text = st.text(
    alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from(SPECIAL)), max_size=40
)
# One-line values without surrounding spaces: codes, versions, level names.
word_chars = st.characters(codec="utf-8", categories=("L", "N", "P", "S"))
one_line = st.builds(
    lambda first, middle, last: (first + middle + last) if middle is not None else first,
    word_chars,
    st.none() | st.text(alphabet=st.one_of(word_chars, st.just(" ")), max_size=12),
    word_chars,
).filter(is_string)
tokenish = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9._-]{0,10}\Z")
codes = st.one_of(tokenish, one_line, st.from_regex(r"\A[0-9]{1,2}(\.[0-9a-z()]{1,3}){0,2}\Z"))
keys = st.from_regex(r"\A[a-z0-9][a-z0-9.\-]{0,20}\Z")
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | free_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(free_text, inner, max_size=3),
    max_leaves=6,
)


@st.composite
def catalogs(draw: st.DrawFn) -> Catalog:
    levels = draw(st.lists(st.one_of(tokenish, one_line), min_size=1, max_size=4, unique=True))
    node_codes = draw(st.lists(codes, min_size=1, max_size=14, unique=True))
    parents: list[int | None] = []
    for i in range(len(node_codes)):
        parents.append(draw(st.none() | st.integers(0, i - 1)) if i else None)
    explicit = draw(st.booleans())
    orders = (
        draw(
            st.lists(
                st.integers(0, 10_000),
                min_size=len(node_codes),
                max_size=len(node_codes),
                unique=True,
            )
        )
        if explicit
        else list(range(len(node_codes)))
    )
    children: dict[int | None, list[int]] = {}
    for i, p in enumerate(parents):
        children.setdefault(p, []).append(i)
    # The catalog lists its elements depth first, children in the order of their `order`.
    dfs: list[int] = []
    stack = sorted(children.get(None, []), key=lambda i: orders[i], reverse=True)
    while stack:
        i = stack.pop()
        dfs.append(i)
        stack.extend(sorted(children.get(i, []), key=lambda c: orders[c], reverse=True))
    if not explicit:
        orders = [0] * len(node_codes)
        for position, i in enumerate(dfs):
            orders[i] = position
    oscal_ids = draw(st.booleans())
    nodes = []
    for i in dfs:
        props: dict[str, Any] = draw(st.dictionaries(free_text, json_values, max_size=2))
        if oscal_ids:
            props["oscal_id"] = f"id-{i}"
        for name, strategy in (
            ("sort_id", one_line),
            ("guidance", free_text),
            ("related", st.lists(st.sampled_from(node_codes) | codes, max_size=3)),
            ("references", st.lists(free_text, max_size=3)),
            ("parties", st.lists(st.sampled_from(["first", "third"]), max_size=2)),
        ):
            if draw(st.booleans()):
                props[name] = draw(strategy)
        withdrawn_to = draw(
            st.lists(
                st.builds(
                    Withdrawal,
                    st.sampled_from([Relationship.INCORPORATED_INTO, Relationship.MOVED_TO]),
                    st.sampled_from(node_codes) | codes,
                ),
                max_size=2,
                unique_by=lambda w: (w.relation, w.target),
            )
        )
        nodes.append(
            Node(
                code=node_codes[i],
                level=draw(st.sampled_from(levels)),
                parent=node_codes[parents[i]] if parents[i] is not None else None,
                title=draw(free_text),
                text=draw(free_text),
                order=orders[i],
                examples=tuple(
                    draw(
                        st.lists(
                            st.builds(
                                Example, st.just("") | tokenish | one_line, free_text, free_text
                            ),
                            max_size=2,
                        )
                    )
                ),
                withdrawn=draw(st.booleans()),
                withdrawal_note=draw(free_text),
                withdrawn_to=tuple(withdrawn_to),
                props=props,
            )
        )
    optional = st.just("") | one_line
    info = FrameworkInfo(
        key=draw(keys),
        name=draw(free_text),
        version=draw(one_line),
        publisher=draw(optional),
        levels=tuple(levels),
        terms=draw(free_text),
        source_file=draw(optional),
        source_sha256=draw(optional),
        family=draw(optional),
        language=draw(st.sampled_from(["", "en", "zh-Hant"])),
        outcome_level=draw(st.just("") | st.sampled_from(levels)),
    )
    return Catalog(info=info, nodes=tuple(nodes))


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(catalogs())
def test_any_catalog_survives_export_import_export(catalog: Catalog) -> None:
    document = catalog_document(catalog, generated_at=WHEN)
    assert schema_errors(document) == []
    exported = catalog_json(catalog, generated_at=WHEN)
    bundle = read_oscal_catalog(exported, name="random.oscal.json")
    assert bundle.warnings == []
    (again,) = bundle.catalogs
    assert again.info == catalog.info
    assert again.nodes == catalog.nodes
    assert catalog_json(again, generated_at=WHEN) == exported


@given(free_text)
def test_markup_escaping_is_exact_and_keeps_lines(text: str) -> None:
    assert unescape_markup(escape_markup(text)) == text
    line = escape_line(text)
    assert "\n" not in line and "\r" not in line
    assert unescape_line(line) == text
