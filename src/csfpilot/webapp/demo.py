"""The demo account and organization that ``csfpilot serve`` creates for a first look.

The demo password is printed by ``csfpilot serve`` and written in the docs, so
the account is for local evaluation only: it is created only while the database
has no other account, never in production (``CSFPILOT_ENV=production``), and
an instance reachable by others should be started with ``csfpilot serve
--no-demo`` (or the demo account deleted).

The demo organization comes with profiles so that every screen has something
to show: a mid-size manufacturer's Current and Target Profile over all 106
CSF 2.0 outcomes with a year of quarterly snapshots and an action plan, and
the sector Community Profile its targets came from
(:mod:`csfpilot.webapp.profiles.demo_content`). It belongs to the critical
manufacturing sector beside a few generated peer organizations, so that the
sector benchmark has numbers to show (:mod:`csfpilot.webapp.sectors.demo_peers`).
Its evidence library shows every evidence state (:mod:`csfpilot.webapp.evidence.demo`).
"""

from __future__ import annotations

from typing import Any

DEMO_LOGIN = ("demo@example.com", "csf-demo-2-pilot")
DEMO_ORGANIZATION = ("Example Manufacturing Co.", "example-manufacturing")


class DemoRefused(Exception):
    """The demo account was asked for on a production instance."""


PRODUCTION_REFUSAL = (
    "The demo account's password is published, so it is never created with "
    "CSFPILOT_ENV=production: start with --no-demo."
)


def ensure_demo() -> Any:
    """Create the demo user and organization once; return the demo organization.

    Safe to call at every start: it changes nothing that exists, never resets a
    changed demo password, and does nothing (returns None) on an instance where
    real accounts exist but the demo account does not. The demo profiles are
    added only while the demo organization has no profile at all; once it has
    any, its profiles are left exactly as people changed them.

    Raises :class:`DemoRefused` on a production instance (``CSFPILOT_ENV=production``).
    """
    from django.conf import settings

    if settings.CSFPILOT_ENV == "production":
        raise DemoRefused(PRODUCTION_REFUSAL)
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from csfpilot.webapp.evidence.demo import seed as seed_evidence
    from csfpilot.webapp.organizations.models import Membership, Organization
    from csfpilot.webapp.organizations.permissions import require
    from csfpilot.webapp.organizations.roles import Permission, Role
    from csfpilot.webapp.profiles.demo_content import seed as seed_profiles
    from csfpilot.webapp.profiles.models import Profile
    from csfpilot.webapp.sectors.demo_peers import ensure_peers

    users = get_user_model()
    email, password = DEMO_LOGIN
    name, slug = DEMO_ORGANIZATION
    with transaction.atomic():
        user = users.objects.filter(email__iexact=email).first()
        if user is None:
            if users.objects.exists():
                return None
            user = users(username="demo", email=email, first_name="Demo", last_name="User")
            user.set_password(password)
            user.save()
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        org, _ = Organization.objects.get_or_create(slug=slug, defaults={"name": name})
        Membership.objects.get_or_create(user=user, organization=org, defaults={"role": Role.OWNER})
        if not Profile.objects.filter(organization=org).exists():
            access = require(user, slug, Permission.VIEW)
            if access.can(Permission.EDIT_PROFILES):
                today = timezone.now().date()
                seed_profiles(access, today)
                company = (
                    Profile.objects.filter(organization=org, kind="organizational")
                    .order_by("id")
                    .first()
                )
                if company is not None:
                    seed_evidence(access, today, company)
                ensure_peers(org)
    return org
