"""A real profile for report tests: NIST's example clinic, with a snapshot and hostile text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from csfpilot.core.profiles import Action, ActionStatus
from csfpilot.formats.native import read_profile
from csfpilot.formats.native.reference import bundled_reference
from csfpilot.reports.model import Provenance, build_report

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "profile-riverbend-clinics.yaml"
TODAY = date(2026, 3, 2)
HOSTILE_NAME = '<script>alert("name")</script> Clinic'
HOSTILE_NOTE = 'javascript:alert(1) <img src=x onerror=alert(2)> =HYPERLINK("http://x")'


@pytest.fixture(scope="session")
def reference():
    return bundled_reference()


@pytest.fixture(scope="session")
def provenance(reference):
    i = reference.catalog.info
    return Provenance(i.key, i.name, i.version, i.publisher, i.source_file, i.source_sha256)


@pytest.fixture(scope="session")
def clinic(reference):
    """The example profile, its owner's notes on GV.OC-01 replaced by hostile text."""
    profile = read_profile(
        EXAMPLE, framework=reference.framework, withdrawals=reference.withdrawals
    ).profile
    entry = profile.outcomes["GV.OC-01"]
    profile = profile.with_entry(replace(entry, notes=HOSTILE_NOTE))
    actions = (
        *profile.actions,
        Action(
            id="A-900",
            title="=cmd|'/c calc'!A0 review",
            outcomes=("GV.OC-01",),
            owner=HOSTILE_NAME,
            due=date(2026, 1, 1),
            status=ActionStatus.OPEN,
            notes=HOSTILE_NOTE,
        ),
    )
    return profile.with_actions(actions).replace(name=HOSTILE_NAME)


@pytest.fixture(scope="session")
def snapshot(clinic):
    """The same profile three months earlier, with GV.OC-02 and DE.CM-01 one level lower."""
    earlier = clinic
    for code in ("GV.OC-02", "DE.CM-01"):
        entry = earlier.outcomes[code]
        levels = list(earlier.scale.levels)
        i = levels.index(entry.current)
        earlier = earlier.with_entry(replace(entry, current=levels[max(i - 1, 0)]))
    return earlier.snapshot_of(datetime(2025, 12, 1, 9, 0, tzinfo=UTC), "Q4 review")


@pytest.fixture(scope="session")
def build(clinic, snapshot, reference, provenance):
    def make(kind="brief", *, history=(snapshot,), words=None, language="en", profile=None):
        return build_report(
            profile or clinic,
            reference.framework,
            kind=kind,
            provenance=provenance,
            history=history,
            today=TODAY,
            generated=datetime(2026, 3, 2, 10, 30, tzinfo=UTC),
            organization="Riverbend & Co",
            language=language,
            words=words,
        )

    return make
