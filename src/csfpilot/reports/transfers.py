"""A profile's results transferred to another framework, as a report section.

One assessment answers several audiences: the CSF board reads the profile, an
ISO or SP 800-53 auditor reads the same results on their framework. Each
section lists, per outcome of the other framework the crosswalks reach, the
proposed Current and Target values, the coverage, the source outcomes and the
datasets — proposals, computed by :mod:`csfpilot.core.crosswalks`, never
stored values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from csfpilot.core.crosswalks import Transfer
from csfpilot.core.profiles import Level, Scale


@dataclass(frozen=True)
class TransferView:
    """A transfer with what the report shows about its target framework."""

    transfer: Transfer
    name: str  # the target framework's name and version
    texts: Mapping[str, str] = field(default_factory=dict)  # outcome statements, if known


TEXT_LIMIT = 240
"""An SP 800-53 control's statement runs to pages; the section shows its opening."""


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= TEXT_LIMIT else flat[: TEXT_LIMIT - 1].rstrip() + "…"


def _label(label: Callable[[Scale, Any], str], scale: Scale, level: Level | None) -> str:
    return "—" if level is None else label(scale, level.key)


def transfer_sections(
    views: Sequence[TransferView], words: Mapping[str, str], label: Callable[[Scale, Any], str]
) -> list[dict[str, Any]]:
    """Plain data per transfer: heading, note, counts and one row per reached outcome."""
    out = []
    for view in views:
        t = view.transfer
        rule = words.get(f"rule_{t.rule.value}", t.rule.label)
        rows = []
        for p in t.proposals:
            rated = [c for c in p.contributions if c.current is not None or c.target is not None]
            sources = [
                f"{c.source} {_label(label, t.source_scale, c.current)} / "
                f"{_label(label, t.source_scale, c.target)} "
                f"({words.get('rel_' + c.relationship.value, c.relationship.label)})"
                for c in rated
            ]
            rows.append(
                {
                    "id": p.outcome,
                    "text": _short(view.texts.get(p.outcome, "")),
                    "current": _label(label, t.target_scale, p.current.level),
                    "target": _label(label, t.target_scale, p.target.level),
                    "coverage": words.get(f"coverage_{p.coverage.value}", p.coverage.value),
                    "coverage_key": p.coverage.value,
                    "sources": "; ".join(sources),
                    "source_lines": sources,  # one per line where a cell can hold lines
                    "unrated": len(p.contributions) - len(rated),
                    "datasets": ", ".join(p.datasets),
                }
            )
        counts = t.counts()
        out.append(
            {
                "framework": t.target_framework,
                "title": words["transferred"] % {"framework": view.name or t.target_framework},
                "note": words["transfer_note"] % {"datasets": ", ".join(t.datasets), "rule": rule},
                "summary": words["transfer_counts"] % counts,
                "datasets": list(t.datasets),
                "rule": rule,
                "rows": rows,
            }
        )
    return out
