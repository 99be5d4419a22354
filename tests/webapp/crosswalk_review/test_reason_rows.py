"""How the review page words the assistant's reasons, in the reader's language."""

from __future__ import annotations

from django.utils import translation

from csfpilot.mapping.cycle import REASON
from csfpilot.webapp.mapping.queries import reason_row


def test_the_review_cycle_reason_is_said_in_the_readers_language() -> None:
    with translation.override("en"):
        assert reason_row("review-cycle", REASON) == (
            "review and improvement",
            "the requirement asks to review and update; this outcome is about improvement",
        )
    with translation.override("zh-hant"):
        assert reason_row("review-cycle", REASON) == (
            "審查與改善",
            "此要求須定期審查並更新；此成果與改善有關",
        )


def test_other_reasons_keep_their_detail_without_the_english_kind() -> None:
    with translation.override("zh-hant"):
        assert reason_row("terms", "shared terms: backup, restore") == (
            "共同詞彙",
            "backup, restore",
        )
        assert reason_row("unknown", "as given") == ("unknown", "as given")
