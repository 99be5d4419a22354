"""The tables a scan import maps findings through, built once per loaded content.

- SP 800-53 → CSF 2.0 outcomes: every loaded crosswalk dataset between CSF 2.0
  and SP 800-53 Rev. 5 (NIST's releases 5.1.1 and 5.2.0 ship), read from the
  database as the catalog pages show them;
- CSF 1.1 → CSF 2.0: NIST's relationships for withdrawn CSF 1.1 outcomes;
- CCI → SP 800-53: DISA's CCI list, when an operator has imported it as a
  crosswalk dataset from ``cci`` to ``sp800-53r5`` (otherwise findings that
  carry only CCI ids are reported as such);
- the Core's outcome ids, so that nothing outside it is ever produced.

Each is cached per process, keyed by the datasets' content digests, so a newly
loaded release is used at once and an unchanged one is read once.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from csfpilot.core.catalog.model import Mapping as Row
from csfpilot.core.catalog.relationships import Relationship
from csfpilot.core.evidence.scan_mapping import crosswalk_index, csf11_index
from csfpilot.core.ids import CSF_2_0, SP800_53_R5
from csfpilot.core.profiles import WITHDRAWALS_DATASET
from csfpilot.webapp.catalog import models as catalog
from csfpilot.webapp.profiles.frameworks import outcome_framework

CCI = "cci"


@dataclass(frozen=True)
class ScanIndex:
    crosswalk: Mapping[str, Collection[str]]
    csf11: Mapping[str, Collection[str]]
    cci: Mapping[str, Collection[str]] | None
    outcomes: frozenset[str]
    datasets: tuple[str, ...]


_lock = threading.Lock()
_cache: dict[tuple, ScanIndex] = {}


def _rows(keys: list[str]) -> list[Row]:
    return [
        Row(source, target, Relationship(rel))
        for source, target, rel in catalog.Mapping.objects.filter(dataset__key__in=keys)
        .order_by("id")
        .values_list("source_code", "target_code", "relationship")
    ]


def scan_index() -> ScanIndex:
    """The current index; None-free except ``cci`` (None until a CCI list is loaded)."""
    fw = catalog.Framework.objects.filter(key=CSF_2_0).first()
    crosswalks = list(
        catalog.MappingDataset.objects.filter(
            source_framework_key=CSF_2_0, target_framework_key=SP800_53_R5
        )
        .order_by("key")
        .values_list("key", "content_digest")
    )
    withdrawals = list(
        catalog.MappingDataset.objects.filter(key=WITHDRAWALS_DATASET).values_list(
            "key", "content_digest"
        )
    )
    cci = list(
        catalog.MappingDataset.objects.filter(
            source_framework_key=CCI, target_framework_key=SP800_53_R5
        )
        .order_by("key")
        .values_list("key", "content_digest")
    )
    key = (
        fw.content_digest if fw else "",
        tuple(crosswalks),
        tuple(withdrawals),
        tuple(cci),
    )
    found = _cache.get(key)
    if found is not None:
        return found
    cci_table: dict[str, set[str]] | None = None
    if cci:
        cci_table = {}
        for row in _rows([k for k, _ in cci]):
            cci_table.setdefault(row.source.strip().upper(), set()).add(row.target)
    built = ScanIndex(
        crosswalk=crosswalk_index(_rows([k for k, _ in crosswalks])),
        csf11=csf11_index(_rows([k for k, _ in withdrawals])),
        cci=cci_table,
        outcomes=frozenset(outcome_framework(fw).outcomes) if fw else frozenset(),
        datasets=tuple(k for k, _ in crosswalks),
    )
    with _lock:
        _cache.clear()
        _cache[key] = built
    return built
