"""Framework libraries of CISO Assistant (intuitem's open-source GRC tool), in YAML.

CISO Assistant ships well over a hundred frameworks (ISO/IEC 27001, NIS2,
DORA, SOC 2, national baselines...) as *libraries*: YAML files whose top
level describes the library (``urn``, ``ref_id``, ``name``, ``version``,
``locale``, ``provider``, ``copyright``) and whose ``objects`` hold a
``framework`` (or a list of ``frameworks``). A framework lists its
``requirement_nodes`` flat, in reading order; each node has a ``urn``, an
optional ``ref_id`` (the code people cite, ``A.5.1``), a ``name``, a
``description``, the ``parent_urn`` of the node above it, its ``depth`` and
whether it is ``assessable`` (a requirement, not a heading). csfpilot reads
that into a framework that browses, crosswalks and exports like NIST's:

- an element's code is its ``ref_id``; a heading without one is coded by the
  last part of its urn;
- levels are numbered by depth (``level_1`` at the top), and when every
  assessable node sits at one level, that level is the one an assessment
  works on;
- ``urn``, ``assessable``, ``annotation``, ``typical_evidence``,
  ``implementation_groups``, ``importance`` and ``weight`` are kept as the
  element's properties; questions and links to CISO Assistant's reference
  controls and threats are not read;
- a node's ``translations`` (``{fr: {name, description}}``) become translations
  of that element, in each language other than the library's ``locale``, with
  their source (the library and its packager: the translation is theirs, not the
  framework publisher's). Translated annotations are not read;
- the framework key comes from the framework's ``ref_id`` (``NIST-CSF-2.0`` →
  ``nist-csf-2.0``), the version from the library's ``version``, the
  publisher from ``provider`` and the terms from ``copyright``.

A library of *mappings* (``requirement_mapping_set`` or
``requirement_mapping_sets``) is read as crosswalks by
:mod:`csfpilot.formats.crosswalks.cisoassistant_mappings`.

The YAML is read by csfpilot's restricted loader: no anchors, aliases, tags
or duplicate keys, bounded nesting, and the size is checked before reading.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

from csfpilot.core.catalog import Catalog, FrameworkInfo, ImportBundle, Node, Translation
from csfpilot.core.catalog.translations import language_tag
from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import FRAMEWORK_KEY_RE
from csfpilot.formats.crosswalks.cisoassistant_mappings import mapping_sets, read_mapping_set
from csfpilot.formats.native.yaml_reader import Path_, load_yaml
from csfpilot.formats.safe_json import decode_utf8, read_limited

MiB = 1024 * 1024
MAX_BYTES = 32 * MiB
MAX_NODES = 100_000
MAX_DEPTH = 12
MAX_CODE = 100
KEPT_PROPS = (
    "urn",
    "assessable",
    "annotation",
    "typical_evidence",
    "implementation_groups",
    "importance",
    "weight",
)
# CISO Assistant's converter writes one of these first (the library's urn is a urn).
_HEAD = re.compile(r"^(?:urn:\s*['\"]?urn:|convert_library_version:)", re.MULTILINE)


def looks_like_library(head: bytes) -> bool:
    """Whether the first bytes of a file look like a CISO Assistant library's top level."""
    return bool(_HEAD.search(head.decode("utf-8", "ignore")))


class _Reader:
    def __init__(self, file: str, lines: dict[Path_, int]) -> None:
        self.file = file
        self.lines = lines

    def refuse(self, message: str, path: Path_, field: str | None = None) -> NoReturn:
        line = None
        for cut in range(len(path), -1, -1):
            line = self.lines.get(path[:cut])
            if line:
                break
        raise InputRefused(message, file=self.file, line=line, field=field)

    def text(self, obj: Mapping[str, Any], name: str, path: Path_) -> str:
        value = obj.get(name)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.refuse(f"{name} must be text", (*path, name), name)
        return str(value).strip()

    def mapping(self, value: Any, path: Path_, what: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.refuse(f"{what} must be a mapping of keys to values", path)
        return value


def _slug(text: str) -> str:
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9.]+", "-", text.lower())).strip("-.")[:64]


def _urn_tail(urn: str) -> str:
    return urn.rsplit(":", 1)[-1]


def _translation_source(r: _Reader, library: Mapping[str, Any]) -> str:
    """Whose translations a library carries: its name and packager (else its provider)."""
    name = r.text(library, "name", ()) or r.text(library, "ref_id", ()) or r.file
    by = r.text(library, "packager", ()) or r.text(library, "provider", ())
    return (f"{name}, {by} ({r.file})" if by else f"{name} ({r.file})")[:200]


def _translations(
    r: _Reader,
    node: Mapping[str, Any],
    path: Path_,
    *,
    framework: str,
    code: str,
    language: str,
    source: str,
) -> list[Translation]:
    """A node's ``translations`` in every language but the library's own."""
    raw = node.get("translations")
    if raw is None:
        return []
    table = r.mapping(raw, (*path, "translations"), "translations")
    out: list[Translation] = []
    for lang, entry in table.items():
        where = (*path, "translations", str(lang))
        tag = language_tag(str(lang))
        if tag is None:
            r.refuse(
                f"{lang!r} is not a language tag (such as fr, pt-BR or zh-TW)",
                where,
                "translations",
            )
        fields = r.mapping(entry, where, f"the {lang} translation")
        title = " ".join(r.text(fields, "name", where).split())
        text = r.text(fields, "description", where)
        if tag != language and (title or text):
            out.append(Translation(framework, code, tag, title, text, source))
    return out


def _framework(
    r: _Reader,
    library: Mapping[str, Any],
    fw: Mapping[str, Any],
    path: Path_,
    *,
    sha256: str,
    key: str | None,
    version: str | None,
) -> tuple[Catalog, list[Translation]]:
    nodes_raw = fw.get("requirement_nodes")
    if not isinstance(nodes_raw, list) or not nodes_raw:
        r.refuse("the framework has no requirement_nodes", path, "requirement_nodes")
    if len(nodes_raw) > MAX_NODES:
        r.refuse(f"the framework has more than {MAX_NODES:,} requirement nodes", path)
    ref_id = r.text(fw, "ref_id", path) or r.text(library, "ref_id", ())
    framework_key = (key or _slug(ref_id) or _slug(r.text(fw, "name", path))).strip()
    if not FRAMEWORK_KEY_RE.match(framework_key):
        r.refuse(
            f"{framework_key!r} cannot be a framework key: use lower-case letters, digits, "
            "'.' and '-' (choose one with --key)",
            (*path, "ref_id"),
            "ref_id",
        )
    by_urn: dict[str, tuple[int, Mapping[str, Any]]] = {}
    codes: dict[str, str] = {}  # urn → code
    taken: dict[str, int] = {}  # code → node index
    where = (*path, "requirement_nodes")
    for i, raw in enumerate(nodes_raw):
        node = r.mapping(raw, (*where, i), "a requirement node")
        urn = r.text(node, "urn", (*where, i))
        if not urn:
            r.refuse("the requirement node has no urn", (*where, i), "urn")
        if urn in by_urn:
            r.refuse(f"the urn {urn!r} appears twice", (*where, i, "urn"), "urn")
        by_urn[urn] = (i, node)
        code = r.text(node, "ref_id", (*where, i)) or _urn_tail(urn)
        if code in taken:
            # Two headings may share a ref_id; fall back to the unique urn tail.
            code = _urn_tail(urn) if _urn_tail(urn) not in taken else urn
        if code in taken:
            r.refuse(f"the id {code!r} appears twice", (*where, i, "ref_id"), "ref_id")
        if len(code) > MAX_CODE or "\n" in code:
            r.refuse(
                f"the id must be one line of at most {MAX_CODE} characters",
                (*where, i, "ref_id"),
                "ref_id",
            )
        taken[code] = i
        codes[urn] = code
    depth: dict[str, int] = {}
    for urn, (i, _node) in by_urn.items():
        chain: list[str] = []
        current: str | None = urn
        while current is not None and current not in depth:
            if current in chain:
                r.refuse("the parent_urn chain loops", (*where, i, "parent_urn"), "parent_urn")
            chain.append(current)
            parent = r.text(by_urn[current][1], "parent_urn", (*where, by_urn[current][0]))
            if parent and parent not in by_urn:
                j = by_urn[current][0]
                r.refuse(
                    f"parent_urn {parent!r} is not a node of this framework",
                    (*where, j, "parent_urn"),
                    "parent_urn",
                )
            current = parent or None
        base = depth[current] if current is not None else 0
        for offset, u in enumerate(reversed(chain), start=1):
            depth[u] = base + offset
        if depth[urn] > MAX_DEPTH:
            r.refuse(f"the node is nested more than {MAX_DEPTH} levels deep", (*where, i))
    nodes: list[Node] = []
    assessable_levels: set[str] = set()
    own_language = language_tag(r.text(library, "locale", ()) or "en") or "en"
    source = _translation_source(r, library)
    translations: list[Translation] = []
    for order, (urn, (i, node)) in enumerate(by_urn.items()):
        level = f"level_{depth[urn]}"
        props = {k: node[k] for k in KEPT_PROPS if node.get(k) not in (None, "", [])}
        for k, v in props.items():
            if not isinstance(v, str | int | float | bool | list):
                r.refuse(f"{k} must be a value or a list", (*where, i, k), k)
        if node.get("assessable") is True:
            assessable_levels.add(level)
        parent = r.text(node, "parent_urn", (*where, i))
        translations += _translations(
            r,
            node,
            (*where, i),
            framework=framework_key,
            code=codes[urn],
            language=own_language,
            source=source,
        )
        nodes.append(
            Node(
                code=codes[urn],
                level=level,
                parent=codes[parent] if parent else None,
                title=" ".join(r.text(node, "name", (*where, i)).split()),
                text=r.text(node, "description", (*where, i)),
                order=order,
                props=props,
            )
        )
    levels = tuple(f"level_{d}" for d in range(1, max(depth.values()) + 1))
    library_version = r.text(library, "version", ())
    info = FrameworkInfo(
        key=framework_key,
        name=(r.text(fw, "name", path) or r.text(library, "name", ()) or framework_key)[:200],
        version=(version or library_version or "1").strip()[:64],
        publisher=(r.text(library, "provider", ()) or r.text(library, "packager", ()))[:200],
        levels=levels,
        terms=r.text(library, "copyright", ()),
        source_file=r.file,
        source_sha256=sha256,
        family=_slug(ref_id) or framework_key,
        language=(r.text(library, "locale", ()) or "en")[:16],
        outcome_level=next(iter(assessable_levels)) if len(assessable_levels) == 1 else "",
    )
    return Catalog(info=info, nodes=tuple(nodes)), translations


def read_ciso_assistant_library(
    source: Path | bytes,
    *,
    name: str | None = None,
    key: str | None = None,
    version: str | None = None,
) -> ImportBundle:
    """Read the framework(s) of a CISO Assistant library file (see the module docstring)."""
    file = name or (Path(source).name if isinstance(source, Path | str) else "<upload>")
    raw = read_limited(
        Path(source) if isinstance(source, str) else source, name=file, max_bytes=MAX_BYTES
    )
    doc, lines = load_yaml(decode_utf8(raw, name=file), name=file)
    r = _Reader(file, lines)
    library = r.mapping(doc, (), "the library")
    objects = r.mapping(library.get("objects"), ("objects",), "objects")
    found: list[tuple[Mapping[str, Any], Path_]] = []
    if "framework" in objects:
        found.append(
            (
                r.mapping(objects["framework"], ("objects", "framework"), "framework"),
                ("objects", "framework"),
            )
        )
    frameworks = objects.get("frameworks")
    if isinstance(frameworks, list):
        for i, fw in enumerate(frameworks):
            path = ("objects", "frameworks", i)
            found.append((r.mapping(fw, path, "a framework"), path))
    sha = hashlib.sha256(raw).hexdigest()
    warnings: list[str] = []
    crosswalks = [
        read_mapping_set(r, library, ms, path, sha256=sha, warnings=warnings)
        for ms, path in mapping_sets(r, library, objects)
    ]
    if not found and not crosswalks:
        r.refuse(
            "this CISO Assistant library holds no framework (objects.framework) and no "
            "mapping set (objects.requirement_mapping_set)",
            ("objects",),
        )
    if key and len(found) > 1:
        r.refuse(
            "the library holds several frameworks, so one --key cannot name them all", ("objects",)
        )
    read = [
        _framework(r, library, fw, path, sha256=sha, key=key, version=version) for fw, path in found
    ]
    catalogs = [c for c, _ in read]
    keys = [c.info.key for c in catalogs]
    if len(set(keys)) != len(keys):
        r.refuse("two frameworks of the library would get the same key", ("objects",))
    if len({c.info.key for c in crosswalks}) != len(crosswalks):
        r.refuse("two mapping sets of the library would get the same key", ("objects",))
    return ImportBundle(
        catalogs=catalogs,
        crosswalks=crosswalks,
        warnings=warnings,
        translations=[t for _, ts in read for t in ts],
    )
