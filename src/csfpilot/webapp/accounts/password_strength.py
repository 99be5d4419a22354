"""How hard a password is to guess, estimated offline with zxcvbn, and why it is refused.

Length alone lets ``aaaaaaaaaaaa``, ``Password123!``, ``P@ssw0rd1234`` or a
person's own name with a year through. zxcvbn (Dropbox's estimator, the Python
port) looks for what guessing tools try first: its bundled lists of passwords
from breaches (30,000), English words, names and surnames, with common
substitutions (``@`` for ``a``), keyboard patterns, sequences, repetitions and
dates; Django's own list of 20,000 common passwords is checked beside it
(settings). A password needs zxcvbn's score 3, "safely unguessable", which is
about 10^8 guesses: well out of reach of an online attack, and slow to reach
offline against Argon2id hashes.

The person's own details (name, e-mail address) and the site's name count as
known to an attacker: the password must still score 3 once they are taken out,
so ``LeeChen1985!`` is refused for Lee Chen although zxcvbn alone rates it 3.

The message says what made the password guessable, in the person's language.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from zxcvbn import zxcvbn

# zxcvbn's work grows quickly with length; past this many characters a password is judged
# by its beginning (its limit: a longer one is refused by zxcvbn itself otherwise).
MAX_CHECKED = 72
SITE_WORDS = ("csfpilot", "csf", "nist", "cybersecurity")
_PARTS = re.compile(r"[\s@._+\-]+")


def personal_words(user: Any) -> list[str]:
    """The words an attacker knows about this person: name, username, e-mail parts."""
    words: list[str] = list(SITE_WORDS)
    if user is None:
        return words
    for attribute in ("first_name", "last_name", "username"):
        value = str(getattr(user, attribute, "") or "")
        words += [value, *_PARTS.split(value)]
    local, _at, domain = str(getattr(user, "email", "") or "").partition("@")
    # The domain's last label (com, org, tw) says nothing about the person.
    words += [local, *_PARTS.split(local), *domain.split(".")[:-1]]
    return [w for w in dict.fromkeys(w.lower() for w in words) if len(w) >= 3]


def _without(password: str, words: list[str]) -> str:
    rest = password
    for word in sorted(words, key=len, reverse=True):
        rest = re.sub(re.escape(word), "", rest, flags=re.IGNORECASE)
    return rest


def _reasons(sequence: list[dict[str, Any]]) -> list[str]:
    reasons: list[str] = []
    for match in sequence:
        pattern = match.get("pattern")
        source = match.get("dictionary_name")
        if pattern == "dictionary" and source == "passwords":
            reason = (
                _("It is a common password with predictable substitutions, such as @ for a.")
                if match.get("l33t")
                else _("It is, or is built on, a common password.")
            )
        elif pattern == "dictionary" and source == "user_inputs":
            reason = _("It contains your name, your e-mail address or the site's name.")
        elif pattern == "dictionary":
            reason = _("It is built from common words or names.")
        elif pattern == "repeat":
            reason = _("It repeats characters or a pattern, such as aaa or abcabc.")
        elif pattern == "sequence":
            reason = _("It contains a sequence, such as abcd or 1234.")
        elif pattern == "spatial":
            reason = _("It follows a keyboard pattern, such as qwerty.")
        elif pattern in {"date", "regex"}:
            reason = _("It contains a date or a year.")
        else:
            continue
        if reason not in reasons:
            reasons.append(reason)
    return reasons


class GuessabilityValidator:
    """Django password validator: refuse passwords that zxcvbn finds easy to guess."""

    def __init__(self, min_score: int = 3) -> None:
        self.min_score = min_score

    def validate(self, password: str, user: Any = None) -> None:
        checked = password[:MAX_CHECKED]
        words = personal_words(user)
        result = zxcvbn(checked, user_inputs=words)
        reasons: list[str] = []
        if result["score"] < self.min_score:
            reasons = _reasons(result["sequence"])
        else:
            rest = _without(checked, words)
            if rest != checked and (not rest or zxcvbn(rest)["score"] < self.min_score):
                reasons = [_("It contains your name, your e-mail address or the site's name.")]
                reasons += _reasons(zxcvbn(rest)["sequence"]) if rest else []
        if not reasons and result["score"] < self.min_score:
            reasons = [_("It is too short for what it contains.")]
        if reasons:
            raise ValidationError(
                [
                    _("This password is too easy to guess."),
                    *reasons,
                    _(
                        "Several unrelated words make a password that is both harder to "
                        "guess and easier to remember."
                    ),
                ],
                code="password_too_guessable",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password must not be easy to guess: no common passwords, names, dates, "
            "keyboard patterns or repetitions."
        )
