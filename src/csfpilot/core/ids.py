"""Identifiers: framework keys and the canonical spelling of element ids.

NIST spells the same SP 800-53 control several ways: ``AC-2`` in the catalog's
labels, ``AC-02`` in the OLIR datasets, ``ac-2`` and ``ac-2.1`` as OSCAL ids,
``AC-02(01)`` in zero-padded labels. csfpilot stores and shows one canonical
form (``AC-2``, ``AC-2(1)``) and accepts all of them on input.
"""

from __future__ import annotations

import re

CSF_2_0 = "csf-2.0"
CSF_1_1 = "csf-1.1"
SP800_53_R5 = "sp800-53r5"
CIS_V8_0 = "cis-v8.0"
CIS_V8_1 = "cis-v8.1"
ISO27001_2022 = "iso27001-2022"

DEFAULT_FRAMEWORK = CSF_2_0

FRAMEWORK_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]{0,63}$")

_SP800_53 = re.compile(
    r"""^\s*
    (?P<family>[A-Za-z]{2})            # AC
    (?:\s*-\s*(?P<number>\d{1,3}))?     # -2 / -02 (absent for a family)
    (?:                                 # enhancement: (1) (01) .1 _1
        \s*\(\s*(?P<enh_paren>\d{1,3})\s*\)
      | [._](?P<enh_dot>\d{1,3})
    )?
    \s*$""",
    re.VERBOSE,
)


def sp800_53_canonical(raw: str) -> str | None:
    """Return the canonical SP 800-53 id (``AC-2``, ``AC-2(1)``, ``AC``) or None.

    >>> sp800_53_canonical("ac-2.1"), sp800_53_canonical("AC-02(01)")
    ('AC-2(1)', 'AC-2(1)')
    """
    m = _SP800_53.match(raw or "")
    if not m:
        return None
    family = m["family"].upper()
    if m["number"] is None:
        if m["enh_paren"] or m["enh_dot"]:
            return None
        return family
    out = f"{family}-{int(m['number'])}"
    enh = m["enh_paren"] or m["enh_dot"]
    if enh is not None:
        out += f"({int(enh)})"
    return out


def sp800_53_oscal_id(canonical: str) -> str:
    """``AC-2(1)`` → ``ac-2.1`` (the id OSCAL documents use)."""
    c = sp800_53_canonical(canonical) or canonical
    return c.lower().replace("(", ".").replace(")", "")


_CSF_ID = re.compile(r"^(?P<fn>[A-Za-z]{2})(?:\.(?P<cat>[A-Za-z]{2})(?:-(?P<sub>\d{1,2}))?)?$")


def csf_canonical(raw: str) -> str | None:
    """``gv.oc-1`` → ``GV.OC-01``; None when it is not shaped like a CSF id."""
    m = _CSF_ID.match((raw or "").strip())
    if not m:
        return None
    out = m["fn"].upper()
    if m["cat"]:
        out += "." + m["cat"].upper()
        if m["sub"]:
            out += f"-{int(m['sub']):02d}"
    return out


def csf11_canonical(raw: str) -> str | None:
    """CSF 1.1 ids are not zero-padded (``ID.AM-1``)."""
    m = _CSF_ID.match((raw or "").strip())
    if not m:
        return None
    out = m["fn"].upper()
    if m["cat"]:
        out += "." + m["cat"].upper()
        if m["sub"]:
            out += f"-{int(m['sub'])}"
    return out


def canonical_code(framework_key: str, raw: str) -> str:
    """The canonical spelling of ``raw`` for a framework; unknown shapes pass trimmed."""
    raw = (raw or "").strip()
    if framework_key.startswith("sp800-53"):
        return sp800_53_canonical(raw) or raw
    if framework_key.startswith("csf-1."):
        return csf11_canonical(raw) or raw
    if framework_key.startswith("csf-"):
        return csf_canonical(raw) or raw
    return raw
