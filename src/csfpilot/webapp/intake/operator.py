"""What ``csfpilot profile import-community`` and ``migrate-csf11`` do, as JSON-ready data.

The command line acts as the instance's operator (see
:mod:`csfpilot.webapp.profiles.operator`): an owner's permissions, changes
recorded without a user name. Only the operator may also keep a sector's
statements as a framework, since frameworks are shared by every organization.
"""

from __future__ import annotations

from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import Side
from csfpilot.core.profiles.migration import MigrationPlan
from csfpilot.formats.community_workbook import CommunityRead, read_spec
from csfpilot.formats.csf11_assessment import read_assessment_columns
from csfpilot.webapp.intake import services
from csfpilot.webapp.profiles.operator import operator_access


def community_out(read: CommunityRead) -> dict[str, Any]:
    return {
        "name": read.profile.name,
        "publisher": read.spec.publisher,
        "version": read.spec.version,
        "terms": read.spec.terms,
        "scale": read.profile.scale.key,
        "outcomes": [
            {
                "outcome": code,
                "included": e.included,
                "target": e.target.key if e.target else None,
                "priority": e.priority.value if e.priority else None,
                "rows": list(read.citations.get(code, ())),
            }
            for code, e in read.profile.outcomes.items()
        ],
        "values": [
            {"text": v.text, "proposed": v.proposed, "chosen": v.chosen, "cells": list(v.cells)}
            for v in read.values
        ],
        "statements": len(read.statements),
        "warnings": list(read.warnings),
    }


def import_community(
    org_slug: str,
    data: bytes,
    *,
    filename: str,
    mapping: bytes,
    mapping_name: str,
    name: str | None = None,
    statements_key: str = "",
    dry_run: bool = False,
) -> dict[str, Any]:
    """Read (and unless ``dry_run``, store) a Community Profile workbook."""
    access = operator_access(org_slug)
    spec = read_spec(mapping, name=mapping_name)
    read = services.read_community_workbook(access, data, filename, spec)
    out = community_out(read)
    undecided = [v for v in read.values if v.needs_choice]
    if dry_run:
        return {**out, "stored": None}
    if undecided:
        listed = "; ".join(f"{v.text!r} ({', '.join(v.cells[:3])})" for v in undecided)
        raise InputRefused(
            f"no level is proposed for {listed}; say which level each means under values: "
            "(null leaves it not rated)",
            file=mapping_name,
            field="values",
        )
    stored = services.store_community_workbook(
        access, data, filename, spec, name=name, statements_key=statements_key
    )
    return {
        **out,
        "stored": {"id": stored.result.profile.pk, "name": stored.result.profile.name},
        "statements_framework": stored.statements_framework or None,
    }


def migrate_csf11(
    org_slug: str,
    data: bytes,
    *,
    filename: str,
    columns: bytes | None = None,
    columns_name: str = "",
    name: str | None = None,
    apply: bool = False,
) -> dict[str, Any]:
    """Propose (and with ``apply``, store) a CSF 2.0 draft from a CSF 1.1 assessment."""
    access = operator_access(org_slug)
    spec = read_assessment_columns(columns, name=columns_name) if columns is not None else None
    migration = services.plan_migration(access, data, filename, spec, name=name or "")
    undecided = [v for v in migration.assessment.values if v.needs_choice]
    profile_name = name or f"{migration.assessment.profile.name} (CSF 2.0)"
    plan = migration.plan
    out: dict[str, Any] = {
        "name": profile_name,
        "proposals": [_proposal_out(plan, outcome) for outcome in plan.framework.outcomes],
        "unrouted": list(plan.unrouted),
        "values": [
            {"text": v.text, "proposed": v.proposed, "chosen": v.chosen, "cells": list(v.cells)}
            for v in migration.assessment.values
        ],
        "stored": None,
    }
    if not apply:
        return out
    if undecided:
        listed = "; ".join(f"{v.text!r} ({', '.join(v.cells[:3])})" for v in undecided)
        raise InputRefused(
            f"no level is proposed for {listed}; say which level each means under values: "
            "(null leaves it not rated)",
            file=columns_name or filename,
            field="values",
        )
    result = services.store_migration(access, migration, name=profile_name, filename=filename)
    out["stored"] = {"id": result.profile.pk, "name": result.profile.name}
    return out


def _proposal_out(plan: MigrationPlan, outcome: str) -> dict[str, Any]:
    # propose() makes one proposal per outcome and side, so both are there.
    current, target = (plan.proposal(outcome, side) for side in Side)
    assert current is not None and target is not None
    return {
        "outcome": outcome,
        "current": current.level.key if current.level else None,
        "target": target.level.key if target.level else None,
        "why": current.explanation(),
        "from": [
            {"id": s.feed.source, "relationship": s.feed.route.value} for s in current.sources
        ],
    }
