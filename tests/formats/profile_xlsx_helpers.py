"""Shared pieces of the profile workbook tests: a rich sample profile, editing a workbook."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
from hypothesis import strategies as st

from csfpilot.core.profiles import (
    STATUS,
    Action,
    ActionStatus,
    Implementation,
    OutcomeEntry,
    Priority,
    Profile,
    Scope,
    ScopeType,
    Tier,
    TierRating,
    Tiers,
    csf_2_0,
)
from csfpilot.formats.native import to_document

FRAMEWORK = csf_2_0()
ORDER = list(FRAMEWORK.outcomes)

# What a workbook cell can hold: XML 1.0 forbids other control characters
# (and U+FFFE/U+FFFF), so a person cannot type them into Excel either.
cell_texts = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="".join(chr(c) for c in range(32) if c not in (9, 10))
        + "\ufffe\uffff",
    ),
    max_size=30,
)


def sample_profile() -> Profile:
    """A profile with every kind of value, including ones that look like formulas."""
    level = STATUS.level
    return Profile(
        name="Payroll system profile",
        scope=Scope(ScopeType.SYSTEM, "Payroll"),
        description="What we protect.\nSecond line.",
        assumptions="=1+1 is not a formula here",
        scale=STATUS,
        tiers=Tiers(
            governance=TierRating(Tier(2), Tier(3), "Policies approved", "Consistent by Q4"),
            management=TierRating(Tier(1), Tier(3)),
        ),
        outcomes={
            "GV.OC-01": OutcomeEntry(
                "GV.OC-01",
                rationale='=HYPERLINK("http://example.invalid","click")',
                priority=Priority.HIGH,
                current=level("partially"),
                target=level("fully"),
                owner="ciso@example.com",
                notes="-starts with a minus",
                current_priority=Priority.MEDIUM,
                current_details=Implementation(
                    policies="Mission statement",
                    practices="Annual review",
                    roles="Board",
                    references=("SP 800-53 PM-11", "ISO 27001 4.1"),
                    evidence=("https://intranet.example/mission.pdf", "two\nlines"),
                ),
                target_details=Implementation(evidence=("Minutes",)),
            ),
            "GV.OC-02": OutcomeEntry("GV.OC-02", included=False, rationale="Out of scope"),
            "PR.AA-01": OutcomeEntry(
                "PR.AA-01", current=level("na"), target=level("na"), considerations="@mention"
            ),
            "DE.CM-01": OutcomeEntry("DE.CM-01"),
        },
        actions=(
            Action(
                "A-001",
                "Write the mission down",
                ("GV.OC-01",),
                owner="ciso@example.com",
                due=date(2025, 6, 30),
                milestone="M1",
                status=ActionStatus.IN_PROGRESS,
                cost="+2 person-weeks",
                controls=("PM-11",),
                notes="Board to approve",
            ),
        ),
    )


def data_of(profile: Profile) -> dict:
    return to_document(profile, order=ORDER)


def edit(data: bytes, sheet: str, changes: dict[str, object]) -> bytes:
    """The workbook with some cells set (``{"H5": "Largely implemented"}``), as a person would."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ref, value in changes.items():
        wb[sheet][ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row_of(data: bytes, code: str) -> int:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    ws = wb["Current and Target Profile"]
    for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if row[2] == code:
            return r
    raise AssertionError(code)


def libreoffice_resave(data: bytes, tmp: Path) -> bytes:
    """Open the workbook in LibreOffice (headless) and save it again as .xlsx."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (libreoffice-calc-nogui) is installed by scripts/system-deps.sh"
    source = tmp / "in" / "profile.xlsx"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(data)
    out = tmp / "out"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    saved = (out / "profile.xlsx").read_bytes()
    assert saved != data
    return saved
