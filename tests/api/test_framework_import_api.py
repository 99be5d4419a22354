"""The operator's framework and crosswalk import over the API: preview, apply, refusals,
who may, the size limit and the audit chain."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from csfpilot.webapp.accounts.services import issue_token
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.catalog import models as m
from csfpilot.webapp.organizations.services import create_organization

pytestmark = pytest.mark.django_db
FRAMEWORKS = "/api/instance/frameworks/import"
CROSSWALKS = "/api/instance/crosswalks/import"
CROSSWALK = (
    b"Source framework,Source ID,Relationship,Target framework,Target ID,Comment\r\n"
    b"csf-2.0,GV.OC-01,subset of,sp800-53r5,PM-11,mission first\r\n"
    b"csf-2.0,PR.AA-05,related to,sp800-53r5,AC-3,\r\n"
)
# A framework of an organization's own, in the CSV layout csfpilot reads.
OWN_FRAMEWORK = (
    b"ID,Parent,Title,Text\r\n"
    b"POL,,Policies,\r\n"
    b"POL-1,POL,Policy set,An information security policy set is approved.\r\n"
    b"POL-2,POL,Review,Policies are reviewed every year.\r\n"
)


def _user(email: str, *, operator: bool = False):
    users = get_user_model().objects
    make = users.create_superuser if operator else users.create_user
    return make(email, email, "x" * 16)


@pytest.fixture
def operator() -> Client:
    client = Client()
    client.force_login(_user("op@example.org", operator=True))
    return client


def send(client: Client, url: str, content: bytes, name: str, **fields: object):
    upload = SimpleUploadedFile(name, content)
    return client.post(url, {"file": upload, **fields}, **_headers(client))


def _headers(client: Client) -> dict:
    return getattr(client, "auth_headers", {})


def test_a_preview_lists_what_would_be_loaded_and_stores_nothing(operator):
    response = send(operator, CROSSWALKS, CROSSWALK, "mine.csv", publisher="Our team")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["applied"] is False
    assert body["created"] == ["mine"]
    assert body["items"] == [
        {
            "kind": "crosswalk",
            "key": "mine",
            "name": body["items"][0]["name"],
            "count": 2,
            "source": "csf-2.0",
            "target": "sp800-53r5",
        }
    ]
    assert not m.MappingDataset.objects.filter(key="mine").exists()
    assert not AuditEvent.objects.filter(organization__isnull=True, action="import").exists()


def test_apply_stores_the_crosswalk_as_a_named_dataset_and_records_it(operator):
    fields = {"publisher": "Our team", "reviewed_by": "Ana Lee", "terms": "Internal use"}
    response = send(operator, CROSSWALKS, CROSSWALK, "mine.csv", apply="true", **fields)
    assert response.status_code == 201, response.content
    assert response.json()["applied"] is True
    ds = m.MappingDataset.objects.get(key="mine")
    assert (ds.publisher, ds.reviewed_by, ds.terms, ds.row_count) == (
        "Our team",
        "Ana Lee",
        "Internal use",
        2,
    )
    assert sorted(ds.rows.values_list("source__code", "target__code", "relationship")) == [
        ("GV.OC-01", "PM-11", "subset_of"),
        ("PR.AA-05", "AC-3", "related_to"),
    ]
    event = AuditEvent.objects.filter(organization__isnull=True, action="import").get()
    assert (event.object_type, event.object_label, event.actor_name) == (
        "framework-import",
        "mine.csv",
        "op@example.org",
    )
    # The same file again: nothing new, said so.
    again = send(operator, CROSSWALKS, CROSSWALK, "mine.csv", apply="true", **fields)
    assert again.status_code == 200
    assert (again.json()["created"], again.json()["unchanged"]) == ([], ["mine"])


def test_a_crosswalk_naming_a_framework_that_is_not_loaded_is_refused_by_name(operator):
    bad = CROSSWALK.replace(b"sp800-53r5,AC-3", b"nist-800-171r3,3.1.1")
    for apply in ("false", "true"):
        response = send(operator, CROSSWALKS, bad, "mixed.csv", apply=apply)
        assert response.status_code == 400, response.content
        assert response["Content-Type"] == "application/problem+json"
        body = response.json()
        assert "nist-800-171r3" in body["detail"]
        assert body["errors"][0]["file"] == "mixed.csv"
    assert not m.MappingDataset.objects.filter(key__startswith="mixed").exists()


def test_errors_name_the_row_and_column(operator):
    bad = CROSSWALK.replace(b"subset of", b"kind of like")
    response = send(operator, CROSSWALKS, bad, "rel.csv", apply="true")
    assert response.status_code == 400
    where = response.json()["errors"][0]
    assert where["file"] == "rel.csv"
    assert (where["row"] or where["line"]) == 2
    assert "kind of like" in response.json()["detail"]
    assert m.MappingDataset.objects.filter(key="rel").count() == 0


def test_a_framework_file_is_not_taken_as_a_crosswalk(operator):
    response = send(operator, CROSSWALKS, OWN_FRAMEWORK, "policies.csv", apply="true")
    assert response.status_code == 400
    assert "holds a framework" in response.json()["detail"]
    assert not m.Framework.objects.filter(key="policies").exists()


def test_a_framework_is_previewed_then_loaded(operator):
    preview = send(operator, FRAMEWORKS, OWN_FRAMEWORK, "policies.csv", key="our-policies")
    assert preview.status_code == 200, preview.content
    items = preview.json()["items"]
    assert [(i["kind"], i["key"], i["count"]) for i in items] == [("framework", "our-policies", 3)]
    assert not m.Framework.objects.filter(key="our-policies").exists()
    done = send(operator, FRAMEWORKS, OWN_FRAMEWORK, "policies.csv", key="our-policies", apply=1)
    assert done.status_code == 201
    fw = m.Framework.objects.get(key="our-policies")
    assert fw.node_count == 3
    assert list(fw.nodes.order_by("order").values_list("code", flat=True)) == [
        "POL",
        "POL-1",
        "POL-2",
    ]


def test_a_reserved_key_is_refused_for_a_file_that_is_not_nists(operator):
    response = send(operator, FRAMEWORKS, OWN_FRAMEWORK, "p.csv", key="csf-2.1", apply="true")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "key"
    assert not m.Framework.objects.filter(key="csf-2.1").exists()


def test_an_unknown_core_copy_choice_is_refused(operator):
    response = send(operator, FRAMEWORKS, OWN_FRAMEWORK, "p.csv", core_copy="merge")
    assert response.status_code == 400
    assert "merge" in response.json()["detail"]


@override_settings(CSFPILOT_MAX_REQUEST_BYTES=1024)
def test_a_file_over_the_limit_is_refused_before_it_is_read(operator):
    big = CROSSWALK + b"csf-2.0,GV.OC-02,related to,sp800-53r5,PM-9,\r\n" * 40
    response = send(operator, CROSSWALKS, big, "big.csv", apply="true")
    # The server refuses a request body over its own limit before any view runs.
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert not m.MappingDataset.objects.filter(key="big").exists()


def test_only_the_operator_may_import_with_a_session_or_a_token():
    member = _user("owner@example.org")
    create_organization(member, "Acme", "acme")
    client = Client()
    client.force_login(member)
    for url in (FRAMEWORKS, CROSSWALKS):
        refused = send(client, url, CROSSWALK, "mine.csv", apply="true")
        assert refused.status_code == 403
        assert refused["Content-Type"] == "application/problem+json"
    anonymous = send(Client(), CROSSWALKS, CROSSWALK, "mine.csv", apply="true")
    assert anonymous.status_code == 401
    # An owner's token of an account that is not the operator's.
    _, secret = issue_token(member, "acme", "owner", "ci")
    bearer = Client()
    bearer.auth_headers = {"headers": {"Authorization": f"Bearer {secret}"}}
    assert send(bearer, CROSSWALKS, CROSSWALK, "mine.csv", apply="true").status_code == 403
    assert not m.MappingDataset.objects.filter(key="mine").exists()


def test_the_operators_token_with_the_owner_role_may_import():
    op = _user("op@example.org", operator=True)
    create_organization(op, "Instance", "instance")
    _, viewer = issue_token(op, "instance", "viewer", "read only")
    _, owner = issue_token(op, "instance", "owner", "imports")
    as_viewer, as_owner = Client(), Client()
    as_viewer.auth_headers = {"headers": {"Authorization": f"Bearer {viewer}"}}
    as_owner.auth_headers = {"headers": {"Authorization": f"Bearer {owner}"}}
    # A token limited to viewing does not import, even the operator's.
    assert send(as_viewer, CROSSWALKS, CROSSWALK, "mine.csv", apply="true").status_code == 403
    done = send(as_owner, CROSSWALKS, CROSSWALK, "mine.csv", apply="true")
    assert done.status_code == 201, done.content
    assert m.MappingDataset.objects.filter(key="mine").exists()


# --- NIST's newer official files and other tools' copies, through the API -------------------


def test_sp800_53_release_5_2_0_loads_and_links_the_rows_that_name_its_controls(operator):
    from tests.sp800_53_release import SA_24_FROM_CSF, release_5_2_0_catalog

    data = release_5_2_0_catalog()
    preview = send(operator, FRAMEWORKS, data, "sp800-53-5.2.0.json", version="5.2.0")
    assert preview.status_code == 200, preview.content
    assert [(i["kind"], i["key"]) for i in preview.json()["items"]] == [
        ("framework", "sp800-53r5.2.0")
    ]
    assert not m.Framework.objects.filter(key="sp800-53r5.2.0").exists()
    done = send(operator, FRAMEWORKS, data, "sp800-53-5.2.0.json", version="5.2.0", apply="true")
    assert done.status_code == 201
    rows = m.Mapping.objects.filter(dataset__key="olir-sp800-53r5-5.2.0", target_code="SA-24")
    assert sorted(r.source_code for r in rows) == sorted(SA_24_FROM_CSF)
    assert {r.target.framework.key for r in rows} == {"sp800-53r5.2.0"}
    # The same file again, its release read from its metadata: nothing new.
    again = send(operator, FRAMEWORKS, data, "sp800-53-5.2.0.json", apply="true")
    assert again.status_code == 200
    assert (again.json()["created"], again.json()["unchanged"]) == ([], ["sp800-53r5.2.0"])


def test_nist_s_csf_oscal_catalog_is_recognised_as_the_loaded_release(operator):
    from tests.csf_oscal_catalog import csf_oscal_catalog

    before = m.Node.objects.count()
    response = send(operator, FRAMEWORKS, csf_oscal_catalog(), "csf.json", apply="true")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["created"] == []
    assert body["warnings"][0].startswith(
        "csf.json: recognised as NIST's csf-2.0: the same ids and texts; nothing new is stored"
    )
    assert m.Node.objects.count() == before


def test_a_copy_of_the_core_that_differs_is_refused_until_the_operator_chooses(operator):
    from tests.foreign_core import foreign_library

    data = foreign_library(translated=True)
    refused = send(operator, FRAMEWORKS, data, "vendor.yaml", apply="true")
    assert refused.status_code == 400
    assert "Choose --core-copy official" in refused.json()["detail"]
    done = send(operator, FRAMEWORKS, data, "vendor.yaml", apply="true", core_copy="official")
    assert done.status_code == 201, done.content
    kinds = [(i["kind"], i["key"], i["count"]) for i in done.json()["items"]]
    assert ("alias", "vendor-csf-2.0", 5) in kinds
    assert ("translations", "csf-2.0/fr", 3) in kinds
    assert not m.Framework.objects.filter(key="vendor-csf-2.0").exists()
    assert m.NodeTranslation.objects.filter(node__code="GV.OC-01", language="fr").exists()
