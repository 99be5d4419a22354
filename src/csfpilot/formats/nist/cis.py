"""The CIS Controls as far as NIST's OLIR datasets name them.

CIS's OLIR datasets ("CIS-Controls-8.1-to-Cybersecurity-Framework-v2.0"...)
give each row a Safeguard number (``14.1``) in ``elementIdentifier`` and the
Safeguard's title in ``text``. csfpilot builds a small catalog from them:
Controls (``14``, identified only, the file has no Control titles) and the
Safeguards the dataset names, with CIS's titles. The Controls' own
descriptions are not in the file and are not invented here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from csfpilot.core.catalog import Catalog, FrameworkInfo, Node
from csfpilot.core.errors import InputRefused
from csfpilot.formats.nist.terms import CIS, third_party_olir

LEVELS = ("control", "safeguard")
SAFEGUARD_ID = re.compile(r"^(?P<control>\d{1,2})\.(?P<number>\d{1,2})$")


def safeguard_id(raw: str, *, file: str = "", element: str | None = None) -> str:
    """``" 14.1 "`` → ``14.1``; anything else is refused."""
    code = (raw or "").strip()
    if SAFEGUARD_ID.match(code) is None:
        raise InputRefused(
            f"{raw!r} is not a CIS Safeguard number (expected e.g. 14.1)",
            file=file,
            element=element,
            field="elementIdentifier",
        )
    return code


def _key(code: str) -> tuple[int, ...]:
    return tuple(int(p) for p in code.split("."))


def build_catalog(
    safeguards: Iterable[tuple[str, str]],
    *,
    key: str,
    version: str,
    source_file: str,
    source_sha256: str,
) -> Catalog:
    """A catalog of CIS Controls ``version`` from (safeguard id, title) pairs."""
    titles: dict[str, str] = {}
    for code, title in safeguards:
        if titles.get(code, title) != title:
            raise InputRefused(
                f"CIS Safeguard {code} has two different titles: {titles[code]!r} and {title!r}",
                file=source_file,
                element=code,
            )
        titles[code] = title
    controls = sorted({code.split(".")[0] for code in titles}, key=int)
    nodes: list[Node] = []
    for control in controls:
        nodes.append(
            Node(code=control, level="control", parent=None, title="", text="", order=len(nodes))
        )
        for code in sorted((c for c in titles if c.split(".")[0] == control), key=_key):
            nodes.append(
                Node(
                    code=code,
                    level="safeguard",
                    parent=control,
                    title=titles[code].strip(),
                    text="",
                    order=len(nodes),
                )
            )
    info = FrameworkInfo(
        key=key,
        name="CIS Critical Security Controls",
        version=version,
        publisher=CIS,
        levels=LEVELS,
        terms=third_party_olir("the Center for Internet Security")
        + " Only the Safeguards those rows name are included.",
        source_file=source_file,
        source_sha256=source_sha256,
        family="cis",
        named_by_crosswalks=True,
    )
    return Catalog(info=info, nodes=tuple(nodes))
