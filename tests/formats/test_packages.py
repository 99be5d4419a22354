"""Signed exchange packages: canonical JSON, signing, every kind of tampering, redaction."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime

import pytest
from hypothesis import given

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import (
    STATUS,
    Action,
    Implementation,
    OutcomeEntry,
    Priority,
    Profile,
    Scope,
    SnapshotInfo,
    Tier,
    TierRating,
    Tiers,
    csf_2_0,
)
from csfpilot.formats.native import from_document
from csfpilot.formats.packages import (
    FileMember,
    Signer,
    build_package,
    canonical,
    fingerprint_of,
    grouped,
    listing,
    normalize_fingerprint,
    profile_members,
    public_key_pem,
    read_package,
    read_public_key,
)
from csfpilot.formats.packages.container import MAX_DEPTH, MAX_PACKAGE_BYTES
from tests.core.strategies import PROFILE_SETTINGS, profiles

FRAMEWORK = csf_2_0()
SECRETS = [
    "secret-note-firewall-7731",
    "secret-rationale-vendor-b",
    "secret-owner-alice",
    "secret-considerations-xyz",
    "secret-policy-text",
    "secret-practice-text",
    "secret-roles-text",
    "secret-reference-url",
    "secret-evidence-description",
    "secret-action-title",
    "secret-action-notes",
    "secret-milestone",
    "secret-description",
    "secret-assumptions",
    "secret-scope-name",
    "secret-tier-rationale",
    "secret-snapshot-label",
]


def _sample_profile() -> Profile:
    level = {lv.key: lv for lv in STATUS.levels}
    details = Implementation(
        policies="secret-policy-text",
        practices="secret-practice-text",
        roles="secret-roles-text",
        references=("secret-reference-url",),
        evidence=("secret-evidence-description",),
    )
    outcomes = {
        "GV.OC-01": OutcomeEntry(
            "GV.OC-01",
            rationale="secret-rationale-vendor-b",
            priority=Priority.HIGH,
            current=level[STATUS.levels[1].key],
            target=level[STATUS.levels[-1].key],
            owner="secret-owner-alice",
            notes="secret-note-firewall-7731",
            considerations="secret-considerations-xyz",
            current_details=details,
        ),
        "PR.AA-01": OutcomeEntry(
            "PR.AA-01", current=level[STATUS.levels[-1].key], target=level[STATUS.levels[-1].key]
        ),
    }
    return Profile(
        name="Plant profile",
        scope=Scope(name="secret-scope-name"),
        description="secret-description",
        assumptions="secret-assumptions",
        tiers=Tiers(
            governance=TierRating(Tier(2), Tier(3), current_rationale="secret-tier-rationale")
        ),
        outcomes=outcomes,
        actions=(
            Action(
                "A-1",
                "secret-action-title",
                outcomes=("GV.OC-01",),
                due=date(2027, 3, 1),
                milestone="secret-milestone",
                notes="secret-action-notes",
            ),
        ),
        snapshot=SnapshotInfo(datetime(2026, 1, 2, tzinfo=UTC), "secret-snapshot-label"),
    )


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer.generate("Acme Taiwan 台灣")


@pytest.fixture(scope="module")
def package(signer) -> bytes:
    members = profile_members(_sample_profile(), FRAMEWORK, "full")
    files = {"a": FileMember("scan.pdf", "application/pdf", b"%PDF-1.7 evidence")}
    return build_package("profile", members, "full", signer, files=files, title="Plant profile")


def _trust(signer: Signer) -> dict[str, str]:
    return {signer.fingerprint: "Acme"}


# -- canonical JSON and keys ------------------------------------------------------------


def test_canonical_json_sorts_keys_and_has_no_whitespace():
    assert canonical({"b": [1, "é\n"], "a": None}) == '{"a":null,"b":[1,"é\\n"]}'.encode()


def test_canonical_json_refuses_non_finite_numbers():
    with pytest.raises(ValueError):
        canonical({"a": float("nan")})


def test_fingerprint_is_20_bytes_of_sha256_and_groups_in_fours(signer):
    fp = signer.fingerprint
    assert len(fp) == 40 and fp == fingerprint_of(signer.public_key)
    assert grouped(fp).split(" ") == [fp[i : i + 4] for i in range(0, 40, 4)]
    assert normalize_fingerprint(grouped(fp).upper()) == fp
    with pytest.raises(InputRefused, match=r"not a key fingerprint"):
        normalize_fingerprint("abcd")


def test_public_key_reads_from_pem_and_base64(signer):
    assert read_public_key(public_key_pem(signer.public_key).encode(), name="k.pem") == (
        signer.public_key
    )
    import base64

    assert read_public_key(base64.b64encode(signer.public_key), name="k") == signer.public_key
    with pytest.raises(InputRefused, match=r"k.txt"):
        read_public_key(b"hello", name="k.txt")


# -- round trip and trust ---------------------------------------------------------------


def test_a_signed_package_reads_back_trusted_by_a_reader_who_trusts_the_key(signer, package):
    pkg = read_package(package, _trust(signer))
    assert pkg.trusted and pkg.trusted_as == "Acme" and pkg.problems == ()
    assert pkg.kind == "profile" and pkg.redaction == "full"
    assert pkg.producer == "Acme Taiwan 台灣" and pkg.fingerprint == signer.fingerprint
    assert pkg.members["profile.json"]["name"] == "Plant profile"
    (file,) = pkg.files.values()
    assert file.data == b"%PDF-1.7 evidence" and file.filename == "scan.pdf"
    assert from_document(pkg.members["profile.json"]) == _sample_profile()


def test_an_unknown_signer_is_intact_but_untrusted(package):
    pkg = read_package(package, {"0" * 40: "Someone else"})
    assert not pkg.trusted and pkg.trusted_as is None
    assert "not a trusted key" in pkg.problems[0]


def test_a_revoked_key_is_not_trusted(signer, package):
    pkg = read_package(package, _trust(signer), revoked={signer.fingerprint})
    assert not pkg.trusted and "revoked" in pkg.problems[0]


def test_an_unsigned_package_is_marked_untrusted():
    data = build_package("profile", {"scores.json": {"a": 1}}, "scores", None, producer="Nobody")
    pkg = read_package(data, {})
    assert not pkg.signed and not pkg.trusted
    assert pkg.problems == ("the package is not signed",)


def test_the_manifest_validates_against_the_published_schema(package):
    from importlib.resources import files

    from jsonschema import Draft202012Validator

    schema = json.loads(
        files("csfpilot.formats.packages").joinpath("package.schema.json").read_text()
    )
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema).validate(json.loads(package))
    scores = json.loads(
        files("csfpilot.formats.packages").joinpath("scores.schema.json").read_text()
    )
    Draft202012Validator(scores).validate(json.loads(package)["members"]["scores.json"])


def test_the_same_content_gives_the_same_bytes(signer):
    members = profile_members(_sample_profile(), FRAMEWORK, "no-text")
    when = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    pid = "6f1c1d1e-0000-4000-8000-000000000001"
    one = build_package("profile", members, "no-text", signer, package_id=pid, created=when)
    two = build_package("profile", members, "no-text", signer, package_id=pid, created=when)
    assert one == two  # Ed25519 signatures are deterministic


# -- tampering --------------------------------------------------------------------------


def _rewrite(data: bytes, change) -> bytes:
    doc = json.loads(data)
    change(doc)
    return canonical(doc)


def test_an_altered_member_is_refused_by_name(signer, package):
    def change(doc):
        doc["members"]["profile.json"]["outcomes"]["GV.OC-01"]["current"] = "achieved"

    with pytest.raises(InputRefused, match=r"member 'profile.json' was altered"):
        read_package(_rewrite(package, change), _trust(signer))


def test_an_altered_scores_member_is_refused_by_name(signer, package):
    def change(doc):
        doc["members"]["scores.json"]["profile"]["current"] = "99.99"

    with pytest.raises(InputRefused, match=r"member 'scores.json' was altered"):
        read_package(_rewrite(package, change), _trust(signer))


def test_an_altered_file_is_refused_by_name(signer, package):
    import base64

    def change(doc):
        (name,) = doc["files"]
        doc["files"][name] = base64.b64encode(b"%PDF-1.7 forged").decode()

    with pytest.raises(InputRefused, match=r"file 'files/[0-9a-f]{64}' was altered"):
        read_package(_rewrite(package, change), _trust(signer))


def test_an_altered_manifest_fails_the_signature(signer, package):
    def change(doc):
        doc["manifest"]["redaction"] = "scores"

    with pytest.raises(InputRefused, match=r"does not match manifest.json"):
        read_package(_rewrite(package, change), _trust(signer))


def test_a_member_rehashed_in_the_manifest_still_fails_the_signature(signer, package):
    import hashlib

    def change(doc):
        doc["members"]["scores.json"]["profile"]["current"] = "99.99"
        body = canonical(doc["members"]["scores.json"])
        doc["manifest"]["members"]["scores.json"] = {
            "sha256": hashlib.sha256(body).hexdigest(),
            "size": len(body),
        }

    with pytest.raises(InputRefused, match=r"does not match manifest.json"):
        read_package(_rewrite(package, change), _trust(signer))


def test_a_forged_signature_is_refused(signer, package):
    def change(doc):
        value = bytearray(__import__("base64").b64decode(doc["signature"]["value"]))
        value[0] ^= 1
        doc["signature"]["value"] = __import__("base64").b64encode(bytes(value)).decode()

    with pytest.raises(InputRefused, match=r"does not match manifest.json"):
        read_package(_rewrite(package, change), _trust(signer))


def test_resigning_with_another_key_is_refused_or_untrusted(signer, package):
    """Someone re-signs an altered manifest with their own key: the manifest then
    names their key, so the package is at best untrusted, never Acme's."""
    mallory = Signer.generate("Acme Taiwan 台灣")
    doc = json.loads(package)
    doc["manifest"]["producer"]["fingerprint"] = mallory.fingerprint
    doc["signature"]["public_key"] = __import__("base64").b64encode(mallory.public_key).decode()
    doc["signature"]["value"] = (
        __import__("base64").b64encode(mallory.sign(canonical(doc["manifest"]))).decode()
    )
    pkg = read_package(canonical(doc), _trust(signer))
    assert not pkg.trusted and pkg.fingerprint == mallory.fingerprint
    # Only the key swapped, not the manifest: refused.
    doc = json.loads(package)
    doc["signature"]["public_key"] = __import__("base64").b64encode(mallory.public_key).decode()
    with pytest.raises(InputRefused, match=r"not the key the manifest names"):
        read_package(canonical(doc), _trust(signer))


def test_a_removed_signature_is_refused(signer, package):
    def change(doc):
        doc["signature"] = None

    with pytest.raises(InputRefused, match=r"signature was removed"):
        read_package(_rewrite(package, change), _trust(signer))


def test_every_single_byte_change_is_refused_or_never_trusted(signer):
    """A byte changed anywhere in the file: refused, or (when it lands in the signer's
    public key and stays valid) at least never trusted."""
    members = profile_members(_sample_profile(), FRAMEWORK, "no-text")
    data = build_package("profile", members, "no-text", signer)
    trusted = _trust(signer)
    # Every byte would be 20k parses; every 7th byte plus the manifest region covers
    # each part of the document.
    positions = sorted(set(range(0, len(data), 7)) | set(range(0, 600)))
    for pos in positions:
        altered = bytearray(data)
        altered[pos] = ord("x") if altered[pos] != ord("x") else ord("y")
        try:
            pkg = read_package(bytes(altered), trusted)
        except InputRefused:
            continue
        pytest.fail(f"a byte changed at offset {pos} was accepted (trusted={pkg.trusted})")


def test_a_replayed_package_keeps_its_id(signer, package):
    one = read_package(package, _trust(signer))
    two = read_package(package, _trust(signer))
    assert one.package_id == two.package_id  # the importer refuses the second by this id


# -- hostile input ----------------------------------------------------------------------


def test_a_zip_is_refused_as_not_a_package():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("../../evil.json", "{}")
    with pytest.raises(InputRefused, match=r"zip archive, not a csfpilot package"):
        read_package(buffer.getvalue(), {})


def test_an_oversized_package_is_refused_before_parsing():
    with pytest.raises(InputRefused, match=r"the limit is"):
        read_package(b" " * (MAX_PACKAGE_BYTES + 1), {})


def test_deep_nesting_is_refused():
    data = b'{"manifest":' + b"[" * (MAX_DEPTH + 5) + b"]" * (MAX_DEPTH + 5) + b"}"
    with pytest.raises(InputRefused, match=r"nested too deeply"):
        read_package(data, {})


def test_duplicate_keys_are_refused(package):
    data = package.replace(b'{"files":', b'{"files":{},"files":', 1)
    with pytest.raises(InputRefused, match=r"appears twice"):
        read_package(data, {})


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("../profile.json", "has a name no package member has"),
        ("questionnaire.json", "is unknown in a profile package"),
        ("Profile.JSON", "has a name no package member has"),
    ],
)
def test_unknown_or_tricky_member_names_are_refused(signer, package, member, message):
    def change(doc):
        doc["members"][member] = {}

    with pytest.raises(InputRefused, match=message):
        read_package(_rewrite(package, change), _trust(signer))


def test_a_file_with_a_path_as_name_is_refused(signer, package):
    def change(doc):
        doc["files"]["files/../../etc/passwd"] = "AA=="

    with pytest.raises(InputRefused, match=r"not named files/<sha256>"):
        read_package(_rewrite(package, change), _trust(signer))


def test_an_unknown_format_version_is_refused(signer, package):
    def change(doc):
        doc["manifest"]["format_version"] = 2

    with pytest.raises(InputRefused, match=r"format version 2 is unknown"):
        read_package(_rewrite(package, change), _trust(signer))


def test_non_canonical_bytes_are_refused(signer, package):
    spaced = json.dumps(json.loads(package), indent=1, sort_keys=True, ensure_ascii=False)
    with pytest.raises(InputRefused, match=r"not in canonical form"):
        read_package(spaced.encode(), _trust(signer))


def test_files_only_travel_at_full_level(signer):
    with pytest.raises(ValueError, match=r"only in full-level"):
        build_package(
            "profile",
            {"scores.json": {}},
            "scores",
            signer,
            files={"a": FileMember("x", "text/plain", b"x")},
        )


# -- redaction --------------------------------------------------------------------------


def test_at_scores_level_no_free_text_from_the_profile_is_in_the_package_bytes(signer):
    data = build_package(
        "profile", profile_members(_sample_profile(), FRAMEWORK, "scores"), "scores", signer
    )
    for secret in [*SECRETS, "Plant profile"]:
        assert secret.encode() not in data, secret
    pkg = read_package(data, _trust(signer))
    assert set(pkg.members) == {"scores.json"}


def test_at_no_text_level_only_ratings_priorities_tiers_and_dates_leave(signer):
    data = build_package(
        "profile", profile_members(_sample_profile(), FRAMEWORK, "no-text"), "no-text", signer
    )
    for secret in SECRETS:
        assert secret.encode() not in data, secret
    doc = read_package(data, _trust(signer)).members["profile.json"]
    profile = from_document(doc)
    original = _sample_profile()
    entry = profile.outcomes["GV.OC-01"]
    assert entry.current == original.outcomes["GV.OC-01"].current
    assert entry.priority is Priority.HIGH and entry.notes == "" and entry.rationale == ""
    assert profile.tiers.governance.current == Tier(2)
    assert profile.actions[0].due == date(2027, 3, 1) and profile.actions[0].title == "A-1"


def test_at_full_level_the_text_travels(signer, package):
    assert b"secret-note-firewall-7731" in package


@PROFILE_SETTINGS
@given(profiles())
def test_no_text_documents_still_read_as_profiles_with_the_same_ratings(profile):
    members = profile_members(profile, FRAMEWORK, "no-text")
    back = from_document(members["profile.json"])
    for code, entry in profile.outcomes.items():
        for side in ("current", "target"):
            got, want = getattr(back.outcomes[code], side), getattr(entry, side)
            assert (got and (got.key, got.score)) == (want and (want.key, want.score))
        assert back.outcomes[code].notes == "" and back.outcomes[code].rationale == ""
    assert back.description == "" and back.scope.name == ""


def test_the_listing_names_every_field_that_leaves(signer):
    members = profile_members(_sample_profile(), FRAMEWORK, "scores")
    rows = listing(members)
    assert ("scores.json", "profile.current", rows[-1][2]) != rows[0]
    fields = {(m, f) for m, f, _ in rows}
    assert ("scores.json", "functions[0].code") in fields
    # Every leaf of every member is listed: the listing rebuilds the members' leaves.
    leaves = [v for _, _, v in rows]
    assert len(leaves) == sum(1 for _ in _leaves(members))


def _leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value
