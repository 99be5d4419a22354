"""Elements that a crosswalk names but the loaded release of their framework lacks.

NIST's CSF 2.0 → SP 800-53 crosswalk for release 5.2.0 names SA-24, SA-15(13),
SI-2(7) and IA-13; the SP 800-53 catalog an installation has loaded may be an
earlier release without them. Such an id gets a page of its own (what it is
known as, which release it is part of, every row that names it) rather than a
"not found", and once that release is imported the page leads to its element.
An id that crosswalks name for the *same* release as the loaded catalog is a
mistake in the dataset, not a later addition, and stays "not found".
"""

from __future__ import annotations

from dataclasses import dataclass

from csfpilot.core.catalog.releases import in_release_order, same_release
from csfpilot.core.ids import canonical_code
from csfpilot.webapp.catalog import models as m
from csfpilot.webapp.catalog.queries import Reference, mentions


@dataclass
class PendingElement:
    framework: m.Framework  # the loaded release that lacks the element
    code: str
    release: str  # the earliest release whose crosswalks name it
    releases: list[str]  # every release whose crosswalks name it, oldest first
    rows: list[Reference]  # every crosswalk row that names it, read from its side
    # The element itself, when a release that has it was imported beside the loaded one.
    loaded_elsewhere: m.Node | None


def pending_element(fw: m.Framework, raw_code: str) -> PendingElement | None:
    """The element ``raw_code`` of ``fw`` as crosswalks for a later release name it, or
    None when no crosswalk made for another release than ``fw``'s names it."""
    code = canonical_code(fw.key, raw_code)
    rows = mentions(fw.key, code)
    releases = in_release_order(
        r.release for r in rows if r.release and not same_release(r.release, fw.version)
    )
    if not releases:
        return None
    elsewhere = (
        list(
            m.Node.objects.filter(framework__family=fw.family, code=code)
            .exclude(framework=fw)
            .select_related("framework")
        )
        if fw.family
        else []
    )
    # The release the crosswalks were made for first, then any other that has it.
    elsewhere.sort(key=lambda n: not any(same_release(n.framework.version, r) for r in releases))
    return PendingElement(
        framework=fw,
        code=code,
        release=releases[0],
        releases=releases,
        rows=rows,
        loaded_elsewhere=elsewhere[0] if elsewhere else None,
    )
