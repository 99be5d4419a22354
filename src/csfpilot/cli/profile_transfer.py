"""``csfpilot profile transfer``: a profile file carried to another framework as a draft.

Works on files alone, like the other ``profile`` commands: the crosswalk
datasets and frameworks are the ones shipped with csfpilot. The draft is an
ordinary profile file on the target framework whose entries say, in their
notes, which sources, relationships and datasets each proposed value rests
on; review it, then use it like any other profile.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from csfpilot.core.crosswalks import (
    CombineRule,
    Transfer,
    apply_transfer,
    find_route,
    route_through,
    transfer_profile,
)
from csfpilot.core.errors import CsfpilotError
from csfpilot.core.profiles import BUILTIN_SCALES, Profile
from csfpilot.formats.native.reference import (
    bundled_crosswalks,
    bundled_framework_keys,
    bundled_reference,
)
from csfpilot.formats.native.transfer_summary import transfer_summary


class RuleChoice(StrEnum):
    WEAKEST = "weakest"
    AVERAGE = "average"
    STRONGEST = "strongest"


class TargetScale(StrEnum):
    SAME = "same"
    STATUS = "status"
    MATURITY = "maturity"


def _outcome_sets() -> dict[str, frozenset[str]]:
    sets: dict[str, frozenset[str]] = {}
    for key in bundled_framework_keys():
        try:
            sets[key] = frozenset(bundled_reference(key).framework.outcomes)
        except CsfpilotError:
            continue  # a shipped catalog nobody assesses (no outcome level)
    return sets


def run_transfer(
    profile: Profile, to: str, via: list[str], rule: CombineRule, scale_key: str
) -> Transfer:
    """The transfer of a profile to a shipped framework (refusals raise CsfpilotError)."""
    target = bundled_reference(to).framework
    datasets = bundled_crosswalks()
    if via:
        route = route_through(datasets, profile.framework, to, via)
    else:
        route = find_route(datasets, profile.framework, to, outcomes=_outcome_sets())
    scale = profile.scale if scale_key == TargetScale.SAME else BUILTIN_SCALES[scale_key]
    return transfer_profile(profile, route, target_framework=target, target_scale=scale, rule=rule)


def draft_of(profile: Profile, transfer: Transfer) -> Profile:
    """A new profile on the target framework holding every proposal, each explained."""
    onto = Profile(
        name=f"{profile.name} → {transfer.target_framework}",
        framework=transfer.target_framework,
        kind=profile.kind,
        scope=profile.scope,
        description=(
            f"Draft transferred from {profile.name!r} ({profile.framework}) through "
            f"{', '.join(transfer.datasets)}, combining several sources by the "
            f"{transfer.rule.label} rule. Review every proposed value."
        ),
        scale=transfer.target_scale,
        rollup=profile.rollup,
    )
    return apply_transfer(transfer, onto)


def transfer(
    source: Annotated[Path, typer.Argument(help="The assessed profile file (.yaml or .json).")],
    to: Annotated[
        str, typer.Option("--to", help="Key of the framework to transfer to, e.g. sp800-53r5.")
    ],
    via: Annotated[
        list[str] | None,
        typer.Option(
            "--via",
            help="A crosswalk dataset to go through, in order (repeat for a chain); "
            "found automatically when not given.",
        ),
    ] = None,
    rule: Annotated[
        RuleChoice, typer.Option(help="How several sources into one outcome combine.")
    ] = RuleChoice.WEAKEST,
    scale: Annotated[
        TargetScale, typer.Option(help="The draft's scale: the source's own, or another.")
    ] = TargetScale.SAME,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the draft profile here (.yaml or .json)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every proposal with its sources as JSON.")
    ] = False,
    force: Annotated[bool, typer.Option(help="Replace an existing output file.")] = False,
) -> None:
    """Carry a profile's ratings to another framework through crosswalks, as a draft.

    Per target outcome: the proposed value, whether the sources cover it fully
    or partially, the source outcomes with their values and the relationship
    path, and the datasets used (rules: docs/transfer.md). Nothing is rated
    from an unrated source; partial coverage is never proposed as fully
    implemented.
    """
    from csfpilot.cli.profile import emit_json, fail, load, out, refuse_overwrite, save

    if output is not None:
        refuse_overwrite(output, force)
    loaded, _ = load(source)
    profile = loaded.profile
    try:
        result = run_transfer(profile, to, via or [], CombineRule(rule.value), scale.value)
        draft = draft_of(profile, result) if output is not None else None
    except CsfpilotError as exc:
        fail(exc)
    if draft is not None and output is not None:
        save(output, draft, bundled_reference(to).framework)
    if as_json:
        emit_json(transfer_summary(result))
        return
    c = result.counts()
    out.print(f"Route: {escape(result.route.describe())}")
    out.print(f"Rule for several sources: {result.rule.label}")
    out.print(
        f"{c['reached']} outcomes of {to} reached; {c['proposed']} with a proposed value "
        f"(coverage full {c['full']}, partial {c['partial']}); "
        f"{c['none']} with no rated source"
    )
    if result.not_assessable:
        shown = ", ".join(result.not_assessable[:8])
        more = " …" if len(result.not_assessable) > 8 else ""
        out.print(
            f"{len(result.not_assessable)} crosswalk ids are no assessable outcome of "
            f"{to} and get no proposal: {escape(shown)}{more}"
        )
    if output is not None:
        out.print(
            f"Wrote {output}: draft profile on {to}, {len(draft.outcomes) if draft else 0} outcomes"
        )


def register(profile_app: typer.Typer) -> None:
    profile_app.command()(transfer)
