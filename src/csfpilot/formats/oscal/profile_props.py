"""What an OSCAL assessment result or POA&M says about the profile behind it.

OSCAL has no field for most of what an Organizational Profile holds (its
scale, roll-up rule, Tiers, an outcome's rationale, practices or owner), so
csfpilot writes those as properties in its own namespace
(:data:`csfpilot.formats.oscal.extension.NS`) and reads them back, which is
what makes the round trip exact. OSCAL tools that do not know them ignore them.

Property values must be OSCAL strings: one line, no leading or trailing
spaces. Text that is not (a note over several lines, a rationale ending in a
space) is written as a JSON string literal with the class ``json-string``,
which reads back exactly; text that already is a plain string stays readable.

UUIDs are derived (version 5) from the profile's identity and the part they
name, so exporting the same profile twice gives the same document, and a
finding keeps its UUID from one export to the next.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import TIER_ASPECTS, Profile
from csfpilot.formats.native.document import scale_to_document
from csfpilot.formats.oscal.extension import NS, OSCAL_VERSION, is_string

EXPORT_FORMAT = "1"
JSON_STRING = "json-string"
JSON_VALUE = "json"
INTEGER = "integer"
_NAMESPACE = uuid.UUID("6f1c3c0e-2d59-5a4e-9a55-6373667069c1")


def stable_uuid(identity: str, *parts: str) -> str:
    """A version 5 UUID for a part of a profile's export, the same on every export."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join((identity, *parts))))


def timestamp(when: datetime | None) -> str:
    """OSCAL's date-time with a time zone, to the second."""
    when = when or datetime.now(UTC)
    if when.tzinfo is None:
        raise ValueError("an OSCAL time needs a time zone")
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def text_prop(name: str, text: str, *, keep_empty: bool = False) -> list[dict[str, str]]:
    """A property holding ``text`` exactly (``[]`` for empty text unless ``keep_empty``)."""
    if text == "" and not keep_empty:
        return []
    if is_string(text):
        return [{"name": name, "ns": NS, "value": text}]
    return [
        {"name": name, "ns": NS, "value": json.dumps(text, ensure_ascii=True), "class": JSON_STRING}
    ]


def texts_prop(name: str, items: Iterable[str]) -> list[dict[str, str]]:
    return [p for item in items for p in text_prop(name, item, keep_empty=True)]


def key_prop(name: str, key: str | int | None) -> list[dict[str, str]]:
    """A level key, which is text or a whole number: the class says which."""
    if key is None:
        return []
    if isinstance(key, int):
        return [{"name": name, "ns": NS, "value": str(key), "class": INTEGER}]
    return text_prop(name, key, keep_empty=True)


def value_of(prop: Mapping[str, Any]) -> Any:
    """The exact value a csfpilot property holds, undoing :func:`text_prop`/:func:`key_prop`."""
    value = str(prop.get("value", ""))
    kind = prop.get("class")
    try:
        if kind == JSON_STRING:
            decoded = json.loads(value)
            if not isinstance(decoded, str):
                raise ValueError("not a string")
            return decoded
        if kind == JSON_VALUE:
            return json.loads(value)
        if kind == INTEGER:
            return int(value)
    except ValueError:
        raise InputRefused(
            f"the csfpilot property {prop.get('name')!r} holds {value[:60]!r}, which is not "
            f"{kind} data"
        ) from None
    return value


class Props:
    """csfpilot's properties on one OSCAL object, read by name."""

    def __init__(self, obj: Mapping[str, Any]) -> None:
        self.values: dict[str, list[Any]] = {}
        for p in obj.get("props") or ():
            if p.get("ns") == NS:
                self.values.setdefault(str(p.get("name")), []).append(value_of(p))

    def one(self, name: str, default: Any = "") -> Any:
        values = self.values.get(name)
        return values[0] if values else default

    def many(self, name: str) -> list[Any]:
        return list(self.values.get(name, ()))

    def has(self, name: str) -> bool:
        return name in self.values


def profile_props(profile: Profile) -> list[dict[str, str]]:
    """The profile-level facts: name, scope, scale, roll-up, Tiers; on ``metadata``."""
    out: list[dict[str, str]] = [{"name": "export-format", "ns": NS, "value": EXPORT_FORMAT}]
    out += text_prop("profile-name", profile.name)
    out += text_prop("profile-kind", profile.kind.value)
    out += text_prop("framework", profile.framework)
    out += text_prop("scope-type", profile.scope.type.value)
    out += text_prop("scope-name", profile.scope.name)
    out += text_prop("profile-description", profile.description)
    out += text_prop("assumptions", profile.assumptions)
    scale = scale_to_document(profile.scale)
    if isinstance(scale, str):
        out += text_prop("scale", scale)
    else:
        encoded = json.dumps(scale, ensure_ascii=True, separators=(",", ":"))
        out.append({"name": "scale", "ns": NS, "value": encoded, "class": JSON_VALUE})
    out += text_prop("rollup", profile.rollup.value)
    out += text_prop("based-on", profile.based_on)
    for aspect in TIER_ASPECTS:
        rating = profile.tiers.aspect(aspect)
        for side in ("current", "target"):
            tier = getattr(rating, side)
            if tier is not None:
                out.append(
                    {
                        "name": f"tier-{aspect}-{side}",
                        "ns": NS,
                        "value": str(int(tier)),
                        "class": INTEGER,
                    }
                )
            out += text_prop(
                f"tier-{aspect}-{side}-rationale", getattr(rating, f"{side}_rationale")
            )
    return out


def profile_document(metadata: Mapping[str, Any], *, file: str) -> dict[str, Any]:
    """A native profile document (without outcomes or actions) from :func:`profile_props`."""
    props = Props(metadata)
    if not props.has("export-format"):
        raise InputRefused(
            "this OSCAL document was not written by csfpilot (its metadata has no "
            f"{NS} export-format property), so it does not say which profile it belongs to",
            file=file,
            field="metadata.props",
        )
    version = props.one("export-format")
    if version != EXPORT_FORMAT:
        raise InputRefused(
            f"this document uses csfpilot's OSCAL export format {version!r}; this csfpilot "
            f"reads format {EXPORT_FORMAT}",
            file=file,
            field="metadata.props",
        )
    doc: dict[str, Any] = {
        "format_version": 1,
        "kind": props.one("profile-kind", "organizational"),
        "framework": props.one("framework"),
        "name": props.one("profile-name"),
        "scope": {"type": props.one("scope-type", "organization"), "name": props.one("scope-name")},
        "description": props.one("profile-description"),
        "assumptions": props.one("assumptions"),
        "scale": props.one("scale"),
        "rollup": props.one("rollup", "equal"),
    }
    if props.has("based-on"):
        doc["based_on"] = props.one("based-on")
    tiers: dict[str, Any] = {}
    for aspect in TIER_ASPECTS:
        rating: dict[str, Any] = {}
        for side in ("current", "target"):
            if props.has(f"tier-{aspect}-{side}"):
                rating[side] = props.one(f"tier-{aspect}-{side}")
            if props.has(f"tier-{aspect}-{side}-rationale"):
                rating[f"{side}_rationale"] = props.one(f"tier-{aspect}-{side}-rationale")
        tiers[aspect] = rating
    doc["tiers"] = tiers
    return doc


def oscal_metadata(title: str, when: str, props: list[dict[str, str]], **more: Any) -> dict:
    return {
        "title": title,
        "last-modified": when,
        "version": "1",
        "oscal-version": OSCAL_VERSION,
        "props": props,
        **more,
    }
