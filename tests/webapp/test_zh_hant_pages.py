"""Every page of the web app in Traditional Chinese, with no UI string left in English.

The pages are found by walking the URL configuration (the same walk as the
authorization grid, tests/security/test_authz_grid.py, whose table gives each
route's address) and rendered for the owner of an organization with the demo's
data: a year of profile history, an action plan, a Community Profile, jobs, API
tokens and an audit trail. Each page is read as a person perceives it
(tests/webapp/visible_text.py) and every run of English words is reported with the
page and the text it is in. NIST's own text, what people typed and ids are marked
in the templates (``lang="en"``, ``translate="no"``) and not reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from csfpilot.webapp.accounts.services import issue_token
from csfpilot.webapp.catalog.models import Framework, MappingDataset, Node
from csfpilot.webapp.demo import ensure_demo
from csfpilot.webapp.evidence.models import ScanImport
from csfpilot.webapp.organizations.models import Membership
from csfpilot.webapp.profiles import models as pm
from tests.security.test_authz_grid import ENDPOINTS, PROFILE_FILE, routed_keys
from tests.webapp.profiles_world import make_user
from tests.webapp.visible_text import english_runs, visible_texts

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hant"}

# Routes whose GET answer is not a page of the web app (files, probes) or that only
# redirect; their GET entries in the grid are still requested, and anything HTML they
# answer is read like every other page.
NOT_PAGES = frozenset(
    {
        "view:site:healthz",
        "view:site:readyz",
        "view:catalog:framework_download",
        "view:catalog:crosswalk_download",
        "view:profiles:export",
        "view:profiles:snapshot_export",
        "view:profiles:exchange_export",
        "view:audit:export_csv",
        "view:audit:export_json",
        "view:evidence:download",
        "view:packages:download",
        "view:mapping:export",
        "view:suppliers:export_csv",
        "view:suppliers:workbook",
    }
)


@dataclass
class DemoWorld:
    org: str
    ids: dict[str, object]
    owner: object


def build_demo_world() -> DemoWorld:
    from csfpilot.formats.detect import read_framework_file
    from csfpilot.webapp.catalog.services import load_bundle
    from tests.foreign_core import foreign_library

    """The demo organization as ``csfpilot serve`` creates it, plus what its owner does
    in a first week: a colleague invited, an API token, a profile import run as a job."""
    org = ensure_demo()
    assert org is not None
    owner = org.memberships.get().user
    colleague = Membership.objects.create(
        user=make_user("colleague@example.com"), organization=org, role="assessor"
    )
    profile = pm.Profile.objects.get(organization=org, kind="organizational")
    community = pm.Profile.objects.get(organization=org, kind="community")
    snapshot = pm.Snapshot.objects.filter(profile=profile).order_by("pk").first()
    token = issue_token(owner, org.slug, "viewer", "ci")[0]
    client = Client(**ZH)
    client.force_login(owner)
    upload = SimpleUploadedFile("p.yaml", PROFILE_FILE, content_type="application/yaml")
    response = client.post(f"/orgs/{org.slug}/jobs/import/", {"file": upload})
    assert response.status_code == 302, response.status_code
    item, req = _evidence(org, owner, profile)
    # Translations that came with another tool's copy of the Core: NIST's element pages then
    # show one in place of the English, list the others, and say whose they are.
    load_bundle(
        read_framework_file(foreign_library(faithful=True, translated=True), name="vendor.yaml")
    )
    project, pair = _mapping(org, owner)
    supplier_ids, guest_token = _suppliers(org, owner, community)
    # The owner also stewards two sectors: an empty one and the demo's, with its peers.
    from csfpilot.webapp.sectors import stewardship

    for sector in ("energy", "critical-manufacturing"):
        stewardship.appoint(sector, owner.email)
    ids = {
        **supplier_ids,
        "item": item,
        "req": req,
        "request": req,
        # The demo's scanner import.
        "scan": ScanImport.objects.filter(organization=org).values_list("pk", flat=True)[0],
        "org": org.slug,
        "profile": profile.pk,
        "community": community.pk,
        "snapshot": snapshot.pk,
        "member": colleague.pk,
        "token": token.pk,
        "key": "csf-2.0",
        "dataset": MappingDataset.objects.order_by("key").values_list("key", flat=True)[0],
        "project": project,
        "pair": pair,
    }
    ids["guest_token"] = guest_token
    return DemoWorld(org.slug, ids, owner)


def _mapping(org, owner) -> tuple[int, int]:
    """A crosswalk review of CSF 1.1 onto CSF 2.0: one pair accepted, one changed, one
    rejected (its proposals given, so that no text model is needed here)."""
    from csfpilot.webapp.mapping import engine
    from csfpilot.webapp.mapping import models as mm
    from csfpilot.webapp.mapping import services as mapping
    from csfpilot.webapp.organizations.permissions import require
    from csfpilot.webapp.organizations.roles import Permission

    access = require(owner, org.slug, Permission.VIEW)
    project = mapping.create_project(access, name="CSF 1.1 review", source_key="csf-1.1")
    reasons = (("terms", "shared terms: asset, inventory"), ("crosswalk-path", "via SP 800-53"))
    mapping.store_proposals(
        access,
        project,
        [
            engine.Proposal(
                code,
                (
                    engine.Candidate("ID.AM-01", 0.9, reasons),
                    engine.Candidate("ID.AM-02", 0.6, ()),
                ),
            )
            for code in ("ID.AM-1", "ID.AM-2", "ID.AM-3")
        ],
    )
    pairs = mm.Pair.objects.filter(project=project, rank=1).order_by("requirement__order")
    first, second, third = pairs[:3]
    mapping.review(access, project.pk, first.pk, mapping.Decision("accept"), version=None)
    change = mapping.Decision("change", "subset_of", "ID.AM-03", "flows")
    mapping.review(access, project.pk, second.pk, change, version=None)
    mapping.review(access, project.pk, third.pk, mapping.Decision("reject"), version=None)
    return project.pk, first.pk


def _suppliers(org, owner, community) -> tuple[dict[str, int], str]:
    """A supplier held to the Community Profile, whose contact answered in Chinese, and a
    second one whose questionnaire is open with a guest link."""
    from datetime import timedelta

    from django.utils import timezone

    from csfpilot.webapp.organizations.permissions import require
    from csfpilot.webapp.organizations.roles import Permission
    from csfpilot.webapp.suppliers import guest
    from csfpilot.webapp.suppliers import services as suppliers
    from tests.webapp.suppliers_world import last_code, make_supplier

    access = require(owner, org.slug, Permission.VIEW)
    answered = make_supplier(access, language="zh-hant")
    q = suppliers.send_questionnaire(
        access, answered.pk, due=timezone.localdate() + timedelta(days=10)
    )
    _link, token = guest.issue_link(access, q.pk, "lin@cloudy.test")
    guest.send_code(token)
    proof = guest.verify_code(token, last_code("lin@cloudy.test"))
    for item in q.items.all():
        guest.save_answer(token, proof, item.code, answer="partially", comment="說明")
    guest.submit(token, proof)
    remediation = suppliers.request_remediation(
        access, answered.pk, request="補上合約條款", due=timezone.localdate(), code="GV.SC-05"
    )
    pending = make_supplier(access, name="Open vendor", requirement_profile_id=community.pk)
    open_q = suppliers.send_questionnaire(
        access, pending.pk, due=timezone.localdate() + timedelta(days=10)
    )
    link, open_token = guest.issue_link(access, open_q.pk, "ops@open.test")
    # A customer's questionnaire received as a package (the organization's own, signed by its
    # own key), answered from the organization's profile: the supplier's side of the exchange.
    from csfpilot.webapp.profiles.models import Profile
    from csfpilot.webapp.suppliers import exchange, received

    package = exchange.questionnaire_package(access, open_q.pk)
    row = received.receive(access, package.data)[0]
    own = Profile.objects.filter(organization=org, kind="organizational").order_by("pk").first()
    received.use_profile(access, row.pk, own.pk)
    ids = {
        "supplier": answered.pk,
        "questionnaire": q.pk,
        "guestlink": link.pk,
        "remediation": remediation.pk,
        "received": row.pk,
    }
    return ids, open_token


def _evidence(org, owner, profile) -> tuple[int, int]:
    """An expiring file item linked to an outcome and reviewed, and an open request."""
    from datetime import timedelta

    from django.utils import timezone

    from csfpilot.webapp.evidence import blobs
    from csfpilot.webapp.evidence import services as evidence
    from csfpilot.webapp.organizations.permissions import require
    from csfpilot.webapp.organizations.roles import Permission

    access = require(owner, org.slug, Permission.VIEW)
    spooled = blobs.spool([b"date,event\n2026-01-01,ok\n"], filename="log.csv", organization=org)
    item = evidence.add_item(
        access,
        evidence.ItemFields(
            title="Backup log",
            kind="record",
            owner_id=owner.pk,
            valid_until=timezone.localdate() + timedelta(days=10),
            review_interval_days=30,
        ),
        evidence.Content(spooled=spooled, filename="log.csv", note="export"),
    )
    link = evidence.link(access, item.pk, profile.pk, "GV.OC-01", statement="daily backups")
    evidence.review(access, link.pk, "insufficient", "older than the policy asks")
    req = evidence.ask(
        access,
        profile.pk,
        ["GV.OC-01"],
        assignee_id=owner.pk,
        due=timezone.localdate() - timedelta(days=1),
        note="the newest export",
    )
    return item.pk, req.pk


def grid_pages(world: DemoWorld) -> Iterator[tuple[str, str]]:
    """(route key, address) of every GET route of the grid that is a page."""
    for e in ENDPOINTS:
        if e.is_api or e.method != "GET" or e.key in NOT_PAGES:
            continue
        yield e.key, e.url.format(**world.ids)


def more_pages(world: DemoWorld) -> Iterator[tuple[str, str]]:
    """Each framework, crosswalk and kind of element, a job, and the empty states."""
    from csfpilot.webapp.jobs.models import Job

    for key in Framework.objects.order_by("key").values_list("key", flat=True):
        yield "view:catalog:framework", f"/frameworks/{key}/"
        # Without order_by(), DISTINCT would also take Node's default ordering: one row per
        # element instead of one per level.
        levels = (
            Node.objects.filter(framework__key=key)
            .order_by("level")
            .values_list("level", flat=True)
            .distinct()
        )
        for level in levels:
            code = (
                Node.objects.filter(framework__key=key, level=level)
                .order_by("order")
                .values_list("code", flat=True)[0]
            )
            yield "view:catalog:node", f"/frameworks/{key}/{code}"
        withdrawn = (
            Node.objects.filter(framework__key=key, withdrawn=True)
            .values_list("code", flat=True)
            .first()
        )
        if withdrawn:
            yield "view:catalog:node", f"/frameworks/{key}/{withdrawn}"
    for key in MappingDataset.objects.order_by("key").values_list("key", flat=True):
        yield "view:catalog:crosswalk", f"/crosswalks/{key}/"
    yield "view:catalog:search", "/search?q=nothing-matches-this"
    yield "view:catalog:search", "/search"
    job = Job.objects.filter(organization__slug=world.org).order_by("pk").first()
    yield "view:jobs:detail", f"/orgs/{world.org}/jobs/{job.pk}/"
    community = world.ids["community"]
    yield "view:profiles:overview", f"/orgs/{world.org}/profiles/{community}/"
    yield "view:profiles:dashboard", f"/orgs/{world.org}/profiles/{community}/dashboard/"
    for form in ("link", "attestation"):
        yield "view:evidence:add", f"/orgs/{world.org}/evidence/new/?form={form}"
    yield "view:evidence:library", f"/orgs/{world.org}/evidence/?tab=retired"
    yield "view:evidence:requests", f"/orgs/{world.org}/evidence/requests/?state=all"
    yield "view:evidence:due", f"/orgs/{world.org}/evidence/due/?days=90"
    project = world.ids["project"]
    yield "view:mapping:project", f"/orgs/{world.org}/crosswalks/{project}/?show=rejected"
    yield "view:mapping:bulk", f"/orgs/{world.org}/crosswalks/{project}/bulk/?threshold=0.99"
    org = world.org
    yield (
        "view:suppliers:questionnaire",
        f"/orgs/{org}/questionnaires/{world.ids['questionnaire']}/",
    )
    yield "view:suppliers:list", f"/orgs/{org}/suppliers/?tier=critical"
    yield "view:suppliers:guest", f"/guest/q/{world.ids['guest_token']}/?lang=zh-hant"
    yield "view:suppliers:guest", f"/guest/q/{world.ids['guest_token']}/?sent=1&lang=zh-hant"
    yield "view:sectors:members", "/sectors/critical-manufacturing/members/"
    yield "view:sectors:members", "/sectors/critical-manufacturing/members/?status=approved"
    yield "not found", "/no-such-page/"
    yield "not found", "/frameworks/no-such-framework/"


# Forms sent back with a mistake: the error messages are UI strings too.
BAD_FORMS = [
    ("view:organizations:create", "/orgs/new/", {"name": ""}),
    ("view:profiles:create", "/orgs/{org}/profiles/new/", {"name": "", "scale": "nope"}),
    ("view:accounts:tokens", "/accounts/tokens/", {"name": "", "days": "0"}),
    ("view:profiles:import", "/orgs/{org}/profiles/import/", {}),
    ("view:evidence:add_file", "/orgs/{org}/evidence/new/file/", {"file-title": ""}),
    ("view:evidence:request_new", "/orgs/{org}/evidence/requests/new/", {"outcomes": ""}),
    ("view:mapping:project_new", "/orgs/{org}/crosswalks/new/", {"name": "", "top": "0"}),
    ("view:suppliers:create", "/orgs/{org}/suppliers/new/", {"name": "", "contacts": "x"}),
    (
        "view:suppliers:workbook_import",
        "/orgs/{org}/questionnaires/{questionnaire}/workbook/import/",
        {},
    ),
]


# Pages that still show English UI text, to be translated: each is checked like any
# other and this test fails once one of them is clean, so that it leaves this list.
NOT_YET_CLEAN: frozenset[str] = frozenset()


def page_pattern(url: str, world: DemoWorld) -> str:
    return url.replace(f"/orgs/{world.org}/", "/orgs/{org}/").replace(
        f"/profiles/{world.ids['profile']}/", "/profiles/{profile}/"
    )


# Search examples: NIST's text is English, so the words one searches it with are too.
SEARCH_EXAMPLES = frozenset({"incident", "supply chain"})


def untranslated(html: str) -> list[str]:
    return [
        f"{run!r} in <{t.where}> {t.text[:160]!r}"
        for t in visible_texts(html)
        for run in english_runs(t.text)
        if not (t.where == "input@placeholder" and run in SEARCH_EXAMPLES)
    ]


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker) -> Iterator[DemoWorld]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo_world()
        transaction.set_rollback(True)


def test_every_page_route_is_rendered():
    """A new page route of the URL configuration is in the grid's table, and so here."""
    pages = {k for k in routed_keys() if k.startswith("view:")}
    gets = {e.key for e in ENDPOINTS if e.method == "GET"}
    posts_only = {e.key for e in ENDPOINTS if e.method != "GET"} - gets
    assert pages - gets - posts_only - NOT_PAGES == set()


def part_of(url: str) -> str:
    """The catalog pages and the organization's pages run as separate tests (in parallel
    under pytest-xdist); each renders the same world."""
    return "catalog" if url.startswith(("/frameworks/", "/crosswalks/", "/search")) else "app"


@pytest.mark.django_db
@pytest.mark.parametrize("part", ["catalog", "app"])
def test_no_page_shows_an_untranslated_ui_string(demo_world: DemoWorld, part: str):
    from csfpilot.webapp.organizations import creators

    creators.allow(demo_world.owner)  # the organization form, too (CSFPILOT_ORG_CREATORS)
    client = Client(**ZH)
    client.force_login(demo_world.owner)
    problems: dict[str, list[str]] = {}
    rendered = 0
    requests = [*grid_pages(demo_world), *more_pages(demo_world)]
    for key, url in requests:
        if part_of(url) != part:
            continue
        cache.clear()
        with transaction.atomic():
            response = client.get(url)
            transaction.set_rollback(True)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        rendered += 1
        found = untranslated(response.content.decode())
        pattern = page_pattern(url, demo_world)
        if pattern in NOT_YET_CLEAN:
            if not found:
                problems[f"GET {url} ({key})"] = ["clean now: remove it from NOT_YET_CLEAN"]
        elif found:
            problems[f"GET {url} ({key})"] = found
    for key, url, data in BAD_FORMS if part == "app" else []:
        url = url.format(**demo_world.ids)
        with transaction.atomic():
            response = client.post(url, data)
            transaction.set_rollback(True)
        assert response.status_code in (200, 400), (url, response.status_code)
        rendered += 1
        found = untranslated(response.content.decode())
        if found:
            problems[f"POST {url} ({key}, with mistakes)"] = found
    assert rendered > 30
    listed = "\n".join(
        f"{page}:\n" + "\n".join(f"    {p}" for p in dict.fromkeys(found))
        for page, found in problems.items()
    )
    assert not problems, f"English left on {len(problems)} zh-Hant pages:\n{listed}"


def test_the_check_fails_on_an_english_ui_string_and_names_it():
    page = (
        '<html lang="zh-Hant-TW"><body><h1>設定檔</h1><p>Draft saved</p>'
        '<p lang="en">The organizational mission is understood</p>'
        '<td translate="no">Whole company</td></body></html>'
    )
    assert untranslated(page) == ["'Draft saved' in <p> 'Draft saved'"]
