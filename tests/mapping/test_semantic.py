"""The semantic scorer with the packaged multilingual model: English, Traditional Chinese,
the target-vector cache, and the combined ranking."""

from __future__ import annotations

import numpy as np
import pytest

from csfpilot.mapping import Assistant, suggest
from csfpilot.mapping import semantic as sem
from tests.mapping.conftest import framework


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CSFPILOT_MAPPING_CACHE", str(tmp_path / "cache"))
    sem._memory.clear()


def _zh_requirements():
    return framework(
        "zh-rules",
        ("chapter", "article"),
        [
            ("1", "chapter", None, "", ""),
            ("1.1", "article", "1", "", "組織應定期備份重要資料，並測試備份資料之還原"),
            ("1.2", "article", "1", "", "應持續監控網路及網路服務，以發現潛在的異常事件"),
        ],
    )


def test_the_model_gives_unit_vectors_and_runs_offline() -> None:
    model = sem.model()
    vectors = model.encode(["Backups are tested", "備份已測試"])
    assert vectors.shape == (2, 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert model.model_id == sem.MODEL_ID


def test_chinese_requirements_find_english_outcomes_semantically(csf) -> None:
    out = {s.source: s for s in suggest(_zh_requirements(), csf, method="semantic", top=2)}
    assert out["1.1"].suggestions[0].id == "PR.DS-11"
    # Network monitoring: one of the two monitoring outcomes, never the backup one.
    assert out["1.2"].suggestions[0].id in {"DE.CM-01", "DE.CM-09"}
    assert "PR.DS-11" not in [c.id for c in out["1.2"].suggestions]
    reason = out["1.1"].suggestions[0].reasons[0]
    assert reason.kind == "semantic"
    assert reason.detail.startswith("semantic similarity 0.")


def test_combined_ranks_and_explains_with_every_kind(controls, csf) -> None:
    from tests.mapping.conftest import crosswalk

    walks = [crosswalk("direct", "csf-2.0", "sp800-53r5", [("PR.DS-11", "CP-9")])]
    out = {s.source: s for s in suggest(controls, csf, crosswalks=walks, top=3)}
    best = out["CP-9"].suggestions[0]
    assert best.id == "PR.DS-11"
    assert {r.kind for r in best.reasons} == {"crosswalk-path", "terms", "semantic"}
    assert best.reasons[0].kind == "crosswalk-path"
    for s in out.values():
        scores = [c.score for c in s.suggestions]
        assert scores == sorted(scores, reverse=True)
        assert all(0 < x <= 1 for x in scores)


def test_target_vectors_are_computed_once_and_cached_on_disk(csf, tmp_path, monkeypatch) -> None:
    model = sem.model()
    calls: list[int] = []
    real = type(model).encode

    def counting(self, texts):
        calls.append(len(texts))
        return real(self, texts)

    monkeypatch.setattr(type(model), "encode", counting)
    Assistant(csf, method="semantic")
    assert calls == [4]  # the four outcomes of the fixture
    files = list((tmp_path / "cache").glob("targets-*.npy"))
    assert len(files) == 1
    sem._memory.clear()  # a new process: the file answers
    Assistant(csf, method="semantic")
    assert calls == [4]
    # Other texts, another file.
    changed = framework(
        "csf-2.0",
        ("category", "subcategory"),
        [("X", "category", None, "X", ""), ("X-1", "subcategory", "X", "", "Other words")],
        outcome_level="subcategory",
    )
    Assistant(changed, method="semantic")
    assert calls == [4, 1]
    assert len(list((tmp_path / "cache").glob("targets-*.npy"))) == 2


def test_an_unwritable_cache_only_costs_time(csf, tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CSFPILOT_MAPPING_CACHE", str(blocker / "cache"))
    (only, *_) = suggest(_zh_requirements(), csf, method="semantic")
    assert only.suggestions
