"""Language tags of translations that come with other tools' copies of a framework.

Libraries write a language as ``fr``, ``pt_BR``, ``zh-TW`` or ``zh_Hant``; the
database keeps one spelling per language (lower case, ``-`` between the parts)
so that a translation is found by the language a page is shown in. The
Traditional Chinese spellings (``zh-tw``, ``zh-hk``, ``zh-mo``, ``zh-hant-…``)
are all ``zh-hant``, the tag csfpilot's Traditional Chinese pages use.
"""

from __future__ import annotations

import re

_TAG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8}){0,3}$")
_TRADITIONAL = ("zh-tw", "zh-hk", "zh-mo", "zh-hant")


def language_tag(raw: str) -> str | None:
    """``raw`` as the database spells it, or None when it is not a language tag."""
    tag = raw.strip().replace("_", "-").lower()
    if not _TAG.match(tag):
        return None
    if tag in _TRADITIONAL or tag.startswith(tuple(t + "-" for t in _TRADITIONAL)):
        return "zh-hant"
    return tag


def base_language(tag: str) -> str:
    """The language without region or script: ``en`` for ``en-gb``."""
    return tag.split("-", 1)[0]
