"""Finding a sheet's columns by what their headers mean, not by their exact spelling.

People retype, wrap and reword headers: ``Current\\nStatus``, ``current status``,
``Status (current)``, ``Current Policies, Processes & Procedures``, NIST's own
``CSF Outcome (Function, Category, or Subcategory)``. A header matches a
column when, after case, spacing, line breaks and punctuation are set aside,
it is the column's header or one of its aliases, the same words in another
order, or a near spelling of one (a typo, a plural). A header that matches no
column is refused, naming the columns it could be: whatever was typed under it
would otherwise be lost.

Every header of the row is matched before anything is refused, so a refusal's
list of missing columns names only columns that really are missing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher, get_close_matches
from typing import Any

from csfpilot.formats.profile_xlsx.layout import Col

_NEAR = 0.88  # a typo, not another column
_MARGIN = 0.04  # ... and clearly that one: "Current …"/"Target …" headers can be close


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


_LONGEST = 200  # no header is longer; the rest of a longer cell is not compared


def words(header: str) -> str:
    """A header reduced to its words, each in the singular:
    ``Included in Profile?`` → ``included in profile``, ``Priorities`` → ``priority``."""
    text = str(header)[:_LONGEST].casefold().replace("&", " and ")
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(_singular(w) for w in text.split())


def _plain(header: str) -> str:
    """Without a parenthesised remark: ``CSF Outcome (Function, …)`` → ``csf outcome``."""
    return words(re.sub(r"\([^)]*\)", " ", str(header)))


def _sorted(text: str) -> str:
    return " ".join(sorted(text.split()))


class HeaderIndex:
    """The names each column answers to, and how a typed header is matched to one."""

    def __init__(self, columns: Sequence[Col]) -> None:
        self.columns = tuple(columns)
        self.exact: dict[str, Col] = {}
        self.unordered: dict[str, Col | None] = {}
        for col in self.columns:
            for name in (col.header, *col.aliases):
                for form in (words(name), _plain(name)):
                    self.exact.setdefault(form, col)
                    key = _sorted(form)
                    # Two columns with the same words in another order: not a match.
                    if key in self.unordered and self.unordered[key] is not col:
                        self.unordered[key] = None
                    else:
                        self.unordered[key] = col

    def match(self, header: Any) -> Col | None:
        text = str(header)
        for form in (words(text), _plain(text)):
            if form in self.exact:
                return self.exact[form]
        for form in (words(text), _plain(text)):
            col = self.unordered.get(_sorted(form))
            if col is not None:
                return col
        typed = words(text)
        ranked = sorted(
            ((SequenceMatcher(None, typed, form).ratio(), col) for form, col in self.exact.items()),
            key=lambda pair: -pair[0],
        )
        best, best_col = ranked[0] if ranked else (0.0, None)
        runner_up = next((r for r, col in ranked if col is not best_col), 0.0)
        # A near spelling of one column, clearly nearer to it than to any other.
        if best >= _NEAR and best - runner_up >= _MARGIN:
            return best_col
        return None

    def could_be(self, header: Any, free: Sequence[Col]) -> list[str]:
        """The headers a typed header could have meant: the closest among the columns
        not found on the sheet, else all of them."""
        typed = words(str(header))
        shared = [
            c
            for c in free
            if set(typed.split()) & (set(words(c.header).split()) - {"csf", "in", "and"})
        ]
        if shared:
            shared.sort(key=lambda c: -SequenceMatcher(None, typed, words(c.header)).ratio())
            return [c.header for c in shared[:4]]
        names = {words(c.header): c.header for c in free}
        close = get_close_matches(typed, list(names), n=3, cutoff=0.5)
        return [names[n] for n in close] or [c.header for c in free]
