"""Moving a profile to a newer release: which answers carry over, exactly."""

from __future__ import annotations

from csfpilot.core.catalog import Catalog, FrameworkInfo, Mapping, Node, Relationship
from csfpilot.core.catalog.release_changes import release_changes


def _catalog(key: str, outcomes: dict[str, str]) -> Catalog:
    info = FrameworkInfo(
        key=key,
        name="F",
        version=key,
        publisher="P",
        levels=("function", "subcategory"),
        outcome_level="subcategory",
    )
    nodes = [Node("F", "function", None, "F", "", 0)]
    nodes += [
        Node(code, "subcategory", "F", "", text, i)
        for i, (code, text) in enumerate(outcomes.items(), 1)
    ]
    return Catalog(info, tuple(nodes))


def test_each_kind_of_change_is_told_apart_and_only_unambiguous_answers_carry():
    old = _catalog(
        "f-1",
        {
            "A-1": "Same",
            "A-2": "Old words",
            "A-3": "Moves",
            "A-4": "Splits",
            "A-5": "Gone",
            "A-6": "Merges",
            "A-7": "Merges too",
        },
    )
    new = _catalog(
        "f-2",
        {
            "A-1": "same",
            "A-2": "New words",
            "B-1": "Moved here",
            "B-2": "Half",
            "B-3": "Half",
            "B-4": "Merged",
            "B-5": "Brand new",
        },
    )
    moves = [
        Mapping("A-3", "B-1", Relationship.MOVED_TO),
        Mapping("A-4", "B-2", Relationship.INCORPORATED_INTO),
        Mapping("A-4", "B-3", Relationship.INCORPORATED_INTO),
        Mapping("A-6", "B-4", Relationship.INCORPORATED_INTO),
        Mapping("A-7", "B-4", Relationship.INCORPORATED_INTO),
        Mapping("A-5", "", Relationship.INCORPORATED_INTO),
    ]
    changes = release_changes(old, new, moves)
    assert changes.same == ["A-1"]
    assert changes.text_changed == [("A-2", "Old words", "New words")]
    assert changes.moved == {
        "A-3": ("B-1",),
        "A-4": ("B-2", "B-3"),
        "A-6": ("B-4",),
        "A-7": ("B-4",),
    }
    assert changes.withdrawn == ["A-5"]
    assert changes.carried() == {"A-1": "A-1", "A-2": "A-2", "A-3": "B-1"}
    assert changes.not_carried() == ["A-4", "A-6", "A-7", "A-5"]
    assert changes.added == ["B-2", "B-3", "B-4", "B-5"]
