"""The catalog REST API through HTTP (Django's test client), on the shipped NIST data."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

REFTOOL_SHA256 = "d5c6fecdc5372dc51698cb0f12a6124d781bf5242cfe74f9ab8068b2080044d9"
GV_OC_01_TEXT = "The organizational mission is understood and informs cybersecurity risk management"
GV_OC_01_EX1 = (
    "Share the organization's mission (e.g., through vision and mission statements, "
    "marketing, and service strategies) to provide a basis for identifying risks that may "
    "impede that mission"
)
CSF_CATEGORIES = [
    "GV.OC", "GV.RM", "GV.RR", "GV.PO", "GV.OV", "GV.SC", "ID.AM", "ID.RA", "ID.IM", "PR.AA",
    "PR.AT", "PR.DS", "PR.PS", "PR.IR", "DE.CM", "DE.AE", "RS.MA", "RS.AN", "RS.CO", "RS.MI",
    "RC.RP", "RC.CO",
]  # fmt: skip


def get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, response.content
    return response.json()


def assert_problem(response, status: int, *needles: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    for needle in needles:
        assert needle in body["detail"]
    return body


# --- frameworks ---


def test_frameworks_list_csf_2_0_with_counts_and_source(client):
    body = get(client, "/api/frameworks")
    by_key = {fw["key"]: fw for fw in body}
    csf = by_key["csf-2.0"]
    assert csf["name"] == "NIST Cybersecurity Framework"
    assert csf["version"] == "2.0"
    assert csf["levels"] == ["function", "category", "subcategory"]
    assert csf["outcome_level"] == "subcategory"
    assert csf["level_counts"] == [
        {"level": "function", "active": 6, "withdrawn": 0},
        {"level": "category", "active": 22, "withdrawn": 0},
        {"level": "subcategory", "active": 106, "withdrawn": 0},
    ]
    assert csf["node_count"] == 134
    assert csf["source_file"] == "csf-2.0-reference-tool-elements.json"
    assert csf["source_sha256"] == REFTOOL_SHA256
    assert csf["bundled"] is True


def test_framework_detail_names_the_datasets_that_map_it(client):
    body = get(client, "/api/frameworks/CSF-2.0")
    assert body["key"] == "csf-2.0"
    assert {"olir-sp800-53r5-5.1.1", "olir-sp800-53r5-5.2.0", "olir-csf-1.1-csf-2.0"} <= set(
        body["datasets"]
    )


def test_unknown_framework_is_a_404_problem_naming_it(client):
    body = assert_problem(client.get("/api/frameworks/csf-9.9"), 404, "'csf-9.9'")
    assert body["title"] == "Not found"
    assert body["errors"] == []


# --- nodes ---


def test_nodes_of_one_level_in_nist_order(client):
    body = get(client, "/api/frameworks/csf-2.0/nodes?level=category&limit=100")
    assert body["count"] == 22
    assert [n["id"] for n in body["items"]] == CSF_CATEGORIES
    assert body["items"][0] == {
        "id": "GV.OC",
        "framework": "csf-2.0",
        "level": "category",
        "parent": "GV",
        "depth": 1,
        "title": "Organizational Context",
        "text": "The circumstances - mission, stakeholder expectations, dependencies, and legal, "
        "regulatory, and contractual requirements - surrounding the organization's "
        "cybersecurity risk management decisions are understood",
        "withdrawn": False,
    }


def test_nodes_are_paginated(client):
    body = get(client, "/api/frameworks/csf-2.0/nodes?level=category&limit=5&offset=20")
    assert body["count"] == 22
    assert (body["offset"], body["limit"]) == (20, 5)
    assert [n["id"] for n in body["items"]] == ["RC.RP", "RC.CO"]
    whole = get(client, "/api/frameworks/csf-2.0/nodes")
    assert whole["count"] == 134
    assert len(whole["items"]) == 100


def test_nodes_under_a_parent_given_in_any_spelling(client):
    body = get(client, "/api/frameworks/csf-2.0/nodes?parent=gv.oc")
    assert [n["id"] for n in body["items"]] == [f"GV.OC-0{i}" for i in range(1, 6)]
    assert {n["parent"] for n in body["items"]} == {"GV.OC"}


def test_unknown_level_and_parent_are_named(client):
    body = assert_problem(
        client.get("/api/frameworks/csf-2.0/nodes?level=control"), 422, "'control'"
    )
    assert body["errors"][0]["loc"] == ["query", "level"]
    assert_problem(client.get("/api/frameworks/csf-2.0/nodes?parent=XX.YY"), 404, "'XX.YY'")


def test_page_size_is_bounded(client):
    body = assert_problem(client.get("/api/frameworks/csf-2.0/nodes?limit=5000"), 422, "limit")
    assert body["errors"][0]["loc"] == ["query", "limit"]
    assert_problem(client.get("/api/frameworks/csf-2.0/nodes?offset=-1"), 422, "offset")


def test_node_detail_has_text_examples_and_references(client):
    body = get(client, "/api/frameworks/csf-2.0/nodes/GV.OC-01")
    assert body["id"] == "GV.OC-01"
    assert body["parent"] == "GV.OC"
    assert body["level"] == "subcategory"
    assert body["text"] == GV_OC_01_TEXT
    assert body["examples"] == [{"id": "GV.OC-01.001", "title": "Ex1", "text": GV_OC_01_EX1}]
    in_511 = [
        (r["framework"], r["id"], r["relationship"])
        for r in body["references"]
        if r["dataset"] == "olir-sp800-53r5-5.1.1"
    ]
    assert in_511 == [("sp800-53r5", "PM-11", "related_to")]
    families = {r["id"] for r in body["references"] if r["dataset"] == "csf-2.0-sp800-53-families"}
    assert families == {"PM", "PT", "SR"}
    csf11 = {r["id"] for r in body["references"] if r["dataset"] == "olir-csf-1.1-csf-2.0"}
    assert csf11 == {"ID.BE-2", "ID.BE-3"}


@pytest.mark.parametrize("spelling", ["GV.OC-01", "gv.oc-1", "GV.OC-1", " gv.oc-01 "])
def test_node_accepts_common_spellings(client, spelling):
    assert get(client, f"/api/frameworks/csf-2.0/nodes/{spelling}")["id"] == "GV.OC-01"


def test_unknown_node_is_a_404_problem_naming_it(client):
    assert_problem(client.get("/api/frameworks/csf-2.0/nodes/GV.XX-99"), 404, "'GV.XX-99'")
    assert_problem(client.get("/api/frameworks/nope/nodes/GV.OC-01"), 404, "'nope'")


def test_a_category_lists_its_children(client):
    body = get(client, "/api/frameworks/csf-2.0/nodes/gv.sc")
    assert body["children"] == [f"GV.SC-{i:02d}" for i in range(1, 11)]
    assert body["examples"] == []


# --- crosswalk ---


def test_crosswalk_to_sp800_53_marks_ids_missing_from_the_catalog(client):
    body = get(client, "/api/frameworks/csf-2.0/nodes/PR.AA-05/crosswalk?to=sp800-53r5")
    assert {r["framework"] for r in body} == {"sp800-53r5"}
    ia13 = [r for r in body if r["id"] == "IA-13"]
    assert {r["dataset"] for r in ia13} == {"olir-sp800-53r5-5.1.1", "olir-sp800-53r5-5.2.0"}
    assert all(r["in_catalog"] is False for r in ia13)


def test_crosswalk_of_a_control_of_a_later_release(client):
    body = get(client, "/api/frameworks/sp800-53r5/nodes/SA-24/crosswalk?to=csf-2.0")
    assert [(r["id"], r["release"], r["dataset"]) for r in body] == [
        ("GV.RM-03", "5.2.0", "olir-sp800-53r5-5.2.0"),
        ("PR.PS-06", "5.2.0", "olir-sp800-53r5-5.2.0"),
        ("PR.IR-03", "5.2.0", "olir-sp800-53r5-5.2.0"),
    ]
    assert_problem(client.get("/api/frameworks/sp800-53r5/nodes/SA-99/crosswalk"), 404, "SA-99")


def test_crosswalk_without_to_covers_every_dataset(client):
    everything = get(client, "/api/frameworks/csf-2.0/nodes/GV.OC-01/crosswalk")
    detail = get(client, "/api/frameworks/csf-2.0/nodes/GV.OC-01")
    assert everything == detail["references"]


def test_crosswalk_to_an_unknown_framework_is_named(client):
    assert_problem(
        client.get("/api/frameworks/csf-2.0/nodes/GV.OC-01/crosswalk?to=nist-xyz"),
        404,
        "'nist-xyz'",
    )


# --- search ---


def test_search_by_words_in_one_framework(client):
    body = get(client, "/api/search?q=mission&framework=csf-2.0&limit=100")
    ids = [n["id"] for n in body["items"]]
    assert body["count"] == len(ids) == 11
    assert ids[:3] == ["GV.OC", "GV.OC-01", "GV.OC-04"]


def test_search_by_id_ranks_the_element_first(client):
    body = get(client, "/api/search?q=gv.oc-1")
    assert body["items"][0]["id"] == "GV.OC-01"
    assert body["items"][0]["framework"] == "csf-2.0"


def test_search_pages_agree_with_the_whole(client):
    whole = get(client, "/api/search?q=risk&framework=csf-2.0&limit=1000")
    first = get(client, "/api/search?q=risk&framework=csf-2.0&limit=10")
    second = get(client, "/api/search?q=risk&framework=csf-2.0&limit=10&offset=10")
    assert first["count"] == second["count"] == whole["count"] > 20
    assert first["items"] + second["items"] == whole["items"][:20]


def test_search_refuses_an_empty_query_and_names_unknown_frameworks(client):
    body = assert_problem(client.get("/api/search?q="), 422, "q")
    assert body["errors"][0]["loc"] == ["query", "q"]
    assert_problem(client.get("/api/search"), 422, "q")
    assert_problem(client.get("/api/search?q=mission&framework=zz-1"), 404, "'zz-1'")


# --- datasets ---


def test_datasets_list_publishers_and_row_counts(client):
    body = {d["key"]: d for d in get(client, "/api/datasets")}
    olir186 = body["olir-sp800-53r5-5.2.0"]
    assert olir186["row_count"] == 746
    assert olir186["source_framework"] == "csf-2.0"
    assert olir186["target_framework"] == "sp800-53r5"
    assert olir186["version"] == "5.2.0"
    assert body["olir-sp800-53r5-5.1.1"]["row_count"] == 740


def test_dataset_mappings_are_paginated_and_keep_ids_no_catalog_has(client):
    first = get(client, "/api/datasets/olir-sp800-53r5-5.2.0/mappings?limit=500")
    rest = get(client, "/api/datasets/olir-sp800-53r5-5.2.0/mappings?limit=500&offset=500")
    assert first["count"] == rest["count"] == 746
    rows = first["items"] + rest["items"]
    assert len(rows) == 746
    ia13 = [(r["source"], r["target_in_catalog"]) for r in rows if r["target"] == "IA-13"]
    assert ia13 == [("PR.AA-04", False), ("PR.AA-05", False)]
    assert all(r["source_in_catalog"] for r in rows)


def test_unknown_dataset_is_named(client):
    assert_problem(client.get("/api/datasets/olir-nope/mappings"), 404, "'olir-nope'")


# --- query counts: lists cost a fixed number of queries, whatever the page size ---


@pytest.mark.parametrize(
    ("url", "most"),
    [
        ("/api/frameworks", 2),
        ("/api/frameworks/csf-2.0", 3),
        ("/api/frameworks/csf-2.0/nodes?limit=1000", 3),
        ("/api/frameworks/csf-2.0/nodes?level=subcategory&parent=GV.OC", 5),
        # One element: its parent, children, examples, withdrawals, baselines, references and
        # translations, a query each.
        ("/api/frameworks/csf-2.0/nodes/GV.OC-01", 9),
        ("/api/frameworks/csf-2.0/nodes/GV.OC-01/crosswalk?to=sp800-53r5", 5),
        ("/api/search?q=risk&limit=1000", 2),
        ("/api/search?q=risk&framework=csf-2.0&limit=1000", 3),
        ("/api/datasets", 1),
        ("/api/datasets/olir-sp800-53r5-5.2.0/mappings?limit=1000", 3),
    ],
)
def test_query_count_is_bounded(client, django_assert_max_num_queries, url, most):
    with django_assert_max_num_queries(most):
        response = client.get(url)
    assert response.status_code == 200
