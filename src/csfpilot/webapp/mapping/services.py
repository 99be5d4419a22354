"""Use cases of a mapping project: create it, make proposals, review pairs, accept in bulk.

Every change runs in one transaction with its audit event. A review names the
pair's version as the reviewer read it, so two reviewers deciding the same pair
at once never overwrite each other silently (the second gets a conflict).
Proposals never reach the crosswalk by themselves: only :func:`review` (one
pair) and :func:`bulk_accept` (pairs a person chose by a score threshold, after
seeing how many) put a pair in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.catalog import export_queries
from csfpilot.webapp.catalog import models as cm
from csfpilot.webapp.mapping import engine, queries
from csfpilot.webapp.mapping import models as m
from csfpilot.webapp.organizations.permissions import Access, PermissionMissing
from csfpilot.webapp.organizations.roles import Permission

DEFAULT_TARGET = "csf-2.0"
MAX_TOP = 10
METHODS = ("combined", "lexical", "crosswalk", "semantic")
DECISIONS = ("accept", "reject", "change", "reset")


def _require(access: Access, permission: Permission = Permission.EDIT_PROFILES) -> None:
    if not access.can(permission):
        raise PermissionMissing(permission, access.role.value)


def _who(access: Access) -> str:
    return audit.actor_of(access).name


def create_project(
    access: Access,
    *,
    name: str,
    source_key: str,
    target_key: str = DEFAULT_TARGET,
    top: int = 5,
    method: str = "combined",
) -> m.MappingProject:
    """A new project listing the source framework's assessable requirements, no proposals yet."""
    _require(access)
    name = " ".join(name.split())
    if not name:
        raise InputRefused("a project needs a name", field="name")
    if len(name) > 200:
        raise InputRefused("at most 200 characters", field="name")
    if not 1 <= top <= MAX_TOP:
        raise InputRefused(f"between 1 and {MAX_TOP}", field="top")
    if method not in METHODS:
        raise InputRefused(f"one of {', '.join(METHODS)}", field="method")
    if source_key == target_key:
        raise InputRefused("the source and target frameworks must differ", field="target")
    frameworks = {f.key: f for f in cm.Framework.objects.filter(key__in=[source_key, target_key])}
    for key, field in ((source_key, "source"), (target_key, "target")):
        if key not in frameworks:
            raise InputRefused(f"no framework {key!r} is loaded", field=field)
        if frameworks[key].named_by_crosswalks:
            raise InputRefused(
                f"{key} holds only the ids crosswalks name, not the requirements' text",
                field=field,
            )
    source = export_queries.catalog(source_key)
    codes = engine.assessable(source)
    nodes = dict(
        cm.Node.objects.filter(framework=frameworks[source_key], code__in=codes).values_list(
            "code", "id"
        )
    )
    with transaction.atomic():
        if m.MappingProject.objects.filter(organization=access.organization, name=name).exists():
            raise ConflictError(f"a mapping project named {name!r} exists already")
        project = m.MappingProject.objects.create(
            organization=access.organization,
            name=name,
            source_framework=frameworks[source_key],
            target_framework=frameworks[target_key],
            top=top,
            method=method,
            created_by=access.membership.user,
        )
        m.Requirement.objects.bulk_create(
            m.Requirement(project=project, code=code, node_id=nodes.get(code), order=i)
            for i, code in enumerate(codes)
        )
        audit.record(
            access,
            "mapping-project",
            project.pk,
            audit.Action.CREATE,
            label=name,
            changes=audit.created(
                {
                    "name": name,
                    "source": source_key,
                    "target": target_key,
                    "requirements": len(codes),
                    "top": top,
                    "method": method,
                }
            ),
        )
    return project


def delete_project(access: Access, project_id: int) -> None:
    _require(access)
    with transaction.atomic():
        project = queries.project(access.organization, project_id)
        counts = queries.state_counts(project)
        audit.record(
            access,
            "mapping-project",
            project.pk,
            audit.Action.DELETE,
            label=project.name,
            changes=audit.deleted({"name": project.name, **counts}),
        )
        project.delete()


# -- proposals ---------------------------------------------------------------------------------


def inline_limit() -> int:
    """Projects with at most this many requirements get their proposals on the request."""
    return int(getattr(settings, "CSFPILOT_MAPPING_INLINE_LIMIT", 80))


def _reviewed(project: m.MappingProject) -> bool:
    return project.pairs.exclude(state=m.PairState.PROPOSED).exists()


def request_proposals(access: Access, project_id: int) -> m.MappingProject:
    """Make the proposals now (a small framework) or queue a background job (a large one).

    Proposals can be made again until the first pair is reviewed; after that they
    stay, so that no decision is thrown away with them.
    """
    _require(access)
    project = queries.project(access.organization, project_id)
    if _reviewed(project):
        raise ConflictError(
            "pairs of this project have been reviewed: its proposals are kept as they are"
        )
    if project.run_state == m.RunState.QUEUED and project.job is not None and project.job.active:
        return project  # already on its way
    if project.requirements.count() <= inline_limit():
        make_proposals(access, project.pk)
        project.refresh_from_db()
        return project
    from csfpilot.webapp.jobs import services as jobs
    from csfpilot.webapp.mapping.tasks import suggest_for_project

    with transaction.atomic():
        job = jobs.enqueue_once(
            suggest_for_project,
            access=access,
            label=_("Mapping proposals for %(name)s") % {"name": project.name},
            dedupe_key=f"mapping-proposals-{project.pk}",
            project_id=project.pk,
        )
        m.MappingProject.objects.filter(pk=project.pk).update(
            run_state=m.RunState.QUEUED, job=job, run_error=""
        )
    project.refresh_from_db()
    return project


def _crosswalks(exclude: Sequence[str] = ()) -> list[Any]:
    keys = cm.MappingDataset.objects.exclude(key__in=exclude).values_list("key", flat=True)
    return [export_queries.mapping_set(key) for key in keys]


def make_proposals(access: Access, project_id: int, progress: Any = None) -> int:
    """Ask the assistant and store its proposals for every requirement; the pairs made."""
    _require(access)
    project = queries.project(access.organization, project_id)
    source = export_queries.catalog(project.source_framework.key)
    target = export_queries.catalog(project.target_framework.key)
    codes = list(project.requirements.values_list("code", flat=True))
    if progress:
        progress(0, 2, "Making proposals")
    try:
        found = engine.propose(
            source,
            target,
            crosswalks=_crosswalks(),
            top=project.top,
            method=project.method,
            only=codes,
        )
    except Exception as exc:  # the failure is the project's to show, then the caller's
        m.MappingProject.objects.filter(pk=project.pk).update(
            run_state=m.RunState.FAILED, run_error=str(exc)[:2000]
        )
        raise
    if progress:
        progress(1, 2, "Storing proposals")
    return store_proposals(access, project, found)


def store_proposals(
    access: Access, project: m.MappingProject, found: Sequence[engine.Proposal]
) -> int:
    """Replace the project's unreviewed proposals with ``found`` (one transaction, one event)."""
    requirements = dict(project.requirements.values_list("code", "id"))
    targets = set(engine_targets(project))
    node_ids = dict(
        cm.Node.objects.filter(framework=project.target_framework).values_list("code", "id")
    )
    pairs = []
    for proposal in found:
        req = requirements.get(proposal.source)
        if req is None:
            continue
        for rank, c in enumerate(proposal.candidates[: project.top], start=1):
            if c.id not in targets:
                continue
            pairs.append(
                m.Pair(
                    project=project,
                    requirement_id=req,
                    rank=rank,
                    proposed_code=c.id,
                    target_code=c.id,
                    target_id=node_ids.get(c.id),
                    score=round(float(c.score), 6),
                    reasons=[{"kind": k, "detail": d} for k, d in c.reasons],
                )
            )
    with transaction.atomic():
        locked = m.MappingProject.objects.select_for_update().get(pk=project.pk)
        if locked.pairs.exclude(state=m.PairState.PROPOSED).exists():
            raise ConflictError("pairs were reviewed meanwhile: the proposals are kept")
        locked.pairs.all().delete()
        m.Pair.objects.bulk_create(pairs, batch_size=500)
        m.MappingProject.objects.filter(pk=project.pk).update(
            run_state=m.RunState.READY, run_error="", suggested_at=timezone.now()
        )
        audit.record(
            access,
            "mapping-project",
            project.pk,
            audit.Action.UPDATE,
            label=project.name,
            changes={
                "proposals": [None, len(pairs)],
                "requirements": [None, len({p.requirement_id for p in pairs})],
                "method": [None, project.method],
            },
        )
    return len(pairs)


def engine_targets(project: m.MappingProject) -> list[str]:
    """The target framework's assessable elements: what a pair may point at."""
    return queries.target_codes(project.target_framework)


# -- review ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """What a reviewer says about one pair.

    ``accept``: the proposed target, related as ``relationship`` (default:
    intersects with — the reviewer confirmed they relate, nothing more);
    ``change``: ``target`` (any element of the target framework) and
    ``relationship``; ``reject``: not a pair; ``reset``: back to proposed.
    """

    action: str
    relationship: str = ""
    target: str = ""
    note: str = ""


def _check_decision(d: Decision, project: m.MappingProject) -> Decision:
    if d.action not in DECISIONS:
        raise InputRefused(f"one of {', '.join(DECISIONS)}", field="action")
    rel = d.relationship
    if rel and rel not in m.PairRelationship.values:
        raise InputRefused(f"one of {', '.join(m.PairRelationship.values)}", field="relationship")
    if len(d.note) > 500:
        raise InputRefused("at most 500 characters", field="note")
    target = d.target.strip()
    if d.action == "change":
        if not target:
            raise InputRefused("name the target element", field="target")
        if target not in set(engine_targets(project)):
            raise InputRefused(
                f"{target} is not an element of {project.target_framework.key}", field="target"
            )
        if not rel:
            raise InputRefused("say how the two relate", field="relationship")
    return Decision(d.action, rel, target, d.note.strip())


def _apply(pair: m.Pair, d: Decision, access: Access, now: Any) -> dict[str, list[Any]]:
    before = {
        "state": pair.state,
        "target": pair.target_code,
        "relationship": pair.relationship,
        "note": pair.note,
    }
    if d.action == "reset":
        pair.state, pair.target_code, pair.relationship = (
            m.PairState.PROPOSED,
            pair.proposed_code,
            "",
        )
        pair.note, pair.reviewed_by, pair.reviewed_by_name, pair.reviewed_at = "", None, "", None
    else:
        pair.reviewed_by = access.membership.user
        pair.reviewed_by_name = _who(access)
        pair.reviewed_at = now
        pair.note = d.note
        if d.action == "reject":
            pair.state, pair.target_code, pair.relationship = (
                m.PairState.REJECTED,
                pair.proposed_code,
                "",
            )
        elif d.action == "accept":
            pair.state, pair.target_code = m.PairState.ACCEPTED, pair.proposed_code
            pair.relationship = d.relationship or m.PairRelationship.INTERSECTS_WITH
        else:
            # Another target, or the proposed one with a relationship the reviewer chose.
            pair.state = m.PairState.CHANGED
            pair.target_code, pair.relationship = d.target, d.relationship
    after = {
        "state": pair.state,
        "target": pair.target_code,
        "relationship": pair.relationship,
        "note": pair.note,
    }
    return audit.diff(before, after)


def review(
    access: Access, project_id: int, pair_id: int, decision: Decision, *, version: int | None
) -> m.Pair:
    """Decide one pair. ``version`` is the pair's version as read (None: whatever it is now)."""
    _require(access)
    project = queries.project(access.organization, project_id)
    d = _check_decision(decision, project)
    with transaction.atomic():
        pair = (
            m.Pair.objects.select_for_update()
            .select_related("requirement")
            .filter(project=project, pk=pair_id)
            .first()
        )
        if pair is None:
            raise NotFound(f"no pair {pair_id} in mapping project {project.pk}")
        if version is not None and pair.version != version:
            raise ConflictError(
                f"pair {pair.requirement.code} → {pair.target_code} was decided by someone else "
                "meanwhile; reload to see their decision"
            )
        if d.action == "change" and d.target != pair.proposed_code:
            taken = (
                m.Pair.objects.filter(requirement=pair.requirement)
                .exclude(pk=pair.pk)
                .filter(Q(target_code=d.target) | Q(proposed_code=d.target))
                .exists()
            )
            if taken:
                raise InputRefused(
                    f"{d.target} is already a pair of {pair.requirement.code}: decide that one",
                    field="target",
                )
        changes = _apply(pair, d, access, timezone.now())
        if d.action == "reset" and not changes:
            return pair  # undoing a pair nobody decided: nothing to store or record
        pair.target_id = queries.target_node_id(project, pair.target_code)
        pair.version = F("version") + 1
        pair.save()
        pair.refresh_from_db()
        audit.record(
            access,
            "mapping-pair",
            pair.pk,
            audit.Action.UPDATE,
            label=f"{project.name}: {pair.requirement.code} → {pair.proposed_code}",
            changes=changes,
        )
    return pair


# -- bulk accept -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkPreview:
    threshold: float
    best_only: bool
    pairs: int
    requirements: int


def _bulk_candidates(project: m.MappingProject, threshold: float, best_only: bool) -> Any:
    qs = m.Pair.objects.filter(project=project, state=m.PairState.PROPOSED, score__gte=threshold)
    if best_only:
        # A requirement someone already decided is theirs to finish; only untouched ones.
        touched = m.Pair.objects.filter(project=project).exclude(state=m.PairState.PROPOSED)
        qs = qs.filter(rank=1).exclude(requirement_id__in=touched.values("requirement_id"))
    return qs


def _check_threshold(threshold: float) -> float:
    if not 0 <= threshold <= 1:
        raise InputRefused("a score from 0 to 1", field="threshold")
    return float(threshold)


def bulk_preview(
    access: Access, project_id: int, threshold: float, *, best_only: bool = True
) -> BulkPreview:
    """How many pairs :func:`bulk_accept` would accept with these settings (nothing changes)."""
    project = queries.project(access.organization, project_id)
    threshold = _check_threshold(threshold)
    qs = _bulk_candidates(project, threshold, best_only)
    return BulkPreview(
        threshold,
        best_only,
        qs.count(),
        qs.values("requirement_id").distinct().count(),
    )


def bulk_accept(
    access: Access,
    project_id: int,
    threshold: float,
    *,
    best_only: bool = True,
    expected: int | None = None,
    relationship: str = m.PairRelationship.INTERSECTS_WITH,
) -> int:
    """Accept every proposed pair scoring at least ``threshold`` (each requirement's best
    only, by default). ``expected`` is the count the person saw in the preview: when
    the proposals changed since, nothing is accepted. One audit event lists the pairs."""
    _require(access)
    project = queries.project(access.organization, project_id)
    threshold = _check_threshold(threshold)
    if relationship not in m.PairRelationship.values:
        raise InputRefused(f"one of {', '.join(m.PairRelationship.values)}", field="relationship")
    now = timezone.now()
    with transaction.atomic():
        m.MappingProject.objects.select_for_update().filter(pk=project.pk).first()
        rows = list(
            _bulk_candidates(project, threshold, best_only)
            .select_related("requirement")
            .order_by("requirement__order", "rank")
        )
        if expected is not None and expected != len(rows):
            raise ConflictError(
                f"{len(rows)} pairs now match, not the {expected} previewed; preview again"
            )
        ids = [p.pk for p in rows]
        try:
            m.Pair.objects.filter(pk__in=ids).update(
                state=m.PairState.ACCEPTED,
                relationship=relationship,
                reviewed_by=access.membership.user,
                reviewed_by_name=_who(access),
                reviewed_at=now,
                version=F("version") + 1,
            )
        except IntegrityError as exc:  # pragma: no cover - the constraint guards the rule
            raise ConflictError(str(exc)) from exc
        audit.record_bulk(
            access,
            "mapping-project",
            project.pk,
            audit.Action.UPDATE,
            [
                audit.Item(
                    "mapping-pair",
                    p.pk,
                    audit.Action.UPDATE,
                    label=f"{p.requirement.code} → {p.target_code}",
                    changes={
                        "state": [p.state, m.PairState.ACCEPTED.value],
                        "relationship": [p.relationship, relationship],
                    },
                )
                for p in rows
            ],
            label=project.name,
            summary={"bulk_accept": {"threshold": threshold, "best_only": best_only}},
        )
    return len(rows)
