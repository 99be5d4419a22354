"""Storing what importers read: one transaction per import, nothing partial.

Idempotent by content: loading a release whose content is already stored
changes nothing, whichever of NIST's file formats it came from. Loading a
different content under a key that exists is refused, because profiles point at
the stored release; a new NIST release must come in under its own key.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from csfpilot.core.catalog import (
    Baseline,
    Catalog,
    FrameworkAlias,
    ImportBundle,
    MappingSet,
    Translation,
)
from csfpilot.core.catalog.crosswalk_input import resolve
from csfpilot.core.catalog.releases import same_release
from csfpilot.core.errors import InputRefused
from csfpilot.formats.detect import DatasetIdentity
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.catalog import models as m
from csfpilot.webapp.catalog.loaded import DatabaseFrameworks


@dataclass(frozen=True)
class LoadedItem:
    """One thing an import stored (or, checked only, would store)."""

    kind: str  # framework, crosswalk, alias, baseline, translations
    key: str
    name: str
    count: int  # elements, rows, renamed ids, controls or translated texts
    source: str = ""  # crosswalk: the source framework key
    target: str = ""  # crosswalk: the target framework key; alias: the official release


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    items: list[LoadedItem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created)


def _search_text(*parts: Iterable[str] | str) -> str:
    flat: list[str] = []
    for p in parts:
        if isinstance(p, str):
            flat.append(p)
        else:
            flat.extend(p)
    return " ".join(x for x in flat if x).lower()


def _depths(cat: Catalog) -> dict[str, int]:
    """How deep each node sits, whatever order the importer listed them in.

    ``Catalog`` checks that every parent exists but not that parents come first
    or that the chain ends, so a loop (A under B under A) is refused here.
    """
    parent_of = {n.code: n.parent for n in cat.nodes}
    depth: dict[str, int] = {}
    for n in cat.nodes:
        chain: list[str] = []
        code: str | None = n.code
        while code is not None and code not in depth:
            if code in chain:
                raise InputRefused(
                    "the parent chain of this element loops back to itself",
                    file=cat.info.source_file,
                    element=code,
                )
            chain.append(code)
            code = parent_of[code]
        base = -1 if code is None else depth[code]
        for offset, c in enumerate(reversed(chain), start=1):
            depth[c] = base + offset
    return depth


def _store_catalog(cat: Catalog, *, bundled: bool) -> m.Framework:
    info = cat.info
    depth = _depths(cat)
    fw = m.Framework.objects.create(
        key=info.key,
        family=info.family,
        name=info.name,
        version=info.version,
        publisher=info.publisher,
        terms=info.terms,
        levels=list(info.levels),
        outcome_level=info.outcome_level,
        named_by_crosswalks=info.named_by_crosswalks,
        language=info.language,
        source_file=info.source_file,
        source_sha256=info.source_sha256,
        content_digest=cat.content_digest(),
        bundled=bundled,
        node_count=len(cat.nodes),
    )
    # Parents are stored before their children (one batch per depth), so every row is
    # written once with its parent id instead of being updated afterwards.
    ids: dict[str, int] = {}
    for level_depth in sorted(set(depth.values())):
        batch = [n for n in cat.nodes if depth[n.code] == level_depth]
        rows = [
            m.Node(
                framework=fw,
                code=n.code,
                level=n.level,
                depth=level_depth,
                parent_id=ids[n.parent] if n.parent is not None else None,
                order=n.order,
                title=n.title,
                text=n.text,
                withdrawn=n.withdrawn,
                withdrawal_note=n.withdrawal_note,
                props=dict(n.props),
                search_text=_search_text(n.code, n.title, n.text, (e.text for e in n.examples)),
            )
            for n in batch
        ]
        created = m.Node.objects.bulk_create(rows, batch_size=500)
        if any(r.pk is None for r in created):
            ids.update(
                m.Node.objects.filter(framework=fw, depth=level_depth).values_list("code", "id")
            )
        else:
            ids.update((r.code, r.pk) for r in created)
    examples = [
        m.Example(node_id=ids[n.code], code=e.code, title=e.title, text=e.text, order=i)
        for n in cat.nodes
        for i, e in enumerate(n.examples)
    ]
    m.Example.objects.bulk_create(examples, batch_size=500)
    withdrawals = [
        m.Withdrawal(
            node_id=ids[n.code],
            relation=str(w.relation),
            target_code=w.target,
            target_id=ids.get(w.target),
        )
        for n in cat.nodes
        for w in n.withdrawn_to
    ]
    m.Withdrawal.objects.bulk_create(withdrawals, batch_size=500)
    return fw


def _node_ids(keys: Iterable[str]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for key in set(keys):
        out[key] = dict(m.Node.objects.filter(framework__key=key).values_list("code", "id"))
    return out


def _store_mapping_set(ms: MappingSet, *, bundled: bool) -> m.MappingDataset:
    info = ms.info
    ds = m.MappingDataset.objects.create(
        key=info.key,
        name=info.name,
        publisher=info.publisher,
        version=info.version,
        terms=info.terms,
        description=info.description,
        source_framework_key=info.source_framework,
        target_framework_key=info.target_framework,
        source_file=info.source_file,
        source_sha256=info.source_sha256,
        content_digest=ms.content_digest(),
        bundled=bundled,
        row_count=len(ms.mappings),
        reviewed_by=info.reviewed_by[:200],
        reviewed_at=timezone.now() if info.reviewed_by else None,
    )
    ids = _node_ids([info.source_framework, info.target_framework])
    src, dst = ids[info.source_framework], ids[info.target_framework]
    release_key = _release_loaded_beside(info.target_framework, info.version)
    if release_key is not None:
        # The rows name elements of that release: link them there, and to the framework
        # the dataset names only for ids the release lacks.
        dst = {**dst, **_node_ids([release_key])[release_key]}
    m.Mapping.objects.bulk_create(
        [
            m.Mapping(
                dataset=ds,
                source_code=r.source,
                target_code=r.target,
                source_id=src.get(r.source),
                target_id=dst.get(r.target),
                relationship=str(r.relationship),
                comment=r.comment,
                strength=r.strength,
                target_title=r.target_title,
            )
            for r in ms.mappings
        ],
        batch_size=1000,
    )
    return ds


def _release_loaded_beside(end_key: str, release: str) -> str | None:
    """The key of the loaded release ``release`` of ``end_key``'s framework, when that is
    another catalog than ``end_key`` (SP 800-53 5.2.0 imported beside the shipped 5.0.1)."""
    end = m.Framework.objects.filter(key=end_key).values_list("family", "version").first()
    if end is None or not end[0] or not release or same_release(end[1], release):
        return None
    others = m.Framework.objects.filter(family=end[0]).exclude(key=end_key)
    for key, version in others.order_by("key").values_list("key", "version"):
        if same_release(version, release):
            return key
    return None


def _link_release(fw: m.Framework) -> None:
    """Point the rows of crosswalks made for ``fw``'s release at its elements.

    A crosswalk is stored against the framework key it was published for
    (``sp800-53r5``); when that key holds an earlier release, its rows for
    controls that release lacks stay unlinked until this one arrives.
    """
    if not fw.family:
        return
    ends = set(
        m.Framework.objects.filter(family=fw.family)
        .exclude(key=fw.key)
        .values_list("key", flat=True)
    )
    datasets = [
        ds
        for ds in m.MappingDataset.objects.filter(target_framework_key__in=ends)
        if _release_loaded_beside(ds.target_framework_key, ds.version) == fw.key
    ]
    if not datasets:
        return
    codes = _node_ids([fw.key])[fw.key]
    for ds in datasets:
        todo = [r for r in ds.rows.all() if codes.get(r.target_code, r.target_id) != r.target_id]
        for row in todo:
            row.target_id = codes[row.target_code]
        m.Mapping.objects.bulk_update(todo, ["target"], 1000)


def _relink(framework_keys: set[str]) -> None:
    """Attach rows stored before their framework was loaded (e.g. CSF 1.1 after its crosswalk)."""
    if not framework_keys:
        return
    for fw in m.Framework.objects.filter(key__in=framework_keys):
        _link_release(fw)
    ids = _node_ids(framework_keys)
    for ds in m.MappingDataset.objects.filter(source_framework_key__in=framework_keys):
        codes = ids[ds.source_framework_key]
        todo = list(ds.rows.filter(source__isnull=True))
        for row in todo:
            row.source_id = codes.get(row.source_code)
        m.Mapping.objects.bulk_update([r for r in todo if r.source_id], ["source"], 1000)
    for ds in m.MappingDataset.objects.filter(target_framework_key__in=framework_keys):
        codes = ids[ds.target_framework_key]
        todo = list(ds.rows.filter(target__isnull=True))
        for row in todo:
            row.target_id = codes.get(row.target_code)
        m.Mapping.objects.bulk_update([r for r in todo if r.target_id], ["target"], 1000)
    for key in framework_keys:
        codes = ids[key]
        todo = list(m.BaselineMembership.objects.filter(framework__key=key, node__isnull=True))
        for b in todo:
            b.node_id = codes.get(b.code)
        m.BaselineMembership.objects.bulk_update([b for b in todo if b.node_id], ["node"], 1000)


def _store_baseline(b: Baseline, report: LoadReport) -> None:
    fw = m.Framework.objects.filter(key=b.framework).first()
    if fw is None:
        raise InputRefused(
            f"baseline {b.name} selects controls of {b.framework}, which is not loaded; "
            "load its catalog first",
            file=b.source_file,
        )
    existing = set(
        m.BaselineMembership.objects.filter(framework=fw, name=b.name).values_list(
            "code", flat=True
        )
    )
    if existing == set(b.codes):
        report.unchanged.append(f"baseline {b.framework}/{b.name}")
        return
    if existing:
        raise InputRefused(
            f"baseline {b.name} of {b.framework} is already loaded with other controls",
            file=b.source_file,
        )
    codes = dict(m.Node.objects.filter(framework=fw).values_list("code", "id"))
    missing = [c for c in b.codes if c not in codes]
    if missing:
        report.warnings.append(
            f"baseline {b.name}: {len(missing)} control(s) not in the loaded {b.framework} "
            f"catalog, kept as references: {', '.join(missing[:10])}"
        )
    m.BaselineMembership.objects.bulk_create(
        [
            m.BaselineMembership(
                framework=fw,
                name=b.name,
                code=c,
                node_id=codes.get(c),
                source_file=b.source_file,
                source_sha256=b.source_sha256,
            )
            for c in b.codes
        ]
    )
    report.created.append(f"baseline {b.framework}/{b.name}")
    report.items.append(LoadedItem("baseline", b.name, b.name, len(b.codes), target=b.framework))


def _store_alias(alias: FrameworkAlias, report: LoadReport) -> None:
    if not m.Framework.objects.filter(key=alias.official_key).exists():
        raise InputRefused(
            f"{alias.key} is a copy of {alias.official_key}, which is not loaded",
            file=alias.source_file,
        )
    if m.Framework.objects.filter(key=alias.key).exists():
        raise InputRefused(
            f"{alias.key} is already loaded as a framework of its own, so it cannot also "
            f"stand for {alias.official_key}",
            file=alias.source_file,
        )
    renamed = dict(alias.renamed)
    existing = m.FrameworkAlias.objects.filter(key=alias.key).first()
    if existing is not None:
        if existing.official_key == alias.official_key and existing.renamed == renamed:
            report.unchanged.append(f"{alias.key} → {alias.official_key}")
            return
        raise InputRefused(
            f"{alias.key} already stands for {existing.official_key} with other ids",
            file=alias.source_file,
        )
    m.FrameworkAlias.objects.create(
        key=alias.key,
        official_key=alias.official_key,
        name=alias.name[:200],
        renamed=renamed,
        source_file=alias.source_file[:300],
        source_sha256=alias.source_sha256,
    )
    report.created.append(f"{alias.key} → {alias.official_key}")
    report.items.append(
        LoadedItem("alias", alias.key, alias.name, len(alias.renamed), target=alias.official_key)
    )


def _store_translations(translations: Iterable[Translation], report: LoadReport) -> None:
    """Attach translations to the stored elements they translate, with their source.

    One translation per element and language: one already stored with other words is kept
    (it may be in use) and the new one is reported, not stored.
    """
    groups: dict[tuple[str, str], list[Translation]] = defaultdict(list)
    for t in translations:
        groups[(t.framework, t.language)].append(t)
    ids = _node_ids({key for key, _ in groups})
    for (key, language), items in groups.items():
        codes = ids[key]
        stored = {
            row.node_id: row
            for row in m.NodeTranslation.objects.filter(node__framework__key=key, language=language)
        }
        new: dict[int, m.NodeTranslation] = {}
        same, other, missing = 0, [], []
        for t in items:
            node_id = codes.get(t.code)
            if node_id is None:
                missing.append(t.code)
                continue
            before = stored.get(node_id)
            if before is not None:
                if (before.title, before.text) == (t.title, t.text):
                    same += 1
                else:
                    other.append(t.code)
                continue
            new.setdefault(
                node_id,
                m.NodeTranslation(
                    node_id=node_id,
                    language=language,
                    title=t.title,
                    text=t.text,
                    source=t.source[:200],
                ),
            )
        m.NodeTranslation.objects.bulk_create(list(new.values()), batch_size=500)
        label = f"translations {key} {language}"
        if new:
            report.created.append(label)
            report.items.append(
                LoadedItem("translations", f"{key}/{language}", items[0].source, len(new))
            )
        elif same:
            report.unchanged.append(label)
        if other:
            report.warnings.append(
                f"{len(other)} {language} translation(s) of {key} differ from the ones already "
                f"loaded, which are kept: {', '.join(other[:8])}"
            )
        if missing:
            report.warnings.append(
                f"{len(missing)} {language} translation(s) name elements {key} does not have: "
                f"{', '.join(missing[:8])}"
            )


def load_bundle(
    bundle: ImportBundle, *, bundled: bool = False, who: audit.Who | None = None
) -> LoadReport:
    """Store an importer's result atomically; return what was created or already there.

    Crosswalks read from a file are linked to the loaded frameworks here (after
    the file's own frameworks are stored, so a library and its mapping set can
    come together); one whose framework is not loaded refuses the whole import.
    ``who``: an import made through the web or the API, recorded in the
    instance's audit chain.
    """
    report = LoadReport(warnings=list(bundle.warnings))
    with transaction.atomic():
        new_keys: set[str] = set()
        for cat in bundle.catalogs:
            existing = m.Framework.objects.filter(key=cat.info.key).first()
            if existing is not None:
                if existing.content_digest == cat.content_digest():
                    report.unchanged.append(cat.info.key)
                    continue
                hint = ""
                if cat.info.version and not same_release(cat.info.version, existing.version):
                    hint = (
                        f" (the loaded one is release {existing.version}, this file is "
                        f"release {cat.info.version}: give its version, --version "
                        f"{cat.info.version} on the command line)"
                    )
                raise InputRefused(
                    f"{cat.info.key} is already loaded with different content; a newer "
                    "release must be imported under its own version so that profiles tied "
                    f"to the loaded one keep it{hint}",
                    file=cat.info.source_file,
                )
            _store_catalog(cat, bundled=bundled)
            new_keys.add(cat.info.key)
            report.created.append(cat.info.key)
            report.items.append(
                LoadedItem("framework", cat.info.key, cat.info.name, len(cat.nodes))
            )
        for alias in bundle.aliases:
            _store_alias(alias, report)
        _store_translations(bundle.translations, report)
        mapping_sets = list(bundle.mapping_sets)
        if bundle.crosswalks:
            loaded = DatabaseFrameworks()
            for pending in bundle.crosswalks:
                ms, warnings = resolve(pending, loaded)
                mapping_sets.append(ms)
                report.warnings.extend(warnings)
        for ms in mapping_sets:
            existing_ds = m.MappingDataset.objects.filter(key=ms.info.key).first()
            if existing_ds is not None:
                # The digest covers the rows only; the same rows between other
                # frameworks are another dataset.
                ends = (existing_ds.source_framework_key, existing_ds.target_framework_key)
                same_ends = ends == (ms.info.source_framework, ms.info.target_framework)
                if same_ends and existing_ds.content_digest == ms.content_digest():
                    report.unchanged.append(ms.info.key)
                    continue
                raise InputRefused(
                    f"mapping dataset {ms.info.key} is already loaded with different rows",
                    file=ms.info.source_file,
                )
            _store_mapping_set(ms, bundled=bundled)
            report.created.append(ms.info.key)
            report.items.append(
                LoadedItem(
                    "crosswalk",
                    ms.info.key,
                    ms.info.name,
                    len(ms.mappings),
                    source=ms.info.source_framework,
                    target=ms.info.target_framework,
                )
            )
        _relink(new_keys)
        for b in bundle.baselines:
            _store_baseline(b, report)
        if who is not None and report.created:
            sources = sorted(
                {c.info.source_file for c in bundle.catalogs}
                | {ms.info.source_file for ms in mapping_sets}
                | {a.source_file for a in bundle.aliases}
            )
            audit.append(
                None,
                who,
                object_type="framework-import",
                object_id=", ".join(report.created)[:100],
                action=audit.Action.IMPORT,
                label=", ".join(sources)[:200],
                changes={"created": report.created, "unchanged": report.unchanged},
            )
    return report


def _stored_file_digests() -> set[str]:
    """sha256 of every file something in the database was loaded from."""
    found: set[str] = set()
    for model in (m.Framework, m.MappingDataset, m.BaselineMembership):
        found.update(model.objects.values_list("source_sha256", flat=True).distinct())
    return found


def ensure_bundled_catalogs() -> LoadReport:
    """Load NIST's files that ship in the package, through the same importers a user has.

    Cheap when nothing is new: the shipped files are hashed (milliseconds) and
    compared with the files the database was loaded from. When a release ships
    one more file (SP 800-53, a baseline), the next start reads the bundle again
    and stores only what is new; the rest is reported unchanged. Two processes
    starting at once may both try; the loser's insert fails on a unique key,
    and its retry finds everything already there.
    """
    from csfpilot.formats.bundled import BUNDLED_SOURCES, read_bundled
    from csfpilot.formats.nist.shipped import shipped_file

    shipped = {
        hashlib.sha256(shipped_file(src.path).read_bytes()).hexdigest() for src in BUNDLED_SOURCES
    }
    if shipped <= _stored_file_digests():
        return LoadReport(unchanged=["bundled"])
    bundle = read_bundled()
    try:
        return load_bundle(bundle, bundled=True)
    except IntegrityError:
        return load_bundle(bundle, bundled=True)


def import_file(
    raw: bytes,
    *,
    name: str,
    who: audit.Who,
    core_copy: str | None = None,
    dataset: DatasetIdentity | None = None,
    check_only: bool = False,
    key: str | None = None,
    version: str | None = None,
    crosswalks_only: bool = False,
) -> LoadReport:
    """Import a framework or crosswalk file uploaded by the instance's operator.

    The same reading and storing as ``csfpilot import-framework``; ``check_only``
    runs the whole import and rolls it back, so the operator sees what would be
    created (or why the file is refused) before anything is stored.
    ``crosswalks_only``: the file must hold crosswalks and no framework (the API's
    crosswalk import), so that a framework file sent there is refused, not loaded.
    """
    from csfpilot.formats.detect import read_framework_file

    bundle = read_framework_file(
        raw,
        name=name,
        core_copy=core_copy or None,
        dataset=dataset,
        key=key or None,
        version=version or None,
    )
    if crosswalks_only:
        if bundle.catalogs or bundle.aliases or bundle.baselines:
            raise InputRefused(
                "this file holds a framework, not only crosswalks; import it as a framework",
                file=name,
            )
        if not (bundle.crosswalks or bundle.mapping_sets):
            raise InputRefused("this file holds no crosswalk", file=name)
    if not check_only:
        return load_bundle(bundle, who=who)
    with transaction.atomic():
        report = load_bundle(bundle)
        transaction.set_rollback(True)
    return report
