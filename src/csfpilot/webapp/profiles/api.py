"""``/api/organizations/{slug}/profiles``: profiles, outcomes, Tiers, scores, gaps, the action
plan, snapshots, comparisons, trends, file import/export and Community Profiles.

Every route first asks the permission layer (``permissions.require``): an
organization the caller does not belong to answers 404, a role without the
permission 403. The services then apply the finer rules (a contributor edits
only the outcomes assigned to them). Refused input answers 400 with a problem
body whose ``errors`` name the file, line, outcome and field; a stale save
answers 409 with the stored values; in both cases nothing was stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from fractions import Fraction
from functools import wraps
from typing import Any, Literal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import TypeAdapter

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import Level, ProfileKind, Scale
from csfpilot.core.scoring import Comparison
from csfpilot.webapp.accounts.api_auth import api_auth, upload_auth
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.catalog.schemas import Problem
from csfpilot.webapp.organizations.permissions import Access, needs, require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import answer_cache, exchange, lookups, queries, services, storage
from csfpilot.webapp.profiles import schemas as s
from csfpilot.webapp.profiles.conflicts import StaleEdit
from csfpilot.webapp.profiles.uploads import import_limit

router = Router(tags=["profiles"], auth=api_auth)

BASE = "/organizations/{slug}/profiles"
# A 409 is either a stale save (with the stored values) or a plain conflict such as a
# name already in use.
ANSWERS: dict[int, Any] = {400: s.RefusedOut, 409: s.ConflictOut | Problem}
FORMATS = {"yaml": "application/yaml; charset=utf-8", "json": "application/json; charset=utf-8"}


def _problem(status: int, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        status=status,
        content_type="application/problem+json",
    )


def refused_body(exc: InputRefused) -> dict[str, Any]:
    return {
        "title": "Input refused",
        "status": 400,
        "detail": str(exc),
        "errors": [
            {
                "file": exc.file,
                "line": exc.line,
                "element": exc.element,
                "field": exc.field,
                "msg": exc.message,
            }
        ],
    }


def conflict_body(exc: StaleEdit) -> dict[str, Any]:
    return {
        "title": "Conflict",
        "status": 409,
        "detail": str(exc),
        "errors": [],
        "element": exc.element,
        "version": exc.version,
        "current": exc.current,
        "yours": exc.yours,
        "changed_by": exc.changed_by,
        "changed_at": exc.changed_at,
    }


def answers(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refused input → 400 naming outcome and field; stale save → 409 with the stored values."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except InputRefused as exc:
            return _problem(400, refused_body(exc))
        except StaleEdit as exc:
            return _problem(409, conflict_body(exc))

    return wrapper


def _detail(access: Access, profile_id: int) -> s.ProfileOut:
    return s.profile_out(queries.profile(access, profile_id))


def _scale(value: str | s.ScaleIn | None) -> Scale | str | None:
    """A custom scale from a body, checked by the domain's rules."""
    if value is None or isinstance(value, str):
        return value
    levels = []
    for i, lv in enumerate(value.levels):
        score: Fraction | None
        if lv.score is None:
            score = None
        else:
            try:
                score = (
                    Fraction(repr(lv.score)) if isinstance(lv.score, float) else Fraction(lv.score)
                )
            except (ValueError, ZeroDivisionError):
                raise InputRefused(
                    f"{lv.score!r} is not a score between 0 and 1",
                    field=f"scale.levels[{i}].score",
                ) from None
        levels.append(Level(lv.key, lv.label or str(lv.key), score, lv.hotkey, lv.description))
    return Scale(value.key, value.name or value.key, tuple(levels), value.description)


# -- profiles ------------------------------------------------------------------------------


@router.get(
    BASE,
    response=list[s.ProfileSummaryOut],
    summary="Profiles, with their scores",
    openapi_extra=needs(Permission.VIEW),
)
def list_profiles(
    request: HttpRequest, slug: str, kind: ProfileKind | None = None
) -> list[s.ProfileSummaryOut]:
    access = require(request, slug, Permission.VIEW)
    return [
        s.summary_out(p) for p in queries.profile_list(access, kind=kind.value if kind else None)
    ]


@router.post(
    BASE,
    response={201: s.ProfileOut, **ANSWERS},
    summary="Create a profile",
    openapi_extra=needs(Permission.EDIT_PROFILES),
)
@answers
def create_profile(request: HttpRequest, slug: str, payload: s.ProfileIn) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    row = services.create_profile(
        access,
        name=payload.name,
        framework=payload.framework,
        kind=payload.kind,
        scope_type=payload.scope_type,
        scope_name=payload.scope_name,
        description=payload.description,
        assumptions=payload.assumptions,
        scale=_scale(payload.scale),
        rollup=payload.rollup,
    )
    return 201, s.profile_out(row)  # as written, with its release and author: not read back


@router.get(
    BASE + "/{int:profile_id}",
    response=s.ProfileOut,
    summary="One profile",
    openapi_extra=needs(Permission.VIEW),
)
def get_profile(request: HttpRequest, slug: str, profile_id: int) -> s.ProfileOut:
    access = require(request, slug, Permission.VIEW)
    return _detail(access, profile_id)


@router.patch(
    BASE + "/{int:profile_id}",
    response={200: s.ProfileOut, **ANSWERS},
    summary="Change a profile",
    openapi_extra=needs(Permission.EDIT_PROFILES),
)
@answers
def update_profile(
    request: HttpRequest, slug: str, profile_id: int, payload: s.ProfilePatch
) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    changes = payload.model_dump(exclude_unset=True, mode="python")
    changes.pop("version")
    if "scale" in changes:
        changes["scale"] = _scale(payload.scale)
    for key in ("scope_type", "rollup"):
        if changes.get(key) is not None:
            changes[key] = changes[key].value
    services.update_profile(access, profile_id, changes, expected_version=payload.version)
    return _detail(access, profile_id)


@router.delete(
    BASE + "/{int:profile_id}",
    response={204: None},
    summary="Delete a profile",
    openapi_extra=needs(Permission.EDIT_PROFILES),
)
def delete_profile(request: HttpRequest, slug: str, profile_id: int) -> tuple[int, None]:
    access = require(request, slug, Permission.EDIT_PROFILES)
    services.delete_profile(access, profile_id)
    return 204, None


@router.get(
    BASE + "/{int:profile_id}/tiers",
    response=s.TiersOut,
    summary="The profile's Tiers",
    openapi_extra=needs(Permission.VIEW),
)
def get_tiers(request: HttpRequest, slug: str, profile_id: int) -> s.TiersOut:
    access = require(request, slug, Permission.VIEW)
    return s.tiers_out(lookups.profile(access, profile_id))


@router.put(
    BASE + "/{int:profile_id}/tiers",
    response={200: s.TiersOut, **ANSWERS},
    summary="Set the Tiers",
    openapi_extra=needs(Permission.EDIT_PROFILES),
)
@answers
def set_tiers(request: HttpRequest, slug: str, profile_id: int, payload: s.TiersIn) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    stored = storage.tiers_of(lookups.profile(access, profile_id))
    row = services.set_tiers(
        access, profile_id, payload.to_tiers(stored), expected_version=payload.version
    )
    return s.tiers_out(row)


# -- outcomes ------------------------------------------------------------------------------


@router.get(
    BASE + "/{int:profile_id}/outcomes",
    response=list[s.OutcomeOut],
    summary="Every outcome",
    openapi_extra=needs(Permission.VIEW),
)
def list_outcomes(request: HttpRequest, slug: str, profile_id: int) -> HttpResponse:
    access = require(request, slug, Permission.VIEW)

    def build() -> bytes:
        lines = queries.outcome_lines(access, profile_id)
        # The objects are built by the typed schema already; letting the framework validate
        # them a second time, attribute by attribute, costs more than building them.
        return _OUTCOME_LIST.dump_json([s.outcome_out(o) for o in lines])

    body = answer_cache.outcome_list(access, profile_id, build)
    return HttpResponse(body, content_type="application/json")


_OUTCOME_LIST = TypeAdapter(list[s.OutcomeOut])


@router.get(
    BASE + "/{int:profile_id}/outcomes/{code}",
    response=s.OutcomeOut,
    summary="One outcome",
    openapi_extra=needs(Permission.VIEW),
)
def get_outcome(request: HttpRequest, slug: str, profile_id: int, code: str) -> s.OutcomeOut:
    access = require(request, slug, Permission.VIEW)
    return s.outcome_out(queries.outcome_detail(access, profile_id, code).outcome)


@router.patch(
    BASE + "/{int:profile_id}/outcomes/{code}",
    response={200: s.OutcomeOut, **ANSWERS},
    summary="Change one outcome (send the version you read)",
    openapi_extra=needs(Permission.EDIT_ASSIGNED_OUTCOMES),
)
@answers
def update_outcome(
    request: HttpRequest, slug: str, profile_id: int, code: str, payload: s.OutcomePatch
) -> Any:
    access = require(request, slug, Permission.EDIT_ASSIGNED_OUTCOMES)
    saved = services.update_outcome(
        access, profile_id, code, payload.changes(), expected_version=payload.version
    )
    return s.outcome_out(queries.outcome_line(access, saved))


class NextQuery(Schema):
    side: Literal["current", "target"] = "current"
    after: str | None = None


@router.get(
    BASE + "/{int:profile_id}/next-unanswered",
    response=s.NextOut,
    summary="The questionnaire's next unanswered outcome",
    openapi_extra=needs(Permission.VIEW),
)
def next_unanswered(
    request: HttpRequest, slug: str, profile_id: int, params: Query[NextQuery]
) -> s.NextOut:
    access = require(request, slug, Permission.VIEW)
    code = queries.next_unanswered(access, profile_id, side=params.side, after=params.after)
    return s.NextOut(code=code, side=params.side)


@router.get(
    BASE + "/{int:profile_id}/progress",
    response=list[s.ProgressOut],
    summary="Answered outcomes per Function",
    openapi_extra=needs(Permission.VIEW),
)
def progress(request: HttpRequest, slug: str, profile_id: int) -> HttpResponse:
    access = require(request, slug, Permission.VIEW)

    def build() -> bytes:
        return _PROGRESS.dump_json(
            [
                s.ProgressOut(
                    code=p.code,
                    title=p.title,
                    included=p.included,
                    current_answered=p.current_answered,
                    target_answered=p.target_answered,
                )
                for p in queries.progress(access, profile_id)
            ]
        )

    body = answer_cache.computed(access, profile_id, "progress", (), build)
    return HttpResponse(body, content_type="application/json")


_PROGRESS = TypeAdapter(list[s.ProgressOut])


# -- scores, gaps --------------------------------------------------------------------------


@router.get(
    BASE + "/{int:profile_id}/scores",
    response=s.ScoresOut,
    summary="Scores (0–100)",
    openapi_extra=needs(Permission.VIEW),
)
def scores(request: HttpRequest, slug: str, profile_id: int) -> HttpResponse:
    access = require(request, slug, Permission.VIEW)

    def build() -> bytes:
        result = queries.scores_of(lookups.profile(access, profile_id))
        out = s.ScoresOut(
            profile=s.node_score_out(result.profile),
            groups=[s.node_score_out(g) for g in result.groups],
        )
        return out.model_dump_json().encode()

    body = answer_cache.computed(access, profile_id, "scores", (), build)
    return HttpResponse(body, content_type="application/json")


class GapQuery(Schema):
    function: str | None = None
    priority: Literal["high", "medium", "low", "none"] | None = None
    owner: str | None = None


@router.get(
    BASE + "/{int:profile_id}/gaps",
    response={200: s.GapsOut, **ANSWERS},
    summary="Gap analysis (filters: Function or Category id, priority, owner)",
    openapi_extra=needs(Permission.VIEW),
)
@answers
def gaps(request: HttpRequest, slug: str, profile_id: int, params: Query[GapQuery]) -> Any:
    access = require(request, slug, Permission.VIEW)

    def build() -> bytes:
        view = queries.gap_analysis_of(
            lookups.profile(access, profile_id),
            function=params.function,
            priority=params.priority,
            owner=params.owner,
        )
        out = s.GapsOut(
            profile=s.group_gap_out(view.analysis.profile),
            groups=[s.group_gap_out(g) for g in view.analysis.groups],
            outcomes=[s.outcome_gap_out(g) for g in view.outcomes],
            not_comparable=list(view.analysis.not_comparable),
            filters={"function": view.function, "priority": view.priority, "owner": view.owner},
        )
        return out.model_dump_json().encode()

    wanted = (params.function, params.priority, params.owner)
    body = answer_cache.computed(access, profile_id, "gaps", wanted, build)
    return HttpResponse(body, content_type="application/json")


# -- the action plan -----------------------------------------------------------------------


class PlanQuery(Schema):
    status: Literal["open", "in-progress", "done", "risk-accepted"] | None = None
    owner: str | None = None


@router.get(
    BASE + "/{int:profile_id}/actions",
    response=s.ActionPlanOut,
    summary="The action plan",
    openapi_extra=needs(Permission.VIEW),
)
def action_plan(
    request: HttpRequest, slug: str, profile_id: int, params: Query[PlanQuery]
) -> s.ActionPlanOut:
    access = require(request, slug, Permission.VIEW)
    plan = queries.action_plan(access, profile_id, status=params.status, owner=params.owner)
    return s.ActionPlanOut(
        actions=[s.action_out(v.action, today=plan.today) for v in plan.actions],
        candidates=[s.candidate_out(c) for c in plan.candidates],
        counts=plan.counts,
        overdue=plan.overdue,
    )


@router.post(
    BASE + "/{int:profile_id}/actions",
    response={201: s.ActionOut, **ANSWERS},
    summary="Add an action",
    openapi_extra=needs(Permission.EDIT_PROFILES),
)
@answers
def create_action(request: HttpRequest, slug: str, profile_id: int, payload: s.ActionIn) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    action = services.create_action(access, profile_id, payload.data())
    return 201, s.action_out(action, today=timezone.localdate())


@router.post(
    BASE + "/{int:profile_id}/actions/generate",
    response={201: list[s.ActionOut], **ANSWERS},
    summary="Add an action for every uncovered gap (suggested SP 800-53 controls)",
    openapi_extra=needs(Permission.EDIT_PROFILES),
)
@answers
def generate_actions(
    request: HttpRequest, slug: str, profile_id: int, payload: s.GenerateIn
) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    added = services.generate_actions(
        access, profile_id, due=payload.due, milestone=payload.milestone
    )
    today = timezone.localdate()
    return 201, [s.action_out(a, today=today) for a in added]


@router.get(
    BASE + "/{int:profile_id}/actions/{code}",
    response=s.ActionOut,
    summary="One action",
    openapi_extra=needs(Permission.VIEW),
)
def get_action(request: HttpRequest, slug: str, profile_id: int, code: str) -> s.ActionOut:
    access = require(request, slug, Permission.VIEW)
    row = lookups.profile(access, profile_id)
    return s.action_out(lookups.action(access, row, code), today=timezone.localdate())


@router.patch(
    BASE + "/{int:profile_id}/actions/{code}",
    response={200: s.ActionOut, **ANSWERS},
    summary="Change an action (send the version you read)",
    openapi_extra=needs(Permission.EDIT_PROFILES),
)
@answers
def update_action(
    request: HttpRequest, slug: str, profile_id: int, code: str, payload: s.ActionPatch
) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    action = services.update_action(
        access, profile_id, code, payload.changes(), expected_version=payload.version
    )
    return s.action_out(action, today=timezone.localdate())


@router.delete(
    BASE + "/{int:profile_id}/actions/{code}",
    response={204: None, **ANSWERS},
    summary="Remove an action (send the version you read)",
    openapi_extra=needs(Permission.EDIT_PROFILES),
)
@answers
def delete_action(request: HttpRequest, slug: str, profile_id: int, code: str, version: int) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    services.delete_action(access, profile_id, code, expected_version=version)
    return 204, None


# -- snapshots, trend, compare -------------------------------------------------------------


@router.get(
    BASE + "/{int:profile_id}/snapshots",
    response=list[s.SnapshotOut],
    summary="Snapshots",
    openapi_extra=needs(Permission.VIEW),
)
def list_snapshots(request: HttpRequest, slug: str, profile_id: int) -> list[s.SnapshotOut]:
    access = require(request, slug, Permission.VIEW)
    return [s.snapshot_out(x) for x in queries.snapshots(access, profile_id)]


@router.post(
    BASE + "/{int:profile_id}/snapshots",
    response={201: s.SnapshotOut, **ANSWERS},
    summary="Take a snapshot (an immutable dated copy)",
    openapi_extra=needs(Permission.EDIT_PROFILES),
)
@answers
def take_snapshot(request: HttpRequest, slug: str, profile_id: int, payload: s.SnapshotIn) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    snap = services.take_snapshot(access, profile_id, label=payload.label)
    return 201, s.snapshot_out(snap)


@router.get(
    "/organizations/{slug}/snapshots/{int:snapshot_id}",
    response=s.SnapshotDetailOut,
    summary="One snapshot with its scores and document",
    openapi_extra=needs(Permission.VIEW),
)
def get_snapshot(request: HttpRequest, slug: str, snapshot_id: int) -> s.SnapshotDetailOut:
    access = require(request, slug, Permission.VIEW)
    detail = queries.snapshot_detail(access, snapshot_id)
    return s.SnapshotDetailOut(
        **s.snapshot_out(detail.snapshot).model_dump(),
        scores=s.ScoresOut(
            profile=s.node_score_out(detail.scores.profile),
            groups=[s.node_score_out(g) for g in detail.scores.groups],
        ),
        document=detail.snapshot.document,
    )


@router.get(
    BASE + "/{int:profile_id}/trend",
    response=list[s.TrendPointOut],
    summary="Scores over the snapshots, then now",
    openapi_extra=needs(Permission.VIEW),
)
def trend(request: HttpRequest, slug: str, profile_id: int) -> list[s.TrendPointOut]:
    access = require(request, slug, Permission.VIEW)
    return [s.trend_out(p) for p in queries.trend(access, profile_id)]


def comparison_out(c: Comparison) -> s.ComparisonOut:
    return s.ComparisonOut(
        before=c.before,
        after=c.after,
        changes=[
            s.ChangeOut(element=x.element, field=x.field, before=x.before, after=x.after)
            for x in c.changes
        ],
        changed_outcomes=c.changed_outcomes,
        deltas=[s.delta_out(d) for d in c.deltas],
    )


@router.get(
    "/organizations/{slug}/compare",
    response={200: s.ComparisonOut, **ANSWERS},
    summary="Compare two profiles or snapshots (profile:<id> / snapshot:<id>)",
    openapi_extra=needs(Permission.VIEW),
)
@answers
def compare(request: HttpRequest, slug: str, before: str, after: str) -> Any:
    access = require(request, slug, Permission.VIEW)
    return comparison_out(queries.compare(access, before, after))


# -- files and Community Profiles ----------------------------------------------------------


# A profile file: YAML by default, JSON with ?format=json; the same document either way.
PROFILE_FILE = {"type": "object", "description": "A profile file (docs/profile-format.md)."}
FILE_RESPONSE = {
    "responses": {
        200: {
            "content": {
                "application/yaml": {"schema": PROFILE_FILE},
                "application/json": {"schema": PROFILE_FILE},
            }
        }
    }
}


def _download(access: Access, profile_id: int, text: str, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    audit.record_download(
        access,
        "export",
        profile_id,
        label=filename,
        filename=filename,
        size=len(response.content),
        fmt=fmt,
    )
    return response


@router.get(
    BASE + "/{int:profile_id}/export",
    response={200: str},
    summary="Export as a profile file (YAML or JSON)",
    openapi_extra={**FILE_RESPONSE, **needs(Permission.EXPORT)},
)
def export_profile(
    request: HttpRequest, slug: str, profile_id: int, format: Literal["yaml", "json"] = "yaml"
) -> HttpResponse:
    access = require(request, slug, Permission.EXPORT)
    row = lookups.profile(access, profile_id)
    text = exchange.export_profile_file(access, profile_id, format)
    return _download(access, row.pk, text, exchange.export_filename(row, format), format)


@router.get(
    "/organizations/{slug}/snapshots/{int:snapshot_id}/export",
    response={200: str},
    summary="Export a snapshot as a profile file",
    openapi_extra={**FILE_RESPONSE, **needs(Permission.EXPORT)},
)
def export_snapshot(
    request: HttpRequest, slug: str, snapshot_id: int, format: Literal["yaml", "json"] = "yaml"
) -> HttpResponse:
    access = require(request, slug, Permission.EXPORT)
    snap = lookups.snapshot(access, snapshot_id)
    text = exchange.export_snapshot_file(access, snapshot_id, format)
    suffix = "-" + snap.taken_at.strftime("%Y%m%d-%H%M%S")
    name = exchange.export_filename(snap.profile, format, suffix=suffix)
    return _download(access, snap.profile_id, text, name, format)


def _read_upload(upload: UploadedFile) -> bytes:
    # Refused by its declared size before a byte is read into memory.
    if upload.size is not None and upload.size > import_limit():
        raise HttpError(
            413,
            f"{upload.name}: the file has {upload.size} bytes; a profile file has at most "
            f"{import_limit()}",
        )
    data = upload.read(import_limit() + 1)
    if len(data) > import_limit():
        raise HttpError(413, f"{upload.name}: a profile file has at most {import_limit()} bytes")
    return data


def _import(
    request: HttpRequest,
    slug: str,
    upload: UploadedFile,
    name: str | None,
    replace: bool,
    kind: ProfileKind | None,
) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    data = _read_upload(upload)
    result = services.import_profile_file(
        access,
        data,
        filename=upload.name or "upload.yaml",
        name=name or None,
        replace_existing=replace,
        kind=kind,
    )
    body = s.ImportOut(
        profile=_detail(access, result.profile.pk),
        created=result.created,
        warnings=list(result.warnings),
    )
    return (201 if result.created else 200), body


@router.post(
    BASE + "/import",
    response={201: s.ImportOut, 200: s.ImportOut, **ANSWERS, 413: s.RefusedOut},
    summary="Import a profile file (YAML or JSON, within the import limit)",
    openapi_extra=needs(Permission.EDIT_PROFILES),
    auth=upload_auth(Permission.EDIT_PROFILES),
)
@answers
def import_profile(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    name: Form[str] = "",
    replace: Form[bool] = False,
) -> Any:
    return _import(request, slug, file, name, replace, None)


@router.post(
    "/organizations/{slug}/community-profiles",
    response={201: s.ImportOut, 200: s.ImportOut, **ANSWERS, 413: s.RefusedOut},
    summary="Import a Community Profile file (kind: community)",
    openapi_extra=needs(Permission.EDIT_PROFILES),
    auth=upload_auth(Permission.EDIT_PROFILES),
)
@answers
def import_community_profile(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    name: Form[str] = "",
    replace: Form[bool] = False,
) -> Any:
    return _import(request, slug, file, name, replace, ProfileKind.COMMUNITY)


@router.post(
    BASE + "/{int:community_id}/derive-target",
    response={200: s.DeriveOut, 201: s.DeriveOut, **ANSWERS},
    summary="Derive a Target Profile from a Community Profile (preview with apply=false)",
    openapi_extra=needs(Permission.EDIT_PROFILES),
)
@answers
def derive_target(request: HttpRequest, slug: str, community_id: int, payload: s.DeriveIn) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES if payload.apply else Permission.VIEW)
    result = services.derive_target(
        access,
        community_id,
        base_id=payload.base,
        name=payload.name,
        apply=payload.apply,
        expected_version=payload.version,
    )
    changes = [
        s.ChangeOut(element=c.element, field=c.field, before=c.before, after=c.after)
        for c in result.changes
    ]
    profile = _detail(access, result.profile.pk) if result.profile is not None else None
    status = 201 if result.profile is not None and payload.base is None else 200
    return status, s.DeriveOut(profile=profile, changes=changes)
