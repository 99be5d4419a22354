"""OSCAL control catalogs, NIST SP 800-53 Rev. 5 first among them.

An OSCAL *catalog* is a tree: *groups* (SP 800-53's 20 control families:
AC Access Control, AU Audit and Accountability...) hold *controls*, and a
control may hold further controls (SP 800-53's *control enhancements*, such
as AC-2(1) Automated System Account Management). Each control carries its
statement (what an organization must do), its guidance (NIST's discussion)
and links: to related controls, to the references in the back matter and,
for a withdrawn control, to where its content went (``incorporated-into``,
``moved-to``). SP 800-53 Rev. 5 keeps 182 withdrawn controls and enhancements
in the catalog so that old references still resolve; csfpilot keeps them too,
marked withdrawn, so a crosswalk or an old assessment that names one is
shown where it went.

SP 800-53 Rev. 5 is recognised by its title and stored with canonical ids
(``AC``, ``AC-2``, ``AC-2(1)``): the release csfpilot ships (5.0.1) under the key
``sp800-53r5``, any other release beside it under its own (``sp800-53r5.2.0``). Any other
catalog is read generically: groups and controls at any depth, coded by their
OSCAL label (or id), under a key made from its title and version.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from csfpilot.core.catalog import (
    Catalog,
    Example,
    FrameworkInfo,
    ImportBundle,
    Node,
    Relationship,
)
from csfpilot.core.catalog import Withdrawal as WithdrawalTo
from csfpilot.core.catalog.releases import same_release
from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import FRAMEWORK_KEY_RE, SP800_53_R5, canonical_code, sp800_53_canonical
from csfpilot.formats.nist.terms import NIST, US_GOVERNMENT_WORK
from csfpilot.formats.oscal.csf_catalog import is_csf_catalog, read_csf_oscal
from csfpilot.formats.oscal.document import (
    JsonSource,
    OscalDocument,
    read_document,
    responsible_party_names,
)
from csfpilot.formats.oscal.extension import is_csfpilot_export
from csfpilot.formats.oscal.prose import (
    MAX_PARAMETER_TEXT,
    ParameterText,
    ParameterTooLong,
    render_parts,
)

SP800_53_R5_NAME = "NIST SP 800-53 Rev. 5 Security and Privacy Controls"
SHIPPED_SP800_53_RELEASE = "5.0.1"  # the catalog in csfpilot/data, stored as sp800-53r5
SP800_53_LEVELS = ("family", "control", "enhancement")
SP800_53_OUTCOME_LEVEL = "control"

_SP800_53_R5_TITLE = re.compile(
    r"\b(?:SP|Special\s+Publication)\s*800-53\s*,?\s*(?:Revision|Rev\.?)\s*5\b", re.I
)
_BASELINE_WORD = re.compile(r"\bbaseline\b", re.I)
_WITHDRAWN_STATUSES = {"withdrawn", "moved"}
_WITHDRAWAL_RELATIONS = {
    "incorporated-into": Relationship.INCORPORATED_INTO,
    "moved-to": Relationship.MOVED_TO,
}
_VERB = {Relationship.INCORPORATED_INTO: "incorporated into", Relationship.MOVED_TO: "moved to"}
# Part names that are not the requirement itself (SP 800-53A content, NIST's discussion).
_NOT_STATEMENT = {
    "guidance",
    "assessment",
    "assessment-method",
    "assessment-objective",
    "assessment-objects",
    "objective",
}


@dataclass(frozen=True, slots=True)
class _Entry:
    """A group or control met in the depth-first walk."""

    obj: Mapping[str, Any]
    kind: str  # "group" | "control"
    parent: _Entry | None
    group_depth: int  # groups above it (itself included for a group)
    control_depth: int  # controls above it (itself included for a control)
    where: str  # JSON path, for messages


@dataclass
class _Index:
    """What the whole document defines, for resolving references inside it."""

    entries: list[_Entry] = field(default_factory=list)
    params: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    # OSCAL id of a part → (id of the control or group that holds it, label path)
    parts: dict[str, tuple[str, str]] = field(default_factory=dict)
    resources: dict[str, str] = field(default_factory=dict)  # back-matter uuid → title


def _walk(container: Mapping[str, Any], parent: _Entry | None, where: str) -> Iterator[_Entry]:
    # Keep the document's own order between a container's controls and groups.
    for key in container:
        if key not in ("controls", "groups"):
            continue
        kind = "control" if key == "controls" else "group"
        for i, obj in enumerate(container[key]):
            entry = _Entry(
                obj=obj,
                kind=kind,
                parent=parent,
                group_depth=(parent.group_depth if parent else 0) + (kind == "group"),
                control_depth=(parent.control_depth if parent else 0) + (kind == "control"),
                where=f"{where}.{key}[{i}]",
            )
            yield entry
            yield from _walk(obj, entry, entry.where)


def _index_parts(parts: Any, owner: str, labels: tuple[str, ...], index: _Index, file: str) -> None:
    for part in parts or ():
        label = _plain_label(part)
        path = (*labels, label) if label else labels
        pid = part.get("id")
        if isinstance(pid, str):
            if pid in index.parts:
                raise InputRefused("the same part id appears twice", file=file, element=pid)
            index.parts[pid] = (owner, ".".join(path))
        _index_parts(part.get("parts"), owner, path, index, file)


def _plain_label(obj: Mapping[str, Any]) -> str:
    """The label NIST prints (the one without a class), without its trailing dot."""
    labels = [p for p in obj.get("props") or () if p.get("name") == "label"]
    plain = [p for p in labels if not p.get("class")] or labels
    return str(plain[0].get("value", "")).strip().rstrip(".") if plain else ""


def _prop(obj: Mapping[str, Any], name: str) -> str | None:
    for p in obj.get("props") or ():
        if p.get("name") == name:
            return str(p.get("value", ""))
    return None


def _index(doc: OscalDocument) -> _Index:
    index = _Index(entries=list(_walk(doc.body, None, "catalog")))
    seen: set[str] = set()
    for e in index.entries:
        oid = e.obj.get("id")
        if isinstance(oid, str):
            if oid in seen:
                raise InputRefused(
                    f"the {e.kind} id {oid!r} appears twice",
                    file=doc.file,
                    element=oid,
                    field=e.where,
                )
            seen.add(oid)
        for param in e.obj.get("params") or ():
            pid = param.get("id")
            if isinstance(pid, str):
                index.params[pid] = param
        if isinstance(oid, str):
            _index_parts(e.obj.get("parts"), oid, (), index, doc.file)
    for resource in (doc.body.get("back-matter") or {}).get("resources") or ():
        title = resource.get("title") or (resource.get("citation") or {}).get("text") or ""
        if resource.get("uuid"):
            index.resources[resource["uuid"]] = " ".join(str(title).split())
    return index


def is_sp800_53_r5(doc: OscalDocument) -> bool:
    """NIST's full SP 800-53 Rev. 5 catalog (not a baseline resolved from it)."""
    if not _SP800_53_R5_TITLE.search(doc.title):
        return False
    return not _is_resolved_profile(doc)


def _is_resolved_profile(doc: OscalDocument) -> bool:
    meta = doc.metadata
    if any(p.get("name") == "resolution-tool" for p in meta.get("props") or ()):
        return True
    if any(link.get("rel") == "source-profile" for link in meta.get("links") or ()):
        return True
    return bool(_BASELINE_WORD.search(doc.title))


def _slug(text: str) -> str:
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9.]+", "-", text.lower())).strip("-.")


def generic_key(title: str, version: str) -> str:
    """A framework key from a catalog's title and version, within the 64 characters keys get."""
    version_slug = _slug(version) or "0"
    room = 63 - len(version_slug)
    title_slug = _slug(title)
    if len(title_slug) > room:
        # Cut at a word boundary: a key is read by people too.
        cut = title_slug[: max(room, 1)]
        if title_slug[len(cut)] != "-" and "-" in cut:
            cut = cut.rsplit("-", 1)[0]
        title_slug = cut
    title_slug = title_slug.rstrip("-.") or "oscal-catalog"
    return f"{title_slug}-{version_slug}"[:64]


def _check_key(key: str, file: str) -> str:
    if not FRAMEWORK_KEY_RE.match(key):
        raise InputRefused(
            f"{key!r} cannot be a framework key: use lower-case letters, digits, '.' and '-', "
            "at most 64 characters",
            file=file,
            field="key",
        )
    return key


def _generic_level(kind: str, depth: int) -> str:
    """``group``, ``subgroup``, ``group-3``...; ``control``, ``subcontrol``, ``control-3``..."""
    if depth <= 2:
        return (
            ("group", "subgroup")[depth - 1]
            if kind == "group"
            else ("control", "subcontrol")[depth - 1]
        )
    return f"{kind}-{depth}"


class _Reader:
    """Turns one indexed catalog into nodes; SP 800-53 and generic catalogs differ only in codes."""

    def __init__(self, doc: OscalDocument, index: _Index, *, sp800_53: bool, key: str) -> None:
        self.doc = doc
        self.index = index
        self.sp800_53 = sp800_53
        self.key = key
        self.params = ParameterText(index.params)
        self.warnings: list[str] = []
        self.codes: dict[str, str] = {}  # OSCAL id → code
        self.entry_codes: dict[int, str] = {}  # id() of an entry → code (groups may lack ids)
        self.use_labels = not sp800_53 and self._labels_unique()

    def _labels_unique(self) -> bool:
        labels = [_plain_label(e.obj) for e in self.index.entries]
        present = [x for x in labels if x]
        if len(present) != len(set(present)):
            self.warnings.append(
                f"{self.doc.file}: some groups or controls share a label, so elements are "
                "coded by their OSCAL ids instead"
            )
            return False
        return True

    def level(self, e: _Entry) -> str:
        if self.sp800_53:
            return SP800_53_LEVELS[0] if e.kind == "group" else SP800_53_LEVELS[e.control_depth]
        return _generic_level(e.kind, e.group_depth if e.kind == "group" else e.control_depth)

    def levels(self) -> tuple[str, ...]:
        if self.sp800_53:
            return SP800_53_LEVELS
        out: list[str] = []
        for kind in ("group", "control"):
            depths = {
                e.group_depth if kind == "group" else e.control_depth
                for e in self.index.entries
                if e.kind == kind
            }
            out.extend(_generic_level(kind, d) for d in sorted(depths))
        return tuple(out)

    def code(self, e: _Entry) -> str:
        oid = e.obj.get("id")
        if self.sp800_53:
            return self._sp800_53_code(e, oid)
        raw = (_plain_label(e.obj) if self.use_labels else "") or oid or ""
        if not raw:
            raw = " ".join(str(e.obj.get("title", "")).split())
        return canonical_code(self.key, str(raw))

    def _sp800_53_code(self, e: _Entry, oid: Any) -> str:
        code = sp800_53_canonical(oid) if isinstance(oid, str) else None
        expected = {1: "a control (AC-2)", 2: "an enhancement (AC-2(1))"}
        if e.kind == "group":
            if code is None or "-" in code or e.parent is not None:
                raise InputRefused(
                    "an SP 800-53 family needs a two-letter id (ac, au...) and sits at the top",
                    file=self.doc.file,
                    element=str(oid),
                    field=f"{e.where}.id",
                )
            return code
        if e.control_depth > 2:
            raise InputRefused(
                "SP 800-53 controls nest one level only (control → enhancement)",
                file=self.doc.file,
                element=str(oid),
                field=f"{e.where}.controls",
            )
        shape_ok = code is not None and "-" in code and (("(" in code) == (e.control_depth == 2))
        parent_code = self.entry_codes.get(id(e.parent)) if e.parent else None
        if shape_ok and e.control_depth == 2:
            shape_ok = code.split("(")[0] == parent_code
        elif shape_ok and parent_code is not None:
            shape_ok = code.split("-")[0] == parent_code
        if not shape_ok:
            raise InputRefused(
                f"{oid!r} is not the id of {expected[e.control_depth]} "
                f"under {parent_code or 'the catalog root'}",
                file=self.doc.file,
                element=str(oid),
                field=f"{e.where}.id",
            )
        return code

    def node(self, e: _Entry, order: int) -> Node:
        obj = e.obj
        oid = obj.get("id")
        code = self.entry_codes[id(e)]
        parent = self.entry_codes[id(e.parent)] if e.parent is not None else None
        parts = list(obj.get("parts") or ())
        statement = [p for p in parts if p.get("name") == "statement"]
        if not statement:
            statement = [p for p in parts if p.get("name") not in _NOT_STATEMENT]
        text = render_parts(statement, self.params)
        props: dict[str, Any] = {}
        if isinstance(oid, str):
            props["oscal_id"] = oid
        label = _plain_label(obj)
        if label and label != code:
            props["label"] = label
        sort_id = _prop(obj, "sort-id")
        if sort_id:
            props["sort_id"] = sort_id
        # NIST's OSCAL edition of CSF 2.0 gives Implementation Examples as
        # guidance parts of class "example"; they are examples, not discussion.
        guidance_parts = [p for p in parts if p.get("name") == "guidance"]
        examples = tuple(
            Example(code=str(p.get("id", "")), title=f"Ex{i}", text=render_parts([p], self.params))
            for i, p in enumerate((p for p in guidance_parts if p.get("class") == "example"), 1)
        )
        guidance = render_parts(
            [p for p in guidance_parts if p.get("class") != "example"], self.params
        )
        if guidance:
            props["guidance"] = guidance
        related = self._related(obj)
        if related:
            props["related"] = related
        references = self._references(obj)
        if references:
            props["references"] = references
        status = (_prop(obj, "status") or "").strip().lower()
        withdrawn = status in _WITHDRAWN_STATUSES
        withdrawn_to: tuple[WithdrawalTo, ...] = ()
        note = ""
        if withdrawn:
            withdrawn_to, note = self._withdrawal(code, obj)
            note = note or text
        return Node(
            code=code,
            level=self.level(e),
            parent=parent,
            title=self.params.markup(str(obj.get("title", ""))),
            text=text,
            order=order,
            examples=examples,
            withdrawn=withdrawn,
            withdrawal_note=note,
            withdrawn_to=withdrawn_to,
            props=props,
        )

    def _target(self, href: str) -> tuple[str | None, str]:
        """A link's destination as (code of the element, how NIST prints it)."""
        frag = href[1:] if href.startswith("#") else None
        if frag is None:
            return None, href
        if frag in self.codes:
            return self.codes[frag], self.codes[frag]
        if frag in self.index.parts:
            owner, label_path = self.index.parts[frag]
            code = self.codes.get(owner)
            if code is not None:
                return code, f"{code}{label_path}"
        return None, frag

    def _related(self, obj: Mapping[str, Any]) -> list[str]:
        out: list[str] = []
        for link in obj.get("links") or ():
            if link.get("rel") == "related":
                code, _ = self._target(str(link.get("href", "")))
                if code and code not in out:
                    out.append(code)
        return out

    def _references(self, obj: Mapping[str, Any]) -> list[str]:
        out: list[str] = []
        for link in obj.get("links") or ():
            href = str(link.get("href", ""))
            if link.get("rel") == "reference" and href.startswith("#"):
                title = self.index.resources.get(href[1:])
                if title and title not in out:
                    out.append(title)
        return out

    def _withdrawal(
        self, code: str, obj: Mapping[str, Any]
    ) -> tuple[tuple[WithdrawalTo, ...], str]:
        targets: list[WithdrawalTo] = []
        printed: dict[Relationship, list[str]] = {}
        for link in obj.get("links") or ():
            relation = _WITHDRAWAL_RELATIONS.get(str(link.get("rel")))
            if relation is None:
                continue
            target, shown = self._target(str(link.get("href", "")))
            if target is None:
                self.warnings.append(
                    f"{self.doc.file}: withdrawn {code} points at {shown!r}, which this "
                    "catalog does not define; kept as written"
                )
                target = canonical_code(self.key, shown)
            if all(t.target != target or t.relation != relation for t in targets):
                targets.append(WithdrawalTo(relation=relation, target=target))
            printed.setdefault(relation, []).append(shown)
        clauses = [f"{_VERB[r]} {', '.join(shown)}" for r, shown in printed.items()]
        note = "; ".join(clauses)
        return tuple(targets), (note[:1].upper() + note[1:] + ".") if note else ""

    def read(self) -> list[Node]:
        for e in self.index.entries:
            # Parents come before children in the walk, so a child's check sees its parent.
            code = self.code(e)
            self.entry_codes[id(e)] = code
            oid = e.obj.get("id")
            if isinstance(oid, str):
                self.codes[oid] = code
        nodes: list[Node] = []
        for order, e in enumerate(self.index.entries):
            try:
                nodes.append(self.node(e, order))
            except ParameterTooLong as exc:
                raise InputRefused(
                    f"parameter {exc.param_id} grows past {MAX_PARAMETER_TEXT:,} characters "
                    "when its insertions are filled in",
                    file=self.doc.file,
                    element=str(e.obj.get("id") or e.obj.get("title")),
                    field="params",
                ) from None
        if self.params.undefined:
            missing = sorted(self.params.undefined)
            self.warnings.append(
                f"{self.doc.file}: statements insert {len(missing)} parameter(s) the catalog "
                f"does not define, shown by id: {', '.join(missing[:10])}"
            )
        return nodes


def catalog_from_document(
    doc: OscalDocument,
    *,
    key: str | None = None,
    version: str | None = None,
) -> ImportBundle:
    """Build the bundle for an already-read OSCAL catalog (see :func:`read_oscal_catalog`)."""
    if is_csfpilot_export(doc.metadata):
        # Imported here: the exact reader builds on this module's walk.
        from csfpilot.formats.oscal.exported import catalog_from_export

        return catalog_from_export(doc, key=key, version=version)
    if is_csf_catalog(doc):
        if version:
            raise InputRefused(
                "NIST's CSF catalog says which release it is; --version does not apply",
                file=doc.file,
                field="version",
            )
        return read_csf_oscal(doc, key=_check_key(key, doc.file) if key else None)
    sp800_53 = is_sp800_53_r5(doc)
    file_version = doc.version
    if not file_version:
        raise InputRefused("the catalog has no version", file=doc.file, field="metadata.version")
    release = version.strip() if version else file_version
    if key:
        key = _check_key(key, doc.file)
    elif sp800_53:
        # The key sp800-53r5 holds the release csfpilot ships; another release comes in
        # beside it under its own key, so that what points at the shipped one keeps it.
        own = version or (None if same_release(release, SHIPPED_SP800_53_RELEASE) else release)
        key = _check_key(f"sp800-53r{_slug(own)}" if own else SP800_53_R5, doc.file)
    else:
        key = _check_key(generic_key(doc.title, release), doc.file)
    reader = _Reader(doc, _index(doc), sp800_53=sp800_53, key=key)
    nodes = reader.read()
    if not nodes:
        raise InputRefused("the catalog holds no groups or controls", file=doc.file)
    if sp800_53:
        info = FrameworkInfo(
            key=key,
            name=SP800_53_R5_NAME,
            version=release,
            publisher=NIST,
            levels=SP800_53_LEVELS,
            terms=US_GOVERNMENT_WORK,
            source_file=doc.file,
            source_sha256=doc.sha256,
            family="sp800-53",
            # An organization assesses the controls, grouped by family; enhancements
            # strengthen a control and are answered as part of it.
            outcome_level=SP800_53_OUTCOME_LEVEL,
        )
    else:
        publishers = responsible_party_names(doc.metadata, ("publisher", "creator", "author"))
        info = FrameworkInfo(
            key=key,
            name=doc.title[:200],
            version=release,
            publisher=", ".join(publishers)[:200],
            levels=reader.levels(),
            source_file=doc.file,
            source_sha256=doc.sha256,
            family=_slug(doc.title)[:64],
        )
        if _is_resolved_profile(doc):
            reader.warnings.append(
                f"{doc.file}: this catalog was resolved from a profile (a baseline's "
                f"selection), so it is loaded as its own framework {key}; to work with "
                "a baseline of a loaded catalog, import the baseline's profile instead"
            )
    return ImportBundle(catalogs=[Catalog(info=info, nodes=tuple(nodes))], warnings=reader.warnings)


def read_oscal_catalog(
    source: JsonSource | str,
    *,
    key: str | None = None,
    name: str | None = None,
    version: str | None = None,
) -> ImportBundle:
    """Read an OSCAL catalog in JSON (a path or the file's bytes) into an import bundle.

    ``name`` is how messages and the stored provenance name the file (default:
    the file name). ``key`` overrides the framework key. ``version`` marks the
    content as another release; for SP 800-53 the key then becomes
    ``sp800-53r<version>`` so that it is stored beside the loaded release.
    Nothing the document links to is fetched.
    """
    src = Path(source) if isinstance(source, str) else source
    doc = read_document(src, expected="catalog", name=name)
    return catalog_from_document(doc, key=key, version=version)
