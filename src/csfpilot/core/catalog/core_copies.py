"""Other tools' copies of a NIST release, compared with NIST's own.

GRC tools and scanner vendors ship their own copy of the CSF Core, often
labelled "CSF 2.0" but not always NIST's text: ids written with one digit
(``GV.OC-1``), CSF 1.1 Categories kept (``PR.AC``, withdrawn in 2.0), CSF 1.1
wording, statements shortened or reworded. Loaded as they are, such copies
become parallel frameworks that nothing connects to NIST's Core. Before a
file that claims a NIST release is stored, its elements are compared with
the official release:

- every id is placed: the same id, an unambiguous spelling of one
  (``GV.OC-1`` → ``GV.OC-01``), an id of the previous release (with where NIST
  moved it), or unknown;
- the texts of the placed elements are compared (spacing, case and quote
  marks aside) and, where they differ, whether the file has the previous
  release's wording;
- NIST's elements the copy lacks are listed.

A copy with the same ids and texts *is* the release. Otherwise the person
importing chooses: map the copy onto NIST's elements (what names the copy then
names NIST's elements; what cannot be placed is reported) or keep it as a
separate framework, labelled as a copy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from csfpilot.core.catalog.model import Catalog, FrameworkAlias, Mapping, Node
from csfpilot.core.ids import CSF_1_1, CSF_2_0, SP800_53_R5, canonical_code, csf11_canonical

# Keys under which only NIST's own publications may be stored.
RESERVED_PREFIXES = ("csf-", "sp800-53")
OFFICIAL = "official"
SEPARATE = "separate"
CHOICES = (OFFICIAL, SEPARATE)

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def is_reserved_key(key: str) -> bool:
    """Whether ``key`` is kept for NIST's releases (``csf-2.0``, ``csf-2.1``, ``sp800-53r5``)."""
    return key.startswith(RESERVED_PREFIXES)


def same_text(a: str, b: str) -> bool:
    """Equal once spacing, case, curly quotes and dashes are set aside."""

    def fold(s: str) -> str:
        return " ".join(s.translate(_QUOTES).split()).casefold().rstrip(".")

    return fold(a) == fold(b)


@dataclass
class CoreDiff:
    """How a copy differs from the official release (see the module docstring)."""

    official_key: str
    copy_key: str
    matched: int = 0
    renamed: dict[str, str] = field(default_factory=dict)  # copy id → official id
    previous_release: dict[str, list[str]] = field(default_factory=dict)  # 1.1 id → 2.0 ids
    unknown: list[str] = field(default_factory=list)
    changed_text: list[str] = field(default_factory=list)  # official ids
    previous_wording: list[str] = field(default_factory=list)  # official ids
    missing: list[str] = field(default_factory=list)  # official ids the copy lacks

    @property
    def identical(self) -> bool:
        return not (
            self.renamed
            or self.previous_release
            or self.unknown
            or self.changed_text
            or self.missing
        )

    def id_map(self) -> dict[str, str]:
        """Every copy id that names an official element → that element's id."""
        return dict(self.renamed)

    def summary(self) -> list[str]:
        """One line per kind of difference, with the first few ids."""

        def few(ids: Iterable[str]) -> str:
            items = list(ids)
            shown = ", ".join(items[:8])
            return shown + (f" and {len(items) - 8} more" if len(items) > 8 else "")

        lines = [f"{self.matched} element(s) have the same id as in {self.official_key}"]
        if self.renamed:
            pairs = [f"{a} → {b}" for a, b in self.renamed.items()]
            lines.append(f"{len(pairs)} id(s) written another way: {few(pairs)}")
        if self.previous_release:
            pairs = [
                f"{a} (now {', '.join(b)})" if b else f"{a} (withdrawn)"
                for a, b in self.previous_release.items()
            ]
            lines.append(f"{len(pairs)} id(s) of the previous release: {few(pairs)}")
        if self.unknown:
            lines.append(
                f"{len(self.unknown)} id(s) {self.official_key} does not have: {few(self.unknown)}"
            )
        if self.previous_wording:
            lines.append(
                f"{len(self.previous_wording)} text(s) in the previous release's wording: "
                f"{few(self.previous_wording)}"
            )
        others = [c for c in self.changed_text if c not in set(self.previous_wording)]
        if others:
            lines.append(f"{len(others)} text(s) differ from NIST's: {few(others)}")
        if self.missing:
            lines.append(
                f"{len(self.missing)} element(s) of {self.official_key} missing: "
                f"{few(self.missing)}"
            )
        return lines

    def alias(self, copy: Catalog) -> FrameworkAlias:
        return FrameworkAlias(
            key=copy.info.key,
            official_key=self.official_key,
            renamed=tuple(sorted(self.renamed.items())),
            name=copy.info.name,
            source_file=copy.info.source_file,
            source_sha256=copy.info.source_sha256,
        )


_CSF = re.compile(r"\b(csf|cybersecurity\s*framework)\b", re.I)
_SP800_53 = re.compile(r"800[\s-]*53", re.I)


def claimed_release(copy: Catalog) -> str | None:
    """The NIST release a framework says it is, from its key, name and version."""
    info = copy.info
    words = f"{info.key} {info.family} {info.name}"
    version = info.version.strip().lower().lstrip("v")
    if _CSF.search(words) or info.key.startswith("csf-") or "-csf-" in f"-{info.key}-":
        if "2.0" in words or version in ("2", "2.0", "2.0.0"):
            return CSF_2_0
        if "1.1" in words or version in ("1.1", "1.1.0"):
            return CSF_1_1
    if _SP800_53.search(words) and re.search(r"(rev(ision)?\.?\s*|r)5", words, re.I):
        return SP800_53_R5
    return None


def _differs(copy: Node, official: Node) -> bool:
    """Whether the copy says something else than NIST for one element.

    Copies move texts between fields (a Subcategory's statement as its name, a
    Category's name left out), so the statement may be in either of the copy's
    fields, and a title is compared only where both sides have one.
    """
    if official.text.strip() and not (
        same_text(copy.text, official.text) or same_text(copy.title, official.text)
    ):
        return True
    return bool(
        official.title.strip()
        and copy.title.strip()
        and not same_text(copy.title, official.title)
        and not same_text(copy.title, official.text)
    )


def compare(
    copy: Catalog,
    official: Catalog,
    *,
    previous: Catalog | None = None,
    moves: Iterable[Mapping] = (),
) -> CoreDiff:
    """Compare ``copy`` with ``official``; ``previous`` is the release before it (CSF 1.1
    for CSF 2.0) and ``moves`` NIST's rows saying where its withdrawn elements went."""
    key = official.info.key
    diff = CoreDiff(official_key=key, copy_key=copy.info.key)
    went: dict[str, list[str]] = {}
    for m in moves:
        went.setdefault(m.source, []).append(m.target)
    placed: set[str] = set()
    for node in copy.nodes:
        if node.withdrawn:
            continue
        code = node.code.strip()
        target = official.get(code)
        if target is None:
            spelled = canonical_code(key, code)
            target = official.get(spelled)
            old = csf11_canonical(code) if key == CSF_2_0 else None
            if old is not None and old in went and spelled not in went[old]:
                # GV.OC-1 can only mean GV.OC-01; PR.DS-5 was a CSF 1.1 outcome that
                # NIST withdrew, so it does not mean PR.DS-05 whatever the digits say.
                target = None
            if target is not None and spelled not in placed:
                diff.renamed[code] = spelled
            else:
                target = None
        if target is None:
            old = csf11_canonical(code) if key == CSF_2_0 else None
            if previous is not None and old is not None and previous.get(old) is not None:
                diff.previous_release[code] = sorted(set(went.get(old, [])))
            else:
                diff.unknown.append(code)
            continue
        if target.withdrawn:
            # NIST keeps withdrawn controls (SP 800-53) so that old references resolve; a
            # copy may list them without saying so. Their text is NIST's withdrawal note.
            placed.add(target.code)
            diff.matched += code == target.code
            continue
        placed.add(target.code)
        if code == target.code:
            diff.matched += 1
        if _differs(node, target):
            diff.changed_text.append(target.code)
            if previous is not None and _previous_wording(node, previous, went, target.code):
                diff.previous_wording.append(target.code)
    diff.missing = [n.code for n in official.nodes if not n.withdrawn and n.code not in placed]
    return diff


def _previous_wording(node: Node, previous: Catalog, went: dict[str, list[str]], code: str) -> bool:
    """Whether the copy's text is that of an element of the previous release (the same id
    there, or one NIST says went into this element)."""
    candidates = [csf11_canonical(code) or code]
    candidates += [old for old, new in went.items() if code in new]
    for old in candidates:
        before = previous.get(old)
        if before is not None and before.text.strip() and same_text(node.text, before.text):
            return True
    return False
