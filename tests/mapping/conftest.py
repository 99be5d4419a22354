"""Small hand-made frameworks and crosswalks for the mapping assistant's tests."""

from __future__ import annotations

import pytest

from csfpilot.core.catalog.model import (
    Catalog,
    DatasetInfo,
    Example,
    FrameworkInfo,
    Mapping,
    MappingSet,
    Node,
)


def framework(key: str, levels: tuple[str, ...], rows, outcome_level: str = "") -> Catalog:
    nodes = []
    for order, row in enumerate(rows):
        code, level, parent, title, text, *rest = row
        examples = tuple(Example(f"{code}.{i:03}", f"Ex{i}", t) for i, t in enumerate(rest, 1))
        nodes.append(Node(code, level, parent, title, text, order, examples=examples))
    info = FrameworkInfo(key, key, "1", "test", levels, outcome_level=outcome_level)
    return Catalog(info=info, nodes=tuple(nodes))


@pytest.fixture
def csf() -> Catalog:
    """A slice of a CSF-like target: two Categories, four outcomes, with examples."""
    return framework(
        "csf-2.0",
        ("function", "category", "subcategory"),
        [
            ("PR", "function", None, "PROTECT", "Safeguards are used"),
            ("PR.DS", "category", "PR", "Data Security", "Data are managed"),
            (
                "PR.DS-11",
                "subcategory",
                "PR.DS",
                "",
                "Backups of data are created, protected, maintained, and tested",
                "Continuously back up critical data in near-real-time",
                "Test backups and restores for all types of data sources",
            ),
            (
                "PR.DS-01",
                "subcategory",
                "PR.DS",
                "",
                "The confidentiality, integrity, and availability of data-at-rest are protected",
                "Use encryption and digital signatures to protect stored data",
            ),
            ("DE", "function", None, "DETECT", "Possible attacks are found"),
            ("DE.CM", "category", "DE", "Continuous Monitoring", "Assets are monitored"),
            (
                "DE.CM-01",
                "subcategory",
                "DE.CM",
                "",
                "Networks and network services are monitored to find potentially adverse events",
                "Monitor DNS, BGP, and other network services for adverse events",
            ),
            (
                "DE.CM-09",
                "subcategory",
                "DE.CM",
                "",
                "Computing hardware and software, runtime environments, and their data are "
                "monitored to find potentially adverse events",
                "Monitor email, web, file sharing, and other services for malware",
            ),
        ],
        outcome_level="subcategory",
    )


@pytest.fixture
def controls() -> Catalog:
    """An SP 800-53-like source: a family, two controls, one enhancement."""
    return framework(
        "sp800-53r5",
        ("family", "control", "enhancement"),
        [
            ("CP", "family", None, "Contingency Planning", ""),
            ("CP-9", "control", "CP", "System Backup", "Conduct backups of system information"),
            (
                "CP-9(1)",
                "enhancement",
                "CP-9",
                "Testing for Reliability and Integrity",
                "Test backup information to verify media reliability",
            ),
            ("SI", "family", None, "System and Information Integrity", ""),
            ("SI-4", "control", "SI", "System Monitoring", "Monitor the system to detect attacks"),
        ],
    )


def crosswalk(key: str, source: str, target: str, rows) -> MappingSet:
    info = DatasetInfo(key, f"dataset {key}", "test", "1", source, target)
    return MappingSet(info=info, mappings=tuple(Mapping(s, t) for s, t in rows))
