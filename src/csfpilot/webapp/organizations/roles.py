"""Roles a member holds in an organization, and what each role may do.

csfpilot keeps an organization's weaknesses, so every person works inside an
organization (a tenant) with one role there. The role decides the permissions;
nothing else does. This module is the single table of truth: views, API
endpoints and commands ask ``permissions.require()``, which reads it.

- **owner** runs the organization: members, settings, and everything below.
- **assessor** builds and edits profiles and assessments.
- **contributor** edits only the outcomes assigned to them (the outcome owner);
  a security lead hands one outcome to the person who runs that control. They
  upload evidence and link it to those outcomes; owners and assessors review it.
- **viewer** reads.
- **auditor** reads, and also sees the audit trail and takes exports: what an
  internal or external auditor needs, without the right to change anything.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ASSESSOR = "assessor", _("Assessor")
    CONTRIBUTOR = "contributor", _("Contributor")
    VIEWER = "viewer", _("Viewer")
    AUDITOR = "auditor", _("Auditor")


class Permission(StrEnum):
    """What a request wants to do inside one organization."""

    VIEW = "org.view"  # see the organization, its members and its profiles
    EDIT_SETTINGS = "org.settings"  # rename the organization
    MANAGE_MEMBERS = "org.members"  # add, re-role and remove members
    EDIT_PROFILES = "profiles.edit"  # create and edit profiles, any outcome
    EDIT_ASSIGNED_OUTCOMES = "outcomes.edit_assigned"  # edit outcomes one owns
    VIEW_AUDIT_TRAIL = "audit.view"
    EXPORT = "data.export"  # reports, spreadsheets, OSCAL
    ADD_EVIDENCE = "evidence.add"  # upload evidence and link it (contributors: own outcomes)
    REVIEW_EVIDENCE = "evidence.review"  # accept or reject evidence, ask for it


_READ = {Permission.VIEW}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.ASSESSOR: frozenset(
        _READ
        | {
            Permission.EDIT_PROFILES,
            Permission.EDIT_ASSIGNED_OUTCOMES,
            Permission.EXPORT,
            Permission.ADD_EVIDENCE,
            Permission.REVIEW_EVIDENCE,
        }
    ),
    Role.CONTRIBUTOR: frozenset(
        _READ | {Permission.EDIT_ASSIGNED_OUTCOMES, Permission.ADD_EVIDENCE}
    ),
    Role.VIEWER: frozenset(_READ),
    Role.AUDITOR: frozenset(_READ | {Permission.VIEW_AUDIT_TRAIL, Permission.EXPORT}),
}

# The order roles are listed in on pages: most powerful first.
ROLE_ORDER: tuple[Role, ...] = (
    Role.OWNER,
    Role.ASSESSOR,
    Role.AUDITOR,
    Role.CONTRIBUTOR,
    Role.VIEWER,
)


def permissions_of(role: Role | str) -> frozenset[Permission]:
    return ROLE_PERMISSIONS[Role(role)]


def role_within(candidate: Role | str, holder: Role | str) -> bool:
    """Whether ``candidate`` grants nothing that ``holder`` lacks.

    Roles are not a ladder (an auditor may export, an assessor may edit), so
    "no higher than" means a subset of permissions. It decides which roles a
    member may give an API token.
    """
    return permissions_of(candidate) <= permissions_of(holder)


def roles_within(holder: Role | str) -> list[Role]:
    return [role for role in ROLE_ORDER if role_within(role, holder)]
