"""How an element of one framework relates to an element of another.

The set relationships are NIST's OLIR vocabulary (NIST IR 8278A). Most OLIR
datasets that NIST republishes in the CSF 2.0 Reference Tool carry no set
relationship at all; those rows are plain informative references
(``related_to``). The two migration relationships describe where a withdrawn
element went (CSF 1.1 → 2.0, and withdrawn SP 800-53 controls).
"""

from __future__ import annotations

from enum import StrEnum


class Relationship(StrEnum):
    EQUIVALENT = "equivalent"
    SUBSET_OF = "subset_of"
    SUPERSET_OF = "superset_of"
    INTERSECTS_WITH = "intersects_with"
    RELATED_TO = "related_to"
    INCORPORATED_INTO = "incorporated_into"
    MOVED_TO = "moved_to"
    # Migration rows read from the destination's side; never stored, only shown.
    INCORPORATES = "incorporates"
    RECEIVED_FROM = "received_from"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @property
    def is_migration(self) -> bool:
        return self in _MIGRATION

    def inverse(self) -> Relationship:
        """The relationship read from the other side (A ⊂ B ⇔ B ⊃ A)."""
        return _INVERSE.get(self, self)


_MIGRATION = frozenset(
    {
        Relationship.INCORPORATED_INTO,
        Relationship.MOVED_TO,
        Relationship.INCORPORATES,
        Relationship.RECEIVED_FROM,
    }
)

_INVERSE = {
    Relationship.SUBSET_OF: Relationship.SUPERSET_OF,
    Relationship.SUPERSET_OF: Relationship.SUBSET_OF,
    Relationship.INCORPORATED_INTO: Relationship.INCORPORATES,
    Relationship.INCORPORATES: Relationship.INCORPORATED_INTO,
    Relationship.MOVED_TO: Relationship.RECEIVED_FROM,
    Relationship.RECEIVED_FROM: Relationship.MOVED_TO,
}
