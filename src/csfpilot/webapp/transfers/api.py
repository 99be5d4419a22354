"""The transfer API: preview a profile's results on another framework, then apply them.

Annotations are evaluated here, not postponed: django-ninja reads them through the
error-mapping wrapper, whose globals are another module's.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from csfpilot.formats.native.transfer_summary import transfer_summary
from csfpilot.webapp.accounts.api_auth import api_auth
from csfpilot.webapp.organizations.permissions import needs, require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import queries as profile_queries
from csfpilot.webapp.profiles import schemas as ps
from csfpilot.webapp.profiles.api import ANSWERS, answers
from csfpilot.webapp.transfers import schemas as s
from csfpilot.webapp.transfers import services

router = Router(tags=["transfers"], auth=api_auth)

BASE = "/organizations/{slug}/profiles/{int:profile_id}/transfer"


def _key(level: Any) -> Any:
    return None if level is None else level.key


@router.post(
    BASE + "/preview",
    response={200: s.TransferOut, **ANSWERS},
    summary="Preview a profile's results transferred to another framework",
    openapi_extra=needs(Permission.VIEW),
)
@answers
def preview(request: HttpRequest, slug: str, profile_id: int, payload: s.TransferIn) -> Any:
    access = require(request, slug, Permission.VIEW)
    p = services.preview(
        access, profile_id, to=payload.to, via=payload.via, rule=payload.rule, onto_id=payload.onto
    )
    body = transfer_summary(p.transfer)
    for row in body["outcomes"]:
        found = p.existing.get(row["id"])
        if found is not None:
            row["existing"] = {
                "current": _key(found.current),
                "target": _key(found.target),
                "version": found.version,
            }
        row["replaces"] = p.replaces(row["id"])
    return 200, body


@router.post(
    BASE + "/apply",
    response={201: ps.ProfileOut, 200: ps.ProfileOut, **ANSWERS},
    summary="Write a transfer's accepted values into a new draft or an existing profile",
    openapi_extra=needs(Permission.EDIT_PROFILES),
)
@answers
def apply(request: HttpRequest, slug: str, profile_id: int, payload: s.TransferApplyIn) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    choices = (
        None
        if payload.choices is None
        else {code: c.model_dump() for code, c in payload.choices.items()}
    )
    row = services.apply(
        access,
        profile_id,
        to=payload.to,
        via=payload.via,
        rule=payload.rule,
        onto_id=payload.onto,
        name=payload.name,
        choices=choices,
        versions=payload.versions,
        replace_existing=payload.replace_existing,
    )
    status = 200 if payload.onto is not None else 201
    return status, ps.profile_out(profile_queries.profile(access, row.pk))
