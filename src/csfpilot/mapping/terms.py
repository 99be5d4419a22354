"""Words of a requirement or an outcome, as the lexical scorer compares them.

English text is lower-cased, stripped of stop words and of the function words
that every control statement shares ("organization", "defined", "ensure"...),
and reduced by a light suffix stemmer, so that "backups", "backed up" and
"backup" meet, without the aggressive conflations of a full Porter stemmer
("policy"/"police"). Chinese has no spaces between words: each run of Han
characters becomes its overlapping character pairs (bigrams), the usual
dictionary-free indexing for Chinese retrieval, so that 資料備份 meets 備份.

:func:`terms` returns ``(stem, surface)`` pairs: the stem is what is counted,
the surface form is what a reason shows a reviewer.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Latin words (with inner hyphens/apostrophes), or one run of Han characters.
_TOKEN = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

_STOP_WORDS_TEXT = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    either etc few for from further had has have having he her here hers him his how i
    if in into is it its itself just may me might more most must my no nor not of off on
    once only or other our ours out over own per same shall she should so some such than
    that the their theirs them then there these they this those through to too under
    until up upon us very via was we were what when where whether which while who whom
    why will with within without would you your
    """
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
# Words every control catalogue repeats: they say nothing about the subject, and
# SP 800-53's "[Assignment: organization-defined ...]" placeholders would
# otherwise dominate every query.
_BOILERPLATE_TEXT = """
    assignment selection organization organizational organizations defined one following
    including include includes ensure ensures employ employs provide provides implement
    implements based appropriate applicable related
    """
BOILERPLATE = frozenset(_BOILERPLATE_TEXT.split())
# The same idea for Traditional Chinese requirement texts: function words
# and the ubiquitous 應 ("shall").
_ZH_STOP_TEXT = """
    的 之 與 及 或 並 等 於 應 其 為 以 由 對 在 將 被 所 者 是 有 和
    """
_ZH_STOP = frozenset(_ZH_STOP_TEXT.split())

_SUFFIXES = (
    ("ational", "ate"),
    ("ization", "ize"),
    ("isation", "ize"),
    ("fulness", "ful"),
    ("iveness", "ive"),
    ("ements", "e"),
    ("ement", "e"),
    ("ments", ""),
    ("ment", ""),
    ("ities", "ity"),
    ("ness", ""),
    ("ions", "ion"),
    ("ings", ""),
    ("ing", ""),
    ("ies", "y"),
    ("ied", "y"),
    ("sses", "ss"),
    ("ed", ""),
    ("es", "e"),
    ("s", ""),
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stem: plural, -ing, -ed, -ment and a few derivations."""
    if len(word) <= 3 or not word.isascii() or word[-1].isdigit():
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)] + replacement
            if suffix in ("ing", "ed") and len(base) > 3 and base[-1] == base[-2]:
                base = base[:-1]  # "mapped" → "map", "logging" → "log"
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word  # "access", "status", "analysis"
            return _final_e(base)
    return _final_e(word)


def _final_e(word: str) -> str:
    # "create", "creates", "created" → "creat"; "response(s)" → "respons".
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def terms(text: str) -> list[tuple[str, str]]:
    """The countable terms of ``text`` with the surface form each came from."""
    out: list[tuple[str, str]] = []
    for token in _TOKEN.findall(normalise(text)):
        if _HAN.match(token):
            chars = [c for c in token if c not in _ZH_STOP]
            if len(chars) == 1:
                out.append((chars[0], chars[0]))
            out.extend(
                (chars[i] + chars[i + 1], chars[i] + chars[i + 1]) for i in range(len(chars) - 1)
            )
            continue
        token = token.replace("’", "'")
        if token.endswith("'s"):
            token = token[:-2]
        for word in token.split("-") if "-" in token else (token,):
            if len(word) < 2 or word in STOP_WORDS or word in BOILERPLATE or word.isdigit():
                continue
            out.append((stem(word), word))
    return out


def has_han(text: str) -> bool:
    """Whether a text holds Chinese characters (the language of a requirement varies)."""
    return _HAN.search(text) is not None
