"""The Informative Reference datasets of the CSF 2.0 Reference Tool that csfpilot keeps.

NIST's Online Informative References (OLIR) programme collects crosswalks
between the CSF and other documents; the Reference Tool JSON hangs each row
off the CSF element it concerns (``olir_focal``: the row's
``elementIdentifier`` is the id in the *other* document). The CSF side is
always the mapping's ``source`` here, whichever way the dataset is named.
These rows carry no set relationship (NIST IR 8278A's "subset of"...), so they
are plain ``related_to`` references. Duplicate rows are kept: a dataset of N
rows in the file gives N mappings.

csfpilot keeps the NIST datasets to SP 800-53 and CSF 1.1, the CIS Controls
and ISO/IEC 27001:2022 ones, and NIST's own references from each Subcategory to
SP 800-53 Rev. 5.1.1 control families (``external_reference``). The other
datasets in the file (NICE, CCM, PCI DSS, SCF...) stay out: their developers'
terms vary and nothing in csfpilot reads them yet. Add one by adding a
:class:`ReferenceDataset` to :data:`DATASETS`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from csfpilot.core.catalog import (
    Catalog,
    DatasetInfo,
    ImportBundle,
    Mapping,
    MappingSet,
    Relationship,
)
from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import (
    CIS_V8_0,
    CIS_V8_1,
    CSF_1_1,
    CSF_2_0,
    ISO27001_2022,
    SP800_53_R5,
    csf11_canonical,
    csf_canonical,
    sp800_53_canonical,
)
from csfpilot.formats.nist import cis, iso27001
from csfpilot.formats.nist.csf_core import level_of
from csfpilot.formats.nist.terms import CIS, NIST, US_GOVERNMENT_WORK, third_party_olir


@dataclass(frozen=True, slots=True)
class ReferenceRow:
    """One ``externalRelationships`` entry, read but not yet interpreted."""

    source: str  # the CSF element it hangs off, as the file spells it
    relation: str  # "olir_focal" | "external_reference"
    dataset: str  # olirName, or frameworkVersionIdentifier for external references
    target: str  # elementIdentifier: the id in the other document
    target_type: str
    title: str
    text: str
    where: str = ""


@dataclass(frozen=True, slots=True)
class Target:
    code: str
    comment: str = ""
    known: bool = True  # False: the id does not exist in the target document


@dataclass(frozen=True, slots=True)
class ReferenceDataset:
    """How to recognise one dataset in the file and what to call it."""

    selector: str  # olirName (or frameworkVersionIdentifier)
    relation: str
    key: str
    name: str
    publisher: str
    version: str
    target_framework: str
    terms: str
    description: str
    # Levels of the CSF elements whose rows belong to this dataset.
    source_levels: tuple[str, ...] = ("function", "category", "subcategory")
    optional: bool = False  # absent from some of NIST's exports: no warning then


def _checked(
    canonical: Callable[[str], str | None], what: str
) -> Callable[[ReferenceRow, str], Target]:
    def read(row: ReferenceRow, file: str) -> Target:
        code = canonical(row.target)
        if code is None:
            raise InputRefused(
                f"{row.target!r} is not a {what} identifier",
                file=file,
                element=row.source,
                field=f"{row.where}.elementIdentifier",
            )
        return Target(code)

    return read


def _cis(row: ReferenceRow, file: str) -> Target:
    return Target(cis.safeguard_id(row.target, file=file, element=row.source))


def _iso(row: ReferenceRow, file: str) -> Target:
    ref = iso27001.normalise(row.target, file=file, element=row.source)
    return Target(ref.code, ref.comment, ref.known)


_TARGET_READERS: dict[str, Callable[[ReferenceRow, str], Target]] = {
    SP800_53_R5: _checked(sp800_53_canonical, "SP 800-53"),
    CSF_1_1: _checked(csf11_canonical, "CSF 1.1"),
    CIS_V8_0: _cis,
    CIS_V8_1: _cis,
    ISO27001_2022: _iso,
}

_OLIR_NOTE = "NIST OLIR dataset {name!r}, as republished in the CSF 2.0 Reference Tool."

FAMILY_DATASETS: tuple[ReferenceDataset, ...] = (
    ReferenceDataset(
        selector="SP_800_53_5_1_1",
        relation="external_reference",
        key="csf-2.0-sp800-53-families",
        name="CSF 2.0 Subcategories → SP 800-53 Rev. 5.1.1 control families",
        publisher=NIST,
        version="5.1.1",
        target_framework=SP800_53_R5,
        terms=US_GOVERNMENT_WORK,
        description="NIST's references from each CSF 2.0 Subcategory to the SP 800-53 "
        "Rev. 5.1.1 control families that support it (CSF 2.0 dataset).",
        source_levels=("subcategory",),
    ),
    ReferenceDataset(
        selector="SP_800_53_5_1_1",
        relation="external_reference",
        key="csf-2.0-categories-sp800-53-families",
        name="CSF 2.0 Categories → SP 800-53 Rev. 5.1.1 control families",
        publisher=NIST,
        version="5.1.1",
        target_framework=SP800_53_R5,
        terms=US_GOVERNMENT_WORK,
        description="NIST's references from CSF 2.0 Categories to SP 800-53 Rev. 5.1.1 "
        "control families; the CPRT export has them, the Reference Tool does not serve them.",
        source_levels=("category",),
        optional=True,
    ),
)

DATASETS: tuple[ReferenceDataset, ...] = (
    ReferenceDataset(
        selector="SP-800-53-Rev-5-to-Cybersecurity-Framework-v2.0",
        relation="olir_focal",
        key="olir-sp800-53r5-5.1.1",
        name="CSF 2.0 ↔ SP 800-53 Rev. 5 (release 5.1.1), NIST OLIR 131",
        publisher=NIST,
        version="5.1.1",
        target_framework=SP800_53_R5,
        terms=US_GOVERNMENT_WORK,
        description=_OLIR_NOTE.format(name="SP-800-53-Rev-5-to-Cybersecurity-Framework-v2.0"),
    ),
    ReferenceDataset(
        selector="Cybersecurity-Framework-v2.0-to-SP-800-53-Rev-5-2-0",
        relation="olir_focal",
        key="olir-sp800-53r5-5.2.0",
        name="CSF 2.0 ↔ SP 800-53 Rev. 5 (release 5.2.0), NIST OLIR 186",
        publisher=NIST,
        version="5.2.0",
        target_framework=SP800_53_R5,
        terms=US_GOVERNMENT_WORK,
        description=_OLIR_NOTE.format(name="Cybersecurity-Framework-v2.0-to-SP-800-53-Rev-5-2-0"),
    ),
    ReferenceDataset(
        selector="CIS-Controls-8.0-to-Cybersecurity-Framework-v2.0",
        relation="olir_focal",
        key="olir-cis-v8.0",
        name="CSF 2.0 ↔ CIS Controls v8.0",
        publisher=CIS,
        version="8.0",
        target_framework=CIS_V8_0,
        terms=third_party_olir("the Center for Internet Security"),
        description=_OLIR_NOTE.format(name="CIS-Controls-8.0-to-Cybersecurity-Framework-v2.0"),
    ),
    ReferenceDataset(
        selector="CIS-Controls-8.1-to-Cybersecurity-Framework-v2.0",
        relation="olir_focal",
        key="olir-cis-v8.1",
        name="CSF 2.0 ↔ CIS Controls v8.1",
        publisher=CIS,
        version="8.1",
        target_framework=CIS_V8_1,
        terms=third_party_olir("the Center for Internet Security"),
        description=_OLIR_NOTE.format(name="CIS-Controls-8.1-to-Cybersecurity-Framework-v2.0"),
    ),
    ReferenceDataset(
        selector="ISO/IEC-27001:2022-to-Cybersecurity-Framework-v2.0",
        relation="olir_focal",
        key="olir-iso27001-2022",
        name="CSF 2.0 ↔ ISO/IEC 27001:2022 (identifiers only)",
        publisher="Razilio",
        version="2022",
        target_framework=ISO27001_2022,
        terms=third_party_olir("Razilio") + " ISO/IEC text is not included.",
        description=_OLIR_NOTE.format(name="ISO/IEC-27001:2022-to-Cybersecurity-Framework-v2.0")
        + " Identifiers normalised as described in csfpilot.formats.nist.iso27001.",
    ),
    ReferenceDataset(
        selector="Cybersecurity-Framework-v1.1-to-Cybersecurity-Framework-v2.0",
        relation="olir_focal",
        key="olir-csf-1.1-csf-2.0",
        name="CSF 2.0 ↔ CSF 1.1, NIST OLIR 119",
        publisher=NIST,
        version="1.1",
        target_framework=CSF_1_1,
        terms=US_GOVERNMENT_WORK,
        description=_OLIR_NOTE.format(
            name="Cybersecurity-Framework-v1.1-to-Cybersecurity-Framework-v2.0"
        ),
    ),
    *FAMILY_DATASETS,
)


def _dataset_key(spec: ReferenceDataset, csf_key: str) -> str:
    # A later CSF release has its own crosswalks; they must not collide with 2.0's.
    return spec.key if csf_key == CSF_2_0 else f"{spec.key}-{csf_key}"


def informative_reference_bundle(
    rows: Sequence[ReferenceRow],
    *,
    catalog: Catalog,
    source_file: str,
    source_sha256: str,
    datasets: Sequence[ReferenceDataset] = DATASETS,
) -> ImportBundle:
    """The ``datasets`` found in ``rows``, and catalogs of the CIS and ISO ids they name."""
    bundle = ImportBundle()
    for spec in datasets:
        picked = [
            r
            for r in rows
            if r.relation == spec.relation
            and r.dataset == spec.selector
            and level_of(r.source) in spec.source_levels
        ]
        if not picked:
            if not spec.optional:
                bundle.warnings.append(
                    f"{source_file}: the dataset {spec.selector!r} is not in the file"
                )
            continue
        read_target = _TARGET_READERS[spec.target_framework]
        mappings: list[Mapping] = []
        unknown: list[str] = []
        for row in picked:
            source = csf_canonical(row.source)
            if source is None or catalog.get(source) is None:
                raise InputRefused(
                    f"the reference hangs off {row.source!r}, which is not an active element "
                    f"of {catalog.info.key}",
                    file=source_file,
                    element=row.source,
                    field=row.where,
                )
            target = read_target(row, source_file)
            if not target.code:
                # "Mandatory Clause: None": the developer found nothing to map to. It
                # is not a mapping, and shown as one it read as a junk row.
                continue
            if not target.known:
                unknown.append(target.code)
            mappings.append(
                Mapping(
                    source=source,
                    target=target.code,
                    relationship=Relationship.RELATED_TO,
                    comment=target.comment,
                    target_title=(row.title or row.text).strip()
                    or (row.target.strip() if target.comment else ""),
                )
            )
        if unknown:
            bundle.warnings.append(
                f"{source_file}: {spec.selector}: {len(unknown)} row(s) name ids that "
                f"{spec.target_framework} does not have, kept as written: "
                + ", ".join(sorted(set(unknown)))
            )
        info = DatasetInfo(
            key=_dataset_key(spec, catalog.info.key),
            name=spec.name,
            publisher=spec.publisher,
            version=spec.version,
            source_framework=catalog.info.key,
            target_framework=spec.target_framework,
            terms=spec.terms,
            source_file=source_file,
            source_sha256=source_sha256,
            description=spec.description,
        )
        mapping_set = MappingSet(info=info, mappings=tuple(mappings))
        bundle.mapping_sets.append(mapping_set)
        target_catalog = _target_catalog(spec, mapping_set, source_file, source_sha256)
        if target_catalog is not None:
            bundle.catalogs.append(target_catalog)
    return bundle


def _target_catalog(
    spec: ReferenceDataset, mapping_set: MappingSet, source_file: str, source_sha256: str
) -> Catalog | None:
    if spec.target_framework in (CIS_V8_0, CIS_V8_1):
        return cis.build_catalog(
            ((m.target, m.target_title) for m in mapping_set.mappings),
            key=spec.target_framework,
            version=spec.version,
            source_file=source_file,
            source_sha256=source_sha256,
        )
    if spec.target_framework == ISO27001_2022:
        return iso27001.build_catalog(
            (m.target for m in mapping_set.mappings),
            source_file=source_file,
            source_sha256=source_sha256,
        )
    return None
