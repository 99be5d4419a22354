"""Request and response bodies of the transfer API (shapes of formats/native/transfer_summary)."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema

from csfpilot.webapp.profiles.schemas import Strict

LevelKey = str | int
Rule = Literal["weakest", "average", "strongest"]


class TransferIn(Strict):
    to: str = Field(description="Key of the framework to transfer to, e.g. sp800-53r5.")
    via: list[str] = Field(
        default_factory=list,
        max_length=5,
        description="Crosswalk datasets to go through (chained from the profile's framework); "
        "empty: the shortest chain found.",
    )
    rule: Rule = Field("weakest", description="How several sources into one outcome combine.")
    onto: int | None = Field(
        None, description="An existing profile on the target framework, to compare with."
    )


class SideChoice(Strict):
    current: LevelKey | None = None
    target: LevelKey | None = None


class TransferApplyIn(TransferIn):
    name: str | None = Field(None, max_length=200, description="Name of a new draft profile.")
    choices: dict[str, SideChoice] | None = Field(
        None,
        description="Outcome → the accepted (possibly edited) values; a null side is not "
        "written. Omitted: every proposal is taken.",
    )
    versions: dict[str, int] | None = Field(
        None, description="Outcome → its version as the preview showed (existing profile)."
    )
    replace_existing: bool = Field(
        False,
        description="Without choices: also replace values the existing profile holds "
        "(otherwise only its empty values are filled).",
    )


class TransferSideOut(Schema):
    level: LevelKey | None
    label: str | None
    score: float | None = Field(description="Combined score on 0–100 before it became a level.")
    coverage: Literal["full", "partial", "none"]
    rated_sources: int
    held_below_full: bool


class StepOut(Schema):
    """One crosswalk row crossed, in the direction of travel."""

    dataset: str
    source: str
    relationship: str
    target: str


class SourceOut(Schema):
    id: str
    current: LevelKey | None
    target: LevelKey | None
    relationship: str = Field(description="Composed along the path, as a set relation.")
    coverage: Literal["full", "partial"]
    path: list[StepOut]


class ExistingOut(Schema):
    current: LevelKey | None
    target: LevelKey | None
    version: int


class ProposalOut(Schema):
    id: str
    coverage: Literal["full", "partial", "none"]
    current: TransferSideOut
    target: TransferSideOut
    sources: list[SourceOut]
    datasets: list[str]
    existing: ExistingOut | None = Field(
        None, description="What the chosen existing profile holds for this outcome."
    )
    replaces: bool = Field(False, description="Accepting would change a stored value.")


class CountsOut(Schema):
    reached: int
    proposed: int
    full: int
    partial: int
    none: int


class TransferOut(Schema):
    source_profile: str
    from_framework: str
    to_framework: str
    datasets: list[str]
    route: str
    rule: Rule
    rule_label: str
    source_scale: str
    target_scale: str
    counts: CountsOut
    not_assessable: list[str]
    outcomes: list[ProposalOut]
