"""The command line acts as the instance's operator.

``csfpilot profile import/export/list`` run on the machine that holds the
database, by whoever may read and write its files — the person who installed
and runs the instance. They could change any row with ``csfpilot manage
dbshell`` anyway, so the command line does not pretend to sign in: it acts
with an organization owner's permissions, as nobody in particular. Changes it
makes are recorded without a user ("the instance's operator"), and contributor
limits do not apply to it.

The web pages and the REST API never use this: they go through
``permissions.require`` with the signed-in person or their API token.
"""

from __future__ import annotations

from csfpilot.core.errors import NotFound
from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Role, permissions_of


def operator_access(org_slug: str) -> Access:
    """Owner-level access to ``org_slug`` for the instance's operator (the CLI)."""
    org = Organization.objects.filter(slug=(org_slug or "").strip().lower()).first()
    if org is None:
        known = ", ".join(Organization.objects.order_by("slug").values_list("slug", flat=True))
        raise NotFound(f"no organization {org_slug!r} (organizations: {known or 'none yet'})")
    # An unsaved membership without a user: the operator is not a member of anything.
    membership = Membership(organization=org, role=Role.OWNER)
    return Access(org, membership, permissions_of(Role.OWNER))
