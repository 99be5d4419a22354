"""The review-cycle scorer: a requirement to review and update something meets improvement.

Control catalogues end many requirements with the same duty: "review and
update the policy [frequency] and following [events]" (every SP 800-53
"-1" control, contingency and incident plans, inventories, risk
assessments). Crosswalk authors map that duty to the target framework's
improvement outcomes (in CSF 2.0 those that say improvements are identified
from evaluations, from tests and exercises, from operations, and supply
chain risk management within improvement processes), although the
requirement never uses the word: neither shared terms nor the embedding
model find them, since the rest of the requirement (access control, audit...)
is about something else.

So this scorer reads the requirement's *form*, not its subject. It fires
when the requirement's own statement (not its guidance, which often
mentions updates in passing) asks to review and update, and it proposes the
target outcomes whose own statement speaks of improvement. Both sides are
read from the texts, in English and Traditional Chinese, so it works for any
target framework whose outcomes say so, and it names no outcome itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from csfpilot.mapping.texts import OutcomeDocument

# "Review and update", "reviewed and updated", "update ... after reviewing it" within
# one clause; 審查/檢視/檢討 … 更新/修訂 in Traditional Chinese.
_REVIEW_AND_UPDATE = re.compile(
    r"\breview(?:s|ed|ing)?\b[^.;\n]{0,60}?\bupdat(?:e|es|ed|ing)\b"
    r"|\bupdat(?:e|es|ed|ing)\b[^.;\n]{0,60}?\breview(?:s|ed|ing)?\b"
    r"|(?:審查|檢視|審視|檢討|覆核|複核)[^。；\n]{0,20}?(?:更新|修訂|修正)",
    re.IGNORECASE,
)
# An outcome about improvement says so in its own statement (CSF 2.0: "Improvements
# are identified from evaluations"); its Category's words are not enough, since a
# Category's description often ends on "…and improved" for every outcome in it.
_IMPROVEMENT = re.compile(r"\bimprov(?:e|es|ed|ing|ement|ements)\b|改善|改進|精進", re.IGNORECASE)

REASON = "asks to review and update; the outcome is about improvement"


def asks_review_and_update(text: str) -> bool:
    """Whether a requirement's statement asks to review and update something."""
    return _REVIEW_AND_UPDATE.search(text) is not None


class ReviewCycle:
    """The target outcomes about improvement, found once per target framework."""

    def __init__(self, documents: Sequence[OutcomeDocument]) -> None:
        self.targets = tuple(d.code for d in documents if _IMPROVEMENT.search(d.statement))

    def score(self, text: str) -> dict[str, float]:
        """Each improvement outcome at 1.0 when ``text`` asks to review and update."""
        if not self.targets or not asks_review_and_update(text):
            return {}
        return dict.fromkeys(self.targets, 1.0)
