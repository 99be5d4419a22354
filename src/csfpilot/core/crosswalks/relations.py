"""What one OLIR relationship lets a rating carry, and what a chain of them means.

A crosswalk row says ``source`` *relationship* ``target`` (NIST IR 8278A):
read in the direction a rating travels, from the element that was assessed
to the element that gets a proposal.

- **equivalent**: the two say the same thing; the rating carries in full.
- **superset of**: the assessed element contains the target; achieving it
  achieves the target, so the rating covers the target in full.
- **subset of** and **intersects with**: the assessed element is only part
  of the target, or they overlap; the rating says something about the target
  but not all of it (*partial* coverage).
- **related to**: NIST's informative references, which carry no set
  relationship (most published OLIR rows); treated as a partial
  contribution, like an intersection.
- The CSF 1.1 → 2.0 migration rows: *moved to* is the same outcome under a
  new id (full); *incorporated into* means the old outcome became part of a
  new one (partial, like a subset); read backwards, *incorporates* covers the
  old outcome in full and *received from* is equivalent.

A chain (A → B → C) composes its steps with the set logic: A ⊇ B and B ⊇ C
gives A ⊇ C; A ⊇ B and B ∩ C gives A ∩ C; a step that says nothing about the
overlap (A ⊆ B and B ⊇ C) leaves only "related to". A chain covers its target
in full only when every step does.
"""

from __future__ import annotations

from enum import StrEnum

from csfpilot.core.catalog.relationships import Relationship

R = Relationship


class Coverage(StrEnum):
    """How much of a target outcome the rated sources speak for."""

    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"  # reached by the crosswalk, but no rated source behind it

    @property
    def label(self) -> str:
        return self.value


# Each relationship read as the set relation it states, source to target.
_AS_SET = {
    R.EQUIVALENT: R.EQUIVALENT,
    R.SUPERSET_OF: R.SUPERSET_OF,
    R.SUBSET_OF: R.SUBSET_OF,
    R.INTERSECTS_WITH: R.INTERSECTS_WITH,
    R.RELATED_TO: R.RELATED_TO,
    R.MOVED_TO: R.EQUIVALENT,
    R.RECEIVED_FROM: R.EQUIVALENT,
    R.INCORPORATED_INTO: R.SUBSET_OF,
    R.INCORPORATES: R.SUPERSET_OF,
}

_FULL = frozenset({R.EQUIVALENT, R.SUPERSET_OF})

# How close a relation is to "the same thing": the strongest path to a target wins.
STRENGTH = {
    R.EQUIVALENT: 4,
    R.SUPERSET_OF: 3,
    R.SUBSET_OF: 2,
    R.INTERSECTS_WITH: 1,
    R.RELATED_TO: 0,
}


def as_set(relationship: Relationship) -> Relationship:
    """The set relation a row states (migration relationships read as their set meaning)."""
    return _AS_SET[relationship]


def coverage_of(relationship: Relationship) -> Coverage:
    """Full when the assessed element contains the target (equivalent, superset of)."""
    return Coverage.FULL if as_set(relationship) in _FULL else Coverage.PARTIAL


def compose(first: Relationship, second: Relationship) -> Relationship:
    """The relation of A to C given A *first* B and B *second* C (set logic)."""
    a, b = as_set(first), as_set(second)
    if a is R.EQUIVALENT:
        return b
    if b is R.EQUIVALENT:
        return a
    if a is b and a in (R.SUPERSET_OF, R.SUBSET_OF):
        return a
    if a is R.SUPERSET_OF and b in (R.SUBSET_OF, R.INTERSECTS_WITH):
        # A ⊇ B and B meets C: A meets C at least where B does.
        return R.INTERSECTS_WITH
    if a is R.INTERSECTS_WITH and b is R.SUBSET_OF:
        return R.INTERSECTS_WITH
    return R.RELATED_TO


def is_usable(relationship: Relationship) -> bool:
    """Every relationship csfpilot stores says the two elements share something."""
    return relationship in _AS_SET
