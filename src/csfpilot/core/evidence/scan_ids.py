"""Reading the control and outcome ids that scanners write, in all their spellings.

Tools cite SP 800-53 controls every way there is: ``AU-9 (3)`` and ``AU-9(3)``
(SSG, InSpec), ``au-9.3`` (OSCAL), ``ac_2_1`` (Prowler), ``NIST.800-53.r5
AC-4`` (Security Hub), ``CM-6(a)`` and ``AC-8 a`` (a control's lettered item,
which csfpilot reads as the control itself: the crosswalks stop at controls
and enhancements). CSF ids arrive as ``GV.OC-01``, ``GV.OC-1`` or
``gv_oc_01``; CSF 1.1 ids as ``PR.AC-1``. These functions give the one
canonical spelling of :mod:`csfpilot.core.ids`, or None when the text is not
such an id at all, so that the caller can report it instead of guessing.
"""

from __future__ import annotations

import re

from csfpilot.core.ids import csf11_canonical, csf_canonical, sp800_53_canonical

# The twenty control families of SP 800-53 Rev. 5 (Rev. 4 has the same less PT and SR).
SP800_53_FAMILIES = frozenset(
    {"AC", "AT", "AU", "CA", "CM", "CP", "IA", "IR", "MA", "MP"}
    | {"PE", "PL", "PM", "PS", "PT", "RA", "SA", "SC", "SI", "SR"}
)

# "NIST.800-53.r5 ", "NIST SP 800-53 Rev. 5: ", "NIST-800-53-Revision-5: ", "800-53r4 "
_SP800_53_PREFIX = re.compile(
    r"^\s*(?:NIST)?[\s._-]*(?:SP)?[\s._-]*800[\s._-]*53[\s._-]*"
    r"(?:r(?:ev(?:ision)?)?[\s._-]*\d)?[\s.:_-]*",
    re.IGNORECASE,
)
_UNDERSCORED = re.compile(r"^([A-Za-z]{2})_(\d{1,3})(?:_(\d{1,3}))?((?:_[a-z])*)$")
_CONTROL = re.compile(
    r"""^(?P<control>[A-Za-z]{2}\s*-\s*\d{1,3}            # AC-2
        (?:\s*\(\s*\d{1,3}\s*\)|\.\d{1,3})?)               # (5) or .5
        (?:\s*\(\s*[A-Za-z]{1,4}\s*\)                     # (a) (iv)
          |\s*\(\s*\d{1,3}\s*\)                           # (1) of an item
          |\s+[a-z](?:\.\d{1,2})?                         # " a", " a.1"
          |\.[a-z](?:\.\d{1,2})?                          # ".a"
        )*\s*$""",
    re.VERBOSE,
)


def sp800_53_id(raw: str) -> str | None:
    """The canonical control or enhancement a scanner's reference names, or None.

    >>> [sp800_53_id(x) for x in ("AU-9 (3)", "NIST.800-53.r5 AC-4", "ac_2_1", "CM-6(a)")]
    ['AU-9(3)', 'AC-4', 'AC-2(1)', 'CM-6']
    >>> sp800_53_id("AC"), sp800_53_id("XY-1"), sp800_53_id("banana")
    (None, None, None)
    """
    text = (raw or "").strip()
    if len(text) > 64:
        return None
    text = _SP800_53_PREFIX.sub("", text, count=1) if re.search(r"800", text) else text
    under = _UNDERSCORED.match(text)
    if under:
        text = f"{under[1]}-{under[2]}" + (f"({under[3]})" if under[3] else "")
    m = _CONTROL.match(text)
    if not m:
        return None
    canonical = sp800_53_canonical(m["control"])
    if canonical is None or "-" not in canonical:
        return None
    if canonical.split("-", 1)[0] not in SP800_53_FAMILIES:
        return None
    return canonical


def sp800_53_base(canonical: str) -> str | None:
    """``AC-2(5)`` → ``AC-2``; None for a base control."""
    return canonical.split("(", 1)[0] if "(" in canonical else None


_CSF_PREFIX = re.compile(r"^\s*(?:NIST[\s._-]*)?CSF[\s._-]*(?:v?\d(?:\.\d)?)?[\s:._-]+", re.I)
_CSF_UNDERSCORED = re.compile(r"^([A-Za-z]{2})_([A-Za-z]{2})_(\d{1,2})$")
_CSF_SHAPE = re.compile(r"^[A-Za-z]{2}\.[A-Za-z]{2}-\d{1,2}$")
_PADDED = re.compile(r"-\d{2}$")


def csf_spelling(raw: str) -> tuple[str, str | None, str | None, bool]:
    """Read a CSF subcategory id: (trimmed text, as CSF 2.0, as CSF 1.1, zero-padded?).

    Both readings are given because ``PR.AC-1`` is a CSF 1.1 id and
    ``GV.OC-1`` a CSF 2.0 id written without its zero; only the Core and the
    CSF 1.1 → 2.0 table can tell which one a text is.

    >>> csf_spelling("gv_oc_01")
    ('gv_oc_01', 'GV.OC-01', 'GV.OC-1', True)
    """
    text = (raw or "").strip()
    body = _CSF_PREFIX.sub("", text, count=1) if len(text) <= 64 else ""
    under = _CSF_UNDERSCORED.match(body)
    if under:
        body = f"{under[1]}.{under[2]}-{under[3]}"
    if not _CSF_SHAPE.match(body):
        return text, None, None, False
    return text, csf_canonical(body), csf11_canonical(body), bool(_PADDED.search(body))


_CCI = re.compile(r"^\s*CCI[\s_-]?(\d{1,6})\s*$", re.IGNORECASE)


def cci_id(raw: str) -> str | None:
    """``CCI-366`` / ``cci_000366`` → ``CCI-000366`` (DISA's six-digit form), or None."""
    m = _CCI.match(raw or "")
    return f"CCI-{int(m[1]):06d}" if m else None
