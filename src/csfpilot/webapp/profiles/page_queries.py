"""Reads only the profile pages need, beside :mod:`csfpilot.webapp.profiles.queries`.

The questionnaire shows NIST's help next to each outcome — its Implementation
Examples and the informative references that crosswalks give it — for one
outcome or a whole Category at once, so those are read for many outcomes in a
fixed number of queries. Like every read of the app, each function stays inside
the caller's organization.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import caches
from django.db.models import Q
from django.urls import reverse

from csfpilot.core.errors import NotFound
from csfpilot.core.ids import DEFAULT_FRAMEWORK
from csfpilot.core.profiles import ActionStatus, ProfileKind
from csfpilot.webapp.catalog import models as catalog
from csfpilot.webapp.organizations.models import Membership
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.profiles import models as m

PROFILE_FAMILY = "csf"
"""Cybersecurity Framework releases come first in the menu; any framework with outcomes follows."""


def framework_choices() -> list[tuple[str, str]]:
    """The loaded framework releases a profile can be written against, newest default first.

    Every framework with elements to assess can hold a profile (SP 800-53 by control,
    CIS by safeguard, an imported library or a framework of one's own): the CSF
    releases first, then the others by name.
    """
    rows = [fw for fw in catalog.Framework.objects.all() if fw.levels]
    ordered = sorted(
        rows,
        key=lambda fw: (fw.key != DEFAULT_FRAMEWORK, fw.family != PROFILE_FAMILY, fw.name, fw.key),
    )
    return [(fw.key, f"{fw.name} {fw.version}") for fw in ordered]


def community_choices(access: Access, *, framework_id: int | None = None) -> list[tuple[str, str]]:
    """The organization's Community Profiles, for "start from" and "derive target" menus."""
    qs = m.Profile.objects.filter(
        organization=access.organization, kind=ProfileKind.COMMUNITY.value
    )
    if framework_id is not None:
        qs = qs.filter(framework_id=framework_id)
    return [(str(pk), name) for pk, name in qs.order_by("name").values_list("pk", "name")]


def comparable_profiles(access: Access, framework_id: int) -> list[tuple[int, str]]:
    """Every live profile of the organization on the same framework release (compare menus)."""
    return list(
        m.Profile.objects.filter(organization=access.organization, framework_id=framework_id)
        .order_by("name")
        .values_list("pk", "name")
    )


def member_emails(access: Access) -> list[str]:
    """Members' e-mail addresses: typing one as an outcome's owner assigns it to them."""
    return list(
        Membership.objects.filter(organization=access.organization)
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def outcome_row(access: Access, profile_id: Any, code: str) -> tuple[m.Profile, m.ProfileOutcome]:
    """One outcome with its profile, for a save (two queries; another tenant's is NotFound)."""
    try:
        pk = int(profile_id)
    except (TypeError, ValueError):
        pk = 0
    row = (
        m.ProfileOutcome.objects.select_related("profile", "profile__framework")
        .filter(profile__organization=access.organization, profile_id=pk, code=code)
        .first()
    )
    if row is None:
        raise NotFound(f"no outcome {code!r} in profile {profile_id}")
    return row.profile, row


def actions_by_outcome(profile: m.Profile) -> dict[str, list[str]]:
    """Outcome id → the codes of the open or in-progress actions that address it (one query)."""
    open_states = [s.value for s in ActionStatus if not s.closed]
    out: dict[str, list[str]] = defaultdict(list)
    rows = m.Action.objects.filter(profile=profile, status__in=open_states).order_by("position")
    for code, outcomes in rows.values_list("code", "outcomes"):
        for outcome in outcomes:
            out[outcome].append(code)
    return dict(out)


@dataclass(frozen=True)
class RefLink:
    """The other end of a crosswalk row: a framework element, linked when it is loaded."""

    framework: str
    code: str
    title: str
    linked: bool
    href: str = ""  # the element's page, when linked


@dataclass
class RefGroup:
    dataset: str
    publisher: str
    links: list[RefLink] = field(default_factory=list)


@dataclass
class OutcomeHelp:
    """NIST's help for one outcome: Implementation Examples and informative references."""

    examples: list[catalog.Example] = field(default_factory=list)
    references: list[RefGroup] = field(default_factory=list)


def outcome_help(framework: catalog.Framework, codes: Iterable[str]) -> dict[str, OutcomeHelp]:
    """Examples and references for each outcome id (two small queries when cached).

    What an outcome's help shows changes only when its release, a crosswalk
    touching the release, or the set of loaded frameworks (which decides what is
    linked) changes; those are the cache key, read on every call.
    """
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return {}
    state = _help_state(framework)
    keys = {code: f"help:{state}:{code}" for code in wanted}
    help_cache = caches["answers"]
    found = help_cache.get_many(list(keys.values()))
    out = {code: found[key] for code, key in keys.items() if key in found}
    missing = [code for code in wanted if code not in out]
    if missing:
        built = _outcome_help(framework, missing)
        help_cache.set_many({keys[code]: h for code, h in built.items()})
        out.update(built)
    return {code: out[code] for code in wanted}


def _help_state(framework: catalog.Framework) -> str:
    key = framework.key
    datasets = sorted(
        catalog.MappingDataset.objects.filter(
            Q(source_framework_key=key) | Q(target_framework_key=key)
        ).values_list("key", "content_digest", "loaded_at")
    )
    loaded = sorted(catalog.Framework.objects.values_list("key", "content_digest"))
    material = repr((framework.pk, framework.content_digest, datasets, loaded))
    return hashlib.sha256(material.encode()).hexdigest()


def _outcome_help(framework: catalog.Framework, wanted: list[str]) -> dict[str, OutcomeHelp]:
    """Examples and references for each outcome id (two queries for any number of ids).

    References read from the outcome's side in both directions: SP 800-53
    controls the CSF maps to, and CSF 1.1 elements withdrawn into the outcome.
    """
    out = {code: OutcomeHelp() for code in wanted}
    for example in (
        catalog.Example.objects.filter(node__framework=framework, node__code__in=wanted)
        .select_related("node")
        .order_by("node__order", "order")
    ):
        out[example.node.code].examples.append(example)
    key = framework.key
    # Only the columns the help shows: a Category's outcomes touch hundreds of crosswalk
    # rows, and whole element rows (with their texts) would be read for each end.
    rows = (
        catalog.Mapping.objects.filter(
            Q(dataset__source_framework_key=key, source_code__in=wanted)
            | Q(dataset__target_framework_key=key, target_code__in=wanted)
        )
        .order_by("dataset__name", "id")
        .values_list(
            "dataset__key",
            "dataset__name",
            "dataset__publisher",
            "dataset__source_framework_key",
            "dataset__target_framework_key",
            "source_code",
            "target_code",
            "source_id",
            "target_id",
            "source__title",
            "source__text",
            "target__title",
            "target_title",
        )
    )
    groups: dict[tuple[str, str], RefGroup] = {}
    for (
        ds_key,
        ds_name,
        publisher,
        source_fw,
        target_fw,
        source_code,
        target_code,
        source_id,
        target_id,
        source_title,
        source_text,
        target_title,
        row_title,
    ) in rows:
        if source_fw == key and source_code in out:
            mine, other_fw, other_code = source_code, target_fw, target_code
            linked, title = target_id is not None, target_title or row_title
        else:
            mine, other_fw, other_code = target_code, source_fw, source_code
            linked, title = source_id is not None, source_title or source_text
        if mine not in out:
            continue
        group = groups.get((mine, ds_key))
        if group is None:
            group = groups[(mine, ds_key)] = RefGroup(ds_name, publisher)
            out[mine].references.append(group)
        if not any(link.code == other_code for link in group.links):
            href = reverse("catalog:node", args=[other_fw, other_code]) if linked else ""
            group.links.append(RefLink(other_fw, other_code, title or "", linked, href))
    return out
