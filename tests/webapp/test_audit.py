"""The audit trail: one event per change, in the change's transaction, chained by hash.

Runs on SQLite and PostgreSQL. The concurrency test (PostgreSQL only, where
writers really run in parallel) lets several threads with their own
connections append at once and checks the chain they leave.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection, connections, transaction

from csfpilot.core.errors import ConflictError
from csfpilot.webapp.accounts import services as tokens
from csfpilot.webapp.audit import chain
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.audit.queries import verify_chains, verify_organization
from csfpilot.webapp.organizations import services as orgs
from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import services
from csfpilot.webapp.profiles.conflicts import StaleEdit
from tests.webapp.profiles_world import World, make_user, world_fixture  # noqa: F401


def trail(org) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(organization=org).order_by("seq"))


# -- the chain, without a database -------------------------------------------------------


def _entry(seq: int, prev: str, **changes) -> tuple[int, dict, str]:
    fields = {
        "seq": seq,
        "prev_hash": prev,
        "at": chain.timestamp(datetime(2026, 1, seq, tzinfo=UTC)),
        "actor": {"kind": "user", "id": 7, "name": "ana@example.test"},
        "organization": "acme",
        "object": {"type": "outcome", "id": "12", "label": "GV.OC-01"},
        "action": "update",
        "changes": changes,
    }
    return seq * 10, fields, chain.entry_hash(fields)


def _chain(n: int) -> list[tuple[int, dict, str]]:
    out, prev = [], chain.GENESIS
    for seq in range(1, n + 1):
        entry = _entry(seq, prev, current=[None, f"level {seq}"])
        out.append(entry)
        prev = entry[2]
    return out


def test_the_hash_covers_every_recorded_field_and_canonical_json_is_stable():
    _, fields, digest = _entry(1, chain.GENESIS, notes=["", "Ünïcode ✓"])
    assert chain.canonical_json({"b": 1, "a": [1, "é"]}) == '{"a":[1,"é"],"b":1}'.encode()
    for key in chain.HASHED_FIELDS:
        changed = dict(fields)
        changed[key] = "something else"
        assert chain.entry_hash(changed) != digest, key
    reordered = dict(reversed(list(fields.items())))
    assert chain.entry_hash(reordered) == digest


def test_an_intact_chain_verifies_and_each_kind_of_damage_is_named():
    entries = _chain(5)
    verdict = chain.verify(entries)
    assert (verdict.ok, verdict.checked, verdict.head) == (True, 5, entries[-1][2])

    edited = [list(e) for e in entries]
    edited[2][1] = {**edited[2][1], "changes": {"current": [None, "fully"]}}
    broken = chain.verify(edited).broken
    assert (broken.seq, broken.entry_id) == (3, 30) and "hash mismatch" in broken.problem

    gap = entries[:1] + entries[2:]
    broken = chain.verify(gap).broken
    assert (broken.seq, broken.entry_id) == (3, 30)
    assert "missing entry: the sequence jumps from 1 to 3" in broken.problem

    swapped = [entries[0], entries[2], entries[1], *entries[3:]]
    swapped = [(i, {**f, "seq": n}, h) for n, (i, f, h) in enumerate(swapped, start=1)]
    broken = chain.verify(swapped).broken
    assert (broken.seq, broken.entry_id) == (2, 30) and "previous-hash mismatch" in broken.problem


KEY = b"k" * 32


def test_a_chain_rehashed_without_the_key_is_named_by_its_keyed_hash():
    keyed = [(i, f, h, chain.entry_mac(KEY, h)) for i, f, h in _chain(4)]
    verdict = chain.verify(keyed, KEY)
    assert (verdict.ok, verdict.checked) == (True, 4)
    # Someone edits entry 3 and recomputes every SHA-256 from there (no key).
    rebuilt = _chain(2)
    prev = rebuilt[-1][2]
    for seq in (3, 4):
        entry = _entry(seq, prev, current=[None, "fully"])
        rebuilt.append(entry)
        prev = entry[2]
    forged = [*keyed[:2], *((i, f, h, "0" * 64) for i, f, h in rebuilt[2:])]
    assert chain.verify([e[:3] for e in forged]).ok  # the plain chain holds...
    broken = chain.verify(forged, KEY).broken  # ...the keyed one does not
    assert (broken.seq, broken.entry_id) == (3, 30)
    assert broken.problem.startswith("keyed-hash mismatch")
    unkeyed = [*keyed[:3], (*keyed[3][:3], "")]
    assert chain.verify(unkeyed, KEY).broken.problem.startswith("keyed hash missing")
    # Another key does not verify either.
    assert not chain.verify(keyed, b"x" * 32).ok


# -- events recorded by the services -------------------------------------------------------


@pytest.mark.django_db
def test_an_outcome_save_records_who_when_what_and_the_field_level_difference(world: World):
    row = world.profile()
    outcome = m.ProfileOutcome.objects.get(profile=row, code="GV.OC-01")
    before = AuditEvent.objects.count()
    services.update_outcome(
        world.access("assessor"),
        row.pk,
        "GV.OC-01",
        {"current": "partially", "notes": "Mission statement approved"},
        expected_version=outcome.version,
    )
    assert AuditEvent.objects.count() == before + 1
    event = trail(world.org)[-1]
    assert (event.object_type, event.object_id, event.action) == (
        "outcome",
        str(outcome.pk),
        "update",
    )
    assert (event.actor_kind, event.actor_id, event.actor_name) == (
        "user",
        world.users["assessor"].pk,
        "assessor@acme.test",
    )
    assert event.object_label == "GV.OC-01 · Whole company"
    assert event.changes == {
        "current": [None, "partially"],
        "notes": ["", "Mission statement approved"],
    }
    assert event.at.utcoffset().total_seconds() == 0
    assert verify_organization(world.org).ok


@pytest.mark.django_db
def test_a_refused_change_leaves_no_event(world: World):
    row = world.profile()
    outcome = m.ProfileOutcome.objects.get(profile=row, code="GV.OC-01")
    services.update_outcome(
        world.access("owner"), row.pk, "GV.OC-01", {"notes": "x"}, expected_version=outcome.version
    )
    count = AuditEvent.objects.count()
    with pytest.raises(StaleEdit):
        services.update_outcome(
            world.access("assessor"),
            row.pk,
            "GV.OC-01",
            {"notes": "y"},
            expected_version=outcome.version,
        )
    with pytest.raises(ConflictError):
        services.create_profile(world.access("owner"), name="whole COMPANY")
    assert AuditEvent.objects.count() == count


@pytest.mark.django_db
def test_an_event_that_cannot_be_stored_undoes_the_change(world: World, monkeypatch):
    row = world.profile()
    outcome = m.ProfileOutcome.objects.get(profile=row, code="GV.OC-01")

    def refuse(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "append", refuse)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.update_outcome(
            world.access("owner"),
            row.pk,
            "GV.OC-01",
            {"notes": "never stored"},
            expected_version=outcome.version,
        )
    assert m.ProfileOutcome.objects.get(pk=outcome.pk).notes == ""


@pytest.mark.django_db
def test_recording_outside_a_transaction_is_refused(world: World):
    # Tests run inside a transaction, so the guard is checked on a fresh connection.
    with pytest.raises(RuntimeError, match="inside the transaction"):
        _outside_transaction(
            lambda: audit.append(
                world.org, audit.SYSTEM, object_type="x", object_id=1, action="update"
            )
        )


def _outside_transaction(fn):
    """Run ``fn`` on a thread with its own connection, in autocommit mode."""
    result: dict[str, BaseException | None] = {"error": None}

    def run():
        try:
            fn()
        except BaseException as exc:
            result["error"] = exc
        finally:
            connections.close_all()

    t = threading.Thread(target=run)
    t.start()
    t.join(60)
    if result["error"] is not None:
        raise result["error"]


@pytest.mark.django_db
def test_members_settings_and_tokens_are_recorded_without_the_secret(world: World):
    owner = world.access("owner")
    newcomer = make_user("new@acme.test")
    membership = orgs.add_member(owner, "new@acme.test", "viewer")
    orgs.change_role(owner, membership.pk, "assessor")
    orgs.rename_organization(owner, "Acme Corporation")
    token, secret = tokens.issue_token(newcomer, "acme", "viewer", "CI pipeline")
    orgs.remove_member(owner, membership.pk)  # ends the token too
    events = trail(world.org)[-6:]
    assert [(e.object_type, e.action, e.actor_kind) for e in events] == [
        ("membership", "create", "user"),
        ("membership", "update", "user"),
        ("organization", "update", "user"),
        ("api_token", "create", "user"),
        ("api_token", "revoke", "system"),
        ("membership", "delete", "user"),
    ]
    assert events[3].actor_name == "new@acme.test"
    everything = trail(world.org)
    assert everything[-1].changes == {"role": ["assessor", None], "user": ["new@acme.test", None]}
    rename = next(e for e in everything if e.object_type == "organization")
    assert rename.changes == {"name": ["Acme Corp", "Acme Corporation"]}
    created = next(e for e in everything if e.object_type == "api_token" and e.action == "create")
    assert created.changes["prefix"] == [None, token.prefix]
    assert created.changes["role"] == [None, "viewer"]
    text = str([e.changes for e in everything]) + str([e.object_label for e in everything])
    assert secret not in text and token.digest not in text
    assert verify_organization(world.org).ok


@pytest.mark.django_db
def test_a_new_organization_starts_its_own_chain(world: World):
    org = orgs.create_organization(world.users["viewer"], "Initech")
    events = trail(org)
    assert [(e.seq, e.object_type, e.action) for e in events] == [
        (1, "organization", "create"),
        (2, "membership", "create"),
    ]
    assert events[0].prev_hash == chain.GENESIS and events[1].prev_hash == events[0].hash
    assert events[1].changes == {"role": [None, "owner"], "user": [None, "viewer@acme.test"]}


@pytest.mark.django_db
def test_a_file_import_is_one_event_listing_what_it_changed(world: World):
    owner = world.access("owner")
    doc = (
        "format_version: 1\nframework: csf-2.0\nname: Plant 2\nscale: status\n"
        "outcomes:\n  GV.OC-01: {current: partially, target: fully}\n"
        "  PR.AA-03: {current: not, target: largely}\n"
        "actions:\n  - {id: A-001, title: MFA on jump hosts, outcomes: [PR.AA-03]}\n"
    )
    count = AuditEvent.objects.count()
    result = services.import_profile_file(owner, doc.encode(), filename="plant2.yaml")
    assert AuditEvent.objects.count() == count + 1
    event = trail(world.org)[-1]
    assert (event.object_type, event.action, event.object_id) == (
        "profile",
        "import",
        str(result.profile.pk),
    )
    assert event.changes["file"] == "plant2.yaml"
    listed = {(o["type"], o["id"]): o for o in event.changes["objects"]}
    assert listed[("outcome", "GV.OC-01")]["changes"]["current"] == [None, "partially"]
    assert listed[("action", "A-001")]["action"] == "create"
    assert event.changes["count"] == len(event.changes["objects"])

    replaced = (
        doc.replace("current: partially", "current: largely")
        .replace("  - {id: A-001, title: MFA on jump hosts, outcomes: [PR.AA-03]}\n", "  []\n")
        .replace("actions:\n  []", "actions: []")
    )
    services.import_profile_file(
        owner, replaced.encode(), filename="plant2-v2.yaml", replace_existing=True
    )
    event = trail(world.org)[-1]
    listed = {(o["type"], o["id"]): o for o in event.changes["objects"]}
    assert set(listed) == {("outcome", "GV.OC-01"), ("action", "A-001")}
    assert listed[("outcome", "GV.OC-01")]["changes"] == {"current": ["partially", "largely"]}
    assert listed[("action", "A-001")]["action"] == "delete"


@pytest.mark.django_db
def test_record_bulk_is_there_for_other_importers(world: World):
    owner = world.access("owner")
    with transaction.atomic():
        event = audit.record_bulk(
            owner,
            "profile",
            5,
            audit.Action.IMPORT,
            [audit.Item("outcome", "GV.OC-01", "update", "GV.OC-01", {"target": [None, "fully"]})],
            label="Plant 2",
            summary={"file": "plant2.xlsx", "format": "xlsx"},
        )
    assert event.changes == {
        "count": 1,
        "file": "plant2.xlsx",
        "format": "xlsx",
        "objects": [
            {
                "action": "update",
                "changes": {"target": [None, "fully"]},
                "id": "GV.OC-01",
                "label": "GV.OC-01",
                "type": "outcome",
            }
        ],
    }


# -- tampering with the stored trail ------------------------------------------------------


def _busy_org(world: World) -> list[AuditEvent]:
    row = world.profile()
    owner = world.access("owner")
    for i, code in enumerate(("GV.OC-01", "GV.OC-02", "GV.OC-03")):
        version = m.ProfileOutcome.objects.get(profile=row, code=code).version
        services.update_outcome(owner, row.pk, code, {"notes": f"n{i}"}, expected_version=version)
    return trail(world.org)


@pytest.mark.django_db
def test_editing_a_row_in_the_database_is_detected(world: World):
    events = _busy_org(world)
    victim = events[2]
    AuditEvent.objects.filter(pk=victim.pk).update(changes={"notes": ["", "forged"]})
    (slug, verdict), *_ = verify_chains("acme")
    assert slug == "acme" and not verdict.ok
    assert (verdict.broken.seq, verdict.broken.entry_id) == (victim.seq, victim.pk)
    assert "hash mismatch" in verdict.broken.problem
    assert verdict.checked == victim.seq - 1
    # Another organization's chain is untouched by it.
    assert verify_chains("globex")[0][1].ok


@pytest.mark.django_db
def test_deleting_a_row_is_detected(world: World):
    events = _busy_org(world)
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    verdict = verify_organization(world.org)
    assert (verdict.broken.seq, verdict.broken.entry_id) == (events[2].seq, events[2].pk)
    assert "missing entry" in verdict.broken.problem


@pytest.mark.django_db
def test_reordering_rows_is_detected(world: World):
    events = _busy_org(world)
    a, b = events[1], events[2]
    # Swap the two rows' places in the sequence (a temporary number dodges the unique key).
    AuditEvent.objects.filter(pk=a.pk).update(seq=10_000)
    AuditEvent.objects.filter(pk=b.pk).update(seq=a.seq)
    AuditEvent.objects.filter(pk=a.pk).update(seq=b.seq)
    verdict = verify_organization(world.org)
    assert (verdict.broken.seq, verdict.broken.entry_id) == (a.seq, b.pk)
    assert "previous-hash mismatch" in verdict.broken.problem


# -- concurrent writers (PostgreSQL) --------------------------------------------------------

if connection.vendor == "postgresql":

    @pytest.mark.django_db
    def test_concurrent_writers_leave_one_valid_chain():
        slug = f"audit-race-{uuid.uuid4().hex[:8]}"
        writers, rounds = 6, 5
        box: dict[str, object] = {}

        def setup():
            with transaction.atomic():
                org = Organization.objects.create(name="Race", slug=slug)
                box["org"] = org.pk

        _outside_transaction(setup)
        barrier = threading.Barrier(writers)
        errors: list[BaseException] = []

        def writer(n: int):
            try:
                org = Organization.objects.get(pk=box["org"])
                barrier.wait(30)
                for r in range(rounds):
                    with transaction.atomic():
                        audit.append(
                            org,
                            audit.SYSTEM,
                            object_type="test",
                            object_id=f"{n}-{r}",
                            action="update",
                        )
            except BaseException as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        try:
            assert errors == []
            result: dict[str, object] = {}

            def check():
                org = Organization.objects.get(pk=box["org"])
                result["verdict"] = verify_organization(org)
                result["ids"] = sorted(
                    AuditEvent.objects.filter(organization=org).values_list("object_id", flat=True)
                )

            _outside_transaction(check)
            verdict = result["verdict"]
            assert verdict.ok, verdict.broken
            assert verdict.checked == writers * rounds
            assert len(set(result["ids"])) == writers * rounds
        finally:

            def cleanup():
                with transaction.atomic():
                    Organization.objects.filter(pk=box["org"]).delete()

            _outside_transaction(cleanup)


@pytest.mark.django_db
def test_membership_rows_stay_consistent(world: World):
    # Removing a member of another tenant is as unknown as a made-up id, and records nothing.
    count = AuditEvent.objects.count()
    other = Membership.objects.get(organization=world.other)
    with pytest.raises(Membership.DoesNotExist):
        orgs.remove_member(world.access("owner"), other.pk)
    assert AuditEvent.objects.count() == count


@pytest.mark.django_db
def test_organization_settings_elsewhere_are_recorded_too(world: World):
    from csfpilot.webapp.organizations.sectors import Sector
    from csfpilot.webapp.reports.services import TemplateChange, delete_template, save_template
    from csfpilot.webapp.sectors.services import designate_profile, set_sector

    owner = world.access("owner")
    row = world.profile()
    sector = Sector.values[0]
    set_sector(owner, sector)
    designate_profile(owner, row.pk)
    save_template(owner, row.pk, TemplateChange(primary="#112233"))
    delete_template(owner)
    events = trail(world.org)[-4:]
    assert [(e.object_type, e.action) for e in events] == [
        ("organization", "update"),
        ("organization", "update"),
        ("report_template", "create"),
        ("report_template", "delete"),
    ]
    # Choosing a sector asks to take part: the steward's approval comes later.
    assert events[0].changes == {
        "sector": ["", sector],
        "benchmark_membership": [None, "requested"],
    }
    assert events[1].changes == {"benchmark_profile": [None, row.pk]}
    assert events[2].changes["primary"] == [None, "#112233"]
    assert events[3].changes["primary"] == ["#112233", None]
    assert verify_organization(world.org).ok


@pytest.mark.django_db
def test_an_excel_or_oscal_import_onto_a_profile_is_one_event(world: World):
    from csfpilot.webapp.profiles.exchange_formats import apply_exchange, export_exchange

    owner = world.access("owner")
    source, target = world.profile(name="Source"), world.profile(name="Target")
    version = m.ProfileOutcome.objects.get(profile=source, code="GV.OC-01").version
    services.update_outcome(
        owner, source.pk, "GV.OC-01", {"current": "largely"}, expected_version=version
    )
    workbook = export_exchange(owner, source.pk, "xlsx")
    count = AuditEvent.objects.count()
    stored = m.Profile.objects.get(pk=target.pk).version
    apply_exchange(owner, target.pk, workbook.data, filename="source.xlsx", expected_version=stored)
    assert AuditEvent.objects.count() == count + 1
    event = trail(world.org)[-1]
    assert (event.object_type, event.object_id, event.action) == (
        "profile",
        str(target.pk),
        "import",
    )
    assert event.changes["file"] == "source.xlsx"
    listed = {(o["type"], o["id"]): o["changes"] for o in event.changes["objects"]}
    assert listed[("outcome", "GV.OC-01")]["current"] == [None, "largely"]
