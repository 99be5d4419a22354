"""Prowler's compliance references, shared by its OCSF and CSV outputs.

Prowler lists, per finding, the requirements of each compliance framework the
check serves, under the framework's key: ``NIST-800-53-Revision-5:
["ac_2_1", "sc_7"]``, ``NIST-CSF-2.0``, ``NIST-CSF-1.1: ["ac_5"]`` (the
CSF 1.1 subcategory without its Function, which this module restores where
the category names one Function), ``CIS-2.0: ["1.10"]``.
"""

from __future__ import annotations

from collections.abc import Iterable

# CSF 1.1 categories and their Function. IM, CO and RP exist under both Respond
# and Recover, so an id such as "co_1" cannot be placed and is passed on as written.
_CSF11_FUNCTION = {
    **dict.fromkeys(("am", "be", "gv", "ra", "rm", "sc"), "ID"),
    **dict.fromkeys(("ac", "at", "ds", "ip", "ma", "pt"), "PR"),
    **dict.fromkeys(("ae", "cm", "dp"), "DE"),
    **dict.fromkeys(("an", "mi"), "RS"),
}


def _csf11(value: str) -> str:
    category, _, number = value.strip().lower().partition("_")
    function = _CSF11_FUNCTION.get(category)
    if function and number.isdigit():
        return f"{function}.{category.upper()}-{int(number)}"
    return value


def sort_requirements(
    entries: Iterable[tuple[str, Iterable[str]]],
) -> tuple[list[str], list[str], list[str]]:
    """(SP 800-53 ids, CSF ids, other tags) from (framework key, requirement ids) pairs."""
    sp800_53: list[str] = []
    csf: list[str] = []
    tags: list[str] = []
    for key, values in entries:
        upper = key.strip().upper()
        for value in values:
            value = value.strip()
            if not value:
                continue
            if upper.startswith("NIST-800-53"):
                sp800_53.append(value)
            elif upper.startswith("NIST-CSF-1"):
                csf.append(_csf11(value))
            elif upper.startswith("NIST-CSF"):
                csf.append(value)
            else:
                tags.append(f"{key.strip()}:{value}")
    return sp800_53, csf, tags
