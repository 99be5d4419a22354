"""ISO/IEC 27001:2022 identifiers as the OLIR dataset writes them, and their catalog.

The OLIR dataset "ISO/IEC-27001:2022-to-Cybersecurity-Framework-v2.0" (developer
Razilio) carries identifiers only, typed by hand. csfpilot reads them with
these rules:

- ``Mandatory Clause: 6.1.2`` → ``6.1.2`` (a clause of the standard's body);
  ``Annex A Controls: 5.1`` → ``A.5.1`` (an Annex A control).
- Runs of whitespace are collapsed and a trailing comma dropped
  (``"Mandatory Clause:  6.1,"`` → ``6.1``); a list item is written without a
  space (``4.2 (a)`` and ``4.2(a)`` → ``4.2(a)``).
- ``None`` after the prefix, and a bare prefix with nothing after it
  (``"Annex A Controls:"``), both mean the developer found no clause (or no
  Annex A control) for that CSF element: the bare form only occurs on rows whose
  CSF element lists mandatory clauses and no Annex A control, i.e. it is the
  same statement as ``Annex A Controls: None``. Such an entry reads as an empty
  code, and the crosswalk reader leaves its row out: it maps to nothing.
- ``Annex A Controls: All applicable controls`` → ``A`` (Annex A as a whole).
- An entry listing several ids (``Mandatory Clause: 7.1, 7.2``) maps to the
  first; the comment keeps the full entry.
- An id the 2022 edition does not have (``6.11``, ``6.13``; perhaps meant as
  6.1.1 and 6.1.3) is kept as written, never guessed: the mapping keeps it,
  the catalog gets no node for it, and the import reports a warning.

The catalog built from these ids has three levels: ``clause`` (4–10, and ``A``
for Annex A), ``subclause`` (``6.1``; the Annex A themes ``A.5``–``A.8``) and
``provision`` (``6.1.2``, list items such as ``4.2(a)``, Annex A controls
``A.5.1``). It holds identifiers only: ISO's text is copyrighted and is not
included.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from csfpilot.core.catalog import Catalog, FrameworkInfo, Node
from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import ISO27001_2022
from csfpilot.formats.nist.terms import ISO_IEC

LEVELS = ("clause", "subclause", "provision")
TERMS = (
    "Identifiers only. ISO/IEC 27001:2022 is copyrighted by ISO and IEC; its text is "
    "not included. The identifiers come from a third-party OLIR dataset republished "
    "by NIST and may be subject to its developer's terms."
)

# The numbering of ISO/IEC 27001:2022 (identifiers only): body clauses with
# their sub-clauses, and the number of Annex A controls in each theme.
_CLAUSES: dict[str, tuple[str, ...]] = {
    "4": ("4.1", "4.2", "4.3", "4.4"),
    "5": ("5.1", "5.2", "5.3"),
    "6": ("6.1", "6.1.1", "6.1.2", "6.1.3", "6.2", "6.3"),
    "7": ("7.1", "7.2", "7.3", "7.4", "7.5", "7.5.1", "7.5.2", "7.5.3"),
    "8": ("8.1", "8.2", "8.3"),
    "9": ("9.1", "9.2", "9.2.1", "9.2.2", "9.3", "9.3.1", "9.3.2", "9.3.3"),
    "10": ("10.1", "10.2"),
}
_ANNEX_A_THEMES = {"5": 37, "6": 8, "7": 14, "8": 34}
KNOWN_IDS: frozenset[str] = frozenset(
    [*_CLAUSES, *(c for subs in _CLAUSES.values() for c in subs), "A"]
    + [f"A.{t}" for t in _ANNEX_A_THEMES]
    + [f"A.{t}.{n}" for t, count in _ANNEX_A_THEMES.items() for n in range(1, count + 1)]
)

_ENTRY = re.compile(
    r"^\s*(?P<prefix>mandatory\s+clause|annex\s+a\s+controls?)\s*:(?P<rest>.*)$", re.I | re.S
)
_ID = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,2})\s*(?:\(\s*(?P<item>[a-z])\s*\))?$", re.I)


@dataclass(frozen=True, slots=True)
class IsoReference:
    """One normalised entry: ``code`` is empty when the entry says "none"."""

    code: str
    comment: str = ""
    known: bool = True


def normalise(raw: str, *, file: str = "", element: str | None = None) -> IsoReference:
    """Read one ``elementIdentifier`` of the ISO/IEC 27001:2022 OLIR dataset."""
    m = _ENTRY.match(raw or "")
    if m is None:
        raise InputRefused(
            f"{raw!r} is not an ISO/IEC 27001:2022 reference "
            "(expected 'Mandatory Clause: <n>' or 'Annex A Controls: <n>')",
            file=file,
            element=element,
            field="elementIdentifier",
        )
    prefix = "A." if m["prefix"].lower().startswith("annex") else ""
    part = "Annex A control" if prefix else "mandatory clause"
    rest = " ".join(m["rest"].split()).strip(" ,;")
    if rest == "" or rest.lower() == "none":
        return IsoReference(
            code="",
            comment=f"The developer names no ISO/IEC 27001:2022 {part} for this element "
            f"(entry: {raw.strip()!r}).",
        )
    if rest.lower() == "all applicable controls":
        return IsoReference(code="A", comment=f"Entry: {raw.strip()!r}.")
    pieces = [p.strip() for p in re.split(r"[,;]", rest) if p.strip()]
    codes: list[str] = []
    for piece in pieces:
        idm = _ID.match(piece)
        if idm is None:
            raise InputRefused(
                f"{piece!r} in {raw!r} is not an ISO/IEC 27001:2022 clause or control number",
                file=file,
                element=element,
                field="elementIdentifier",
            )
        code = prefix + idm["num"]
        if idm["item"]:
            code += f"({idm['item'].lower()})"
        codes.append(code)
    code = codes[0]
    comment = f"The entry names {', '.join(codes)}: {raw.strip()!r}." if len(codes) > 1 else ""
    return IsoReference(code=code, comment=comment, known=_structural(code) in KNOWN_IDS)


def _structural(code: str) -> str:
    return code.split("(", 1)[0]


def _parent(code: str) -> str | None:
    if "(" in code:
        return _structural(code)
    if code == "A":
        return None
    head, _, _ = code.rpartition(".")
    return head or None


def _level(code: str) -> str:
    depth = 0
    node: str | None = code
    while node is not None:
        depth += 1
        node = _parent(node)
    return LEVELS[min(depth, len(LEVELS)) - 1]


def _sort_key(code: str) -> tuple[int, tuple[int, ...], str]:
    annex = code.startswith("A")
    numbers = re.findall(r"\d+", _structural(code))
    item = code.partition("(")[2]
    return (1 if annex else 0, tuple(int(n) for n in numbers), item)


def build_catalog(codes: Iterable[str], *, source_file: str, source_sha256: str) -> Catalog:
    """The ISO/IEC 27001:2022 elements the dataset names, with their ancestors."""
    wanted: set[str] = set()
    for code in codes:
        if not code or _structural(code) not in KNOWN_IDS:
            continue
        node: str | None = code
        while node is not None:
            wanted.add(node)
            node = _parent(node)
    nodes = tuple(
        Node(code=c, level=_level(c), parent=_parent(c), title="", text="", order=i)
        for i, c in enumerate(sorted(wanted, key=_sort_key))
    )
    info = FrameworkInfo(
        key=ISO27001_2022,
        name="ISO/IEC 27001:2022 Information security management systems — Requirements",
        version="2022",
        publisher=ISO_IEC,
        levels=LEVELS,
        terms=TERMS,
        source_file=source_file,
        source_sha256=source_sha256,
        family="iso27001",
        named_by_crosswalks=True,
    )
    return Catalog(info=info, nodes=nodes)
