"""Supplier questionnaires between instances: the ``questionnaire`` and ``questionnaire-answer``
members, written and read.

A buyer asks a supplier to show how far it meets a requirement set: outcomes of CSF 2.0,
each with a target level on a rating scale, with guidance and a due day. Sent as a
package, the request is ``questionnaire.json``::

    {"reference": UUID, "buyer": NAME, "supplier": NAME, "cycle": 3, "due": "2026-12-31",
     "language": "en", "guidance": TEXT, "framework": "csf-2.0", "scale": "status",
     "items": [{"code": "GV.SC-05", "target": "fully"}, ...]}

The ``reference`` is the buyer's name for that one assessment cycle; the supplier's answer
repeats it, so the buyer can tell which questionnaire an answer is for and refuse an answer
to any other. The answer is ``answer.json`` (and ``scores.json``)::

    {"questionnaire": {"reference": UUID, "package_id": UUID, "buyer_fingerprint": HEX,
                       "cycle": 3},
     "framework": "csf-2.0", "scale": "status",
     "answers": [{"code": "GV.SC-05", "answer": "largely", "comment": TEXT,
                  "evidence": TEXT}, ...]}

at the supplier's chosen redaction level: ``full`` carries each answer's comment and the
evidence offered; ``no-text`` the levels only (no ``comment`` or ``evidence`` key at all);
``scores`` no answer per outcome (no ``answers`` key), only ``scores.json``: the Function
and Category scores of the answers.

Readers treat both members as hostile: unknown keys, outcomes named twice, levels the
scale does not have, texts over their limits and more than :data:`MAX_ITEMS` items are
refused, naming the member and the field.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import OutcomeEntry, OutcomeFramework, Profile
from csfpilot.core.profiles.scales import Level, Scale
from csfpilot.formats.native.document import scale_from_document, scale_to_document
from csfpilot.formats.packages.redaction import FULL, NO_TEXT, SCORES, scores_document

QUESTIONNAIRE = "questionnaire"
ANSWER = "questionnaire-answer"
QUESTIONNAIRE_MEMBER = "questionnaire.json"
ANSWER_MEMBER = "answer.json"
LANGUAGES = ("en", "zh-hant")
MAX_ITEMS = 500
MAX_NAME = 200
MAX_GUIDANCE = 20_000
MAX_COMMENT = 10_000
_CODE = re.compile(r"^[A-Z]{2}\.[A-Z]{2}-\d{2}$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{40}$")
_REQUEST_KEYS = frozenset(
    {
        "reference",
        "buyer",
        "supplier",
        "cycle",
        "due",
        "language",
        "guidance",
        "framework",
        "scale",
        "items",
    }
)
_ANSWER_KEYS = frozenset({"questionnaire", "framework", "scale", "answers"})
_ANSWERED_KEYS = frozenset({"reference", "package_id", "buyer_fingerprint", "cycle"})
_ANSWER_ITEM_KEYS = {
    FULL: frozenset({"code", "answer", "comment", "evidence"}),
    NO_TEXT: frozenset({"code", "answer"}),
}


@dataclass(frozen=True)
class Item:
    """One outcome asked: its code and the level the buyer requires."""

    code: str
    target: Level


@dataclass(frozen=True)
class Request:
    """A questionnaire as the supplier receives it (``questionnaire.json``, checked)."""

    reference: str
    buyer: str
    supplier: str
    cycle: int
    due: date
    language: str
    guidance: str
    framework: str
    scale: Scale
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Answer:
    """One outcome as the supplier answers it. ``answer`` None: left unanswered."""

    code: str
    answer: Level | None
    comment: str = ""
    evidence: str = ""


@dataclass(frozen=True)
class Answered:
    """Which questionnaire an answer is for (the ``questionnaire`` block of ``answer.json``)."""

    reference: str
    package_id: str
    buyer_fingerprint: str | None
    cycle: int


@dataclass(frozen=True)
class AnswerSheet:
    """``answer.json``, checked. ``answers`` is None at the ``scores`` level."""

    answered: Answered
    framework: str
    scale: Scale
    answers: tuple[Answer, ...] | None


# -- writing ---------------------------------------------------------------------------------


def questionnaire_member(request: Request) -> dict[str, Any]:
    """``questionnaire.json`` of ``request``."""
    return {
        "reference": request.reference,
        "buyer": request.buyer,
        "supplier": request.supplier,
        "cycle": request.cycle,
        "due": request.due.isoformat(),
        "language": request.language,
        "guidance": request.guidance,
        "framework": request.framework,
        "scale": scale_to_document(request.scale),
        "items": [{"code": i.code, "target": i.target.key} for i in request.items],
    }


def answer_profile(request: Request, answers: Mapping[str, Level | None]) -> Profile:
    """The answers as a profile: the supplier's answer as Current, the buyer's level as
    Target, so that the usual roll-ups give the Function and Category scores."""
    outcomes = {
        item.code: OutcomeEntry(
            outcome=item.code, current=answers.get(item.code), target=item.target
        )
        for item in request.items
    }
    return Profile(
        name="answer", framework=request.framework, scale=request.scale, outcomes=outcomes
    )


def answer_members(
    answered: Answered,
    request: Request,
    answers: Sequence[Answer],
    level: str,
    framework: OutcomeFramework,
) -> dict[str, Any]:
    """The members of an answer package at ``level`` (see the module text)."""
    if level not in (FULL, NO_TEXT, SCORES):
        raise ValueError(f"unknown redaction level {level!r}")
    by_code = {a.code: a for a in answers}
    scores = scores_document(
        answer_profile(request, {c: a.answer for c, a in by_code.items()}), framework
    )
    # Only the Functions and Categories asked: the others would say nothing but zeros.
    for side in ("functions", "categories"):
        scores[side] = [node for node in scores[side] if node["included"]]
    body: dict[str, Any] = {
        "questionnaire": {
            "reference": answered.reference,
            "package_id": answered.package_id,
            "buyer_fingerprint": answered.buyer_fingerprint,
            "cycle": answered.cycle,
        },
        "framework": request.framework,
        "scale": scale_to_document(request.scale),
    }
    if level != SCORES:
        rows = []
        for item in request.items:
            got = by_code.get(item.code) or Answer(item.code, None)
            row: dict[str, Any] = {
                "code": item.code,
                "answer": None if got.answer is None else got.answer.key,
            }
            if level == FULL:
                row["comment"] = got.comment
                row["evidence"] = got.evidence
            rows.append(row)
        body["answers"] = rows
    return {ANSWER_MEMBER: body, "scores.json": scores}


# -- reading ---------------------------------------------------------------------------------


def _refuse(member: str, field: str, message: str) -> InputRefused:
    return InputRefused(message, file=member, field=field)


def _object(value: Any, member: str, field: str, keys: Collection[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _refuse(member, field, "must be an object")
    extra = sorted(set(value) - set(keys))
    if extra:
        raise _refuse(member, field, f"unknown fields {extra}")
    return value


def _required(doc: Mapping[str, Any], key: str, member: str, where: str) -> Any:
    if key not in doc:
        raise _refuse(member, f"{where}{key}", "is missing")
    return doc[key]


def _text(value: Any, member: str, field: str, limit: int, *, empty: bool = True) -> str:
    if not isinstance(value, str):
        raise _refuse(member, field, "must be a text")
    if len(value) > limit:
        raise _refuse(member, field, f"has {len(value):,} characters; at most {limit:,}")
    if not empty and not value.strip():
        raise _refuse(member, field, "must not be empty")
    return value


def _uuid(value: Any, member: str, field: str) -> str:
    try:
        if not isinstance(value, str) or str(uuid.UUID(value)) != value:
            raise ValueError
    except ValueError:
        raise _refuse(member, field, "must be a UUID in lower case") from None
    return value


def _cycle(value: Any, member: str, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
        raise _refuse(member, field, "must be a whole number from 1")
    return value


def _scale(value: Any, member: str) -> Scale:
    try:
        return scale_from_document(value, field="scale")
    except InputRefused as exc:
        raise _refuse(member, exc.field or "scale", exc.message) from None


def _level(scale: Scale, key: Any, member: str, field: str) -> Level:
    if isinstance(key, bool) or not isinstance(key, str | int):
        raise _refuse(member, field, f"{key!r} is not a level of the {scale.key!r} scale")
    found = scale.get(key)
    if found is None:
        keys = ", ".join(str(level.key) for level in scale.levels)
        raise _refuse(member, field, f"{key!r} is not a level of the {scale.key!r} scale ({keys})")
    return found


def _code(value: Any, member: str, field: str, known: Collection[str]) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        raise _refuse(member, field, f"{str(value)[:40]!r} is not an outcome code like GV.SC-05")
    if value not in known:
        raise _refuse(member, field, f"{value} is not an outcome of CSF 2.0")
    return value


def _list(value: Any, member: str, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise _refuse(member, field, "must be a list")
    if len(value) > MAX_ITEMS:
        raise _refuse(member, field, f"lists {len(value):,} outcomes; at most {MAX_ITEMS}")
    return value


def read_request(value: Any, *, known: Collection[str], framework: str) -> Request:
    """``questionnaire.json`` checked; ``known`` are the outcome codes of ``framework``."""
    member = QUESTIONNAIRE_MEMBER
    doc = _object(value, member, "questionnaire", _REQUEST_KEYS)
    for key in sorted(_REQUEST_KEYS):
        _required(doc, key, member, "")
    if doc["framework"] != framework:
        raise _refuse(
            member, "framework", f"{str(doc['framework'])[:40]!r}: questionnaires ask {framework}"
        )
    try:
        due = date.fromisoformat(doc["due"]) if isinstance(doc["due"], str) else None
    except ValueError:
        due = None
    if due is None or len(doc["due"]) != 10:
        raise _refuse(member, "due", "must be a day written 2026-12-31")
    if doc["language"] not in LANGUAGES:
        raise _refuse(member, "language", f"must be one of {', '.join(LANGUAGES)}")
    scale = _scale(doc["scale"], member)
    items: list[Item] = []
    seen: set[str] = set()
    raw_items = _list(doc["items"], member, "items")
    if not raw_items:
        raise _refuse(member, "items", "asks no outcome")
    for i, raw in enumerate(raw_items):
        where = f"items[{i}]"
        entry = _object(raw, member, where, ("code", "target"))
        code = _code(_required(entry, "code", member, f"{where}."), member, f"{where}.code", known)
        if code in seen:
            raise _refuse(member, f"{where}.code", f"{code} is asked twice")
        seen.add(code)
        target = _level(
            scale, _required(entry, "target", member, f"{where}."), member, f"{where}.target"
        )
        items.append(Item(code, target))
    return Request(
        reference=_uuid(doc["reference"], member, "reference"),
        buyer=_text(doc["buyer"], member, "buyer", MAX_NAME, empty=False),
        supplier=_text(doc["supplier"], member, "supplier", MAX_NAME),
        cycle=_cycle(doc["cycle"], member, "cycle"),
        due=due,
        language=doc["language"],
        guidance=_text(doc["guidance"], member, "guidance", MAX_GUIDANCE),
        framework=framework,
        scale=scale,
        items=tuple(items),
    )


def read_answer(value: Any, level: str, *, known: Collection[str]) -> AnswerSheet:
    """``answer.json`` checked against the package's redaction ``level``."""
    member = ANSWER_MEMBER
    doc = _object(value, member, "answer", _ANSWER_KEYS)
    for key in ("questionnaire", "framework", "scale"):
        _required(doc, key, member, "")
    block = _object(doc["questionnaire"], member, "questionnaire", _ANSWERED_KEYS)
    for key in sorted(_ANSWERED_KEYS):
        _required(block, key, member, "questionnaire.")
    fingerprint = block["buyer_fingerprint"]
    if fingerprint is not None and (
        not isinstance(fingerprint, str) or not _FINGERPRINT.match(fingerprint)
    ):
        raise _refuse(
            member, "questionnaire.buyer_fingerprint", "must be 40 lower-case hex digits or null"
        )
    answered = Answered(
        reference=_uuid(block["reference"], member, "questionnaire.reference"),
        package_id=_uuid(block["package_id"], member, "questionnaire.package_id"),
        buyer_fingerprint=fingerprint,
        cycle=_cycle(block["cycle"], member, "questionnaire.cycle"),
    )
    if not isinstance(doc["framework"], str) or len(doc["framework"]) > 100:
        raise _refuse(member, "framework", "must be a framework key")
    scale = _scale(doc["scale"], member)
    if level == SCORES:
        if "answers" in doc:
            raise _refuse(member, "answers", "a scores-level answer holds no answer per outcome")
        return AnswerSheet(answered, doc["framework"], scale, None)
    keys = _ANSWER_ITEM_KEYS[level]
    answers: list[Answer] = []
    seen: set[str] = set()
    for i, raw in enumerate(_list(_required(doc, "answers", member, ""), member, "answers")):
        where = f"answers[{i}]"
        entry = _object(raw, member, where, keys)
        for key in sorted(keys):
            _required(entry, key, member, f"{where}.")
        code = _code(entry["code"], member, f"{where}.code", known)
        if code in seen:
            raise _refuse(member, f"{where}.code", f"{code} is answered twice")
        seen.add(code)
        raw_answer = entry["answer"]
        answer = (
            None if raw_answer is None else _level(scale, raw_answer, member, f"{where}.answer")
        )
        answers.append(
            Answer(
                code=code,
                answer=answer,
                comment=_text(entry.get("comment", ""), member, f"{where}.comment", MAX_COMMENT),
                evidence=_text(entry.get("evidence", ""), member, f"{where}.evidence", MAX_COMMENT),
            )
        )
    return AnswerSheet(answered, doc["framework"], scale, tuple(answers))
