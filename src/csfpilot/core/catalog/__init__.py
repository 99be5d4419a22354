"""Frameworks as trees of elements, and mappings between elements of two frameworks."""

from csfpilot.core.catalog.model import (
    Baseline,
    Catalog,
    DatasetInfo,
    Example,
    FrameworkAlias,
    FrameworkInfo,
    ImportBundle,
    Mapping,
    MappingSet,
    Node,
    Translation,
    Withdrawal,
)
from csfpilot.core.catalog.relationships import Relationship

__all__ = [
    "Baseline",
    "Catalog",
    "DatasetInfo",
    "Example",
    "FrameworkAlias",
    "FrameworkInfo",
    "ImportBundle",
    "Mapping",
    "MappingSet",
    "Node",
    "Relationship",
    "Translation",
    "Withdrawal",
]
