"""What changes for a profile when it moves from one release of a framework to a newer one.

A profile is tied to the release it was started on (``csf-2.0``); NIST's next
release is loaded beside it (``csf-2.1``) and nothing moves by itself. Moving a
profile means reading each of its outcomes in the new release:

- the same id with the same statement: the answers carry over;
- the same id with a changed statement: the answers carry over, and the change
  is shown so that the person moving can check them;
- an outcome the new release withdrew and moved or incorporated elsewhere
  (NIST's migration rows): its answers carry over to the one outcome it went
  to, when it went to one only and nothing else went there; otherwise the
  destinations start not assessed and the move says so;
- an outcome the new release withdrew without a destination: its answers are
  not carried;
- an outcome the new release added: it starts not assessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from csfpilot.core.catalog.core_copies import same_text
from csfpilot.core.catalog.model import Catalog, Mapping


@dataclass
class ReleaseChanges:
    """The outcome-level differences between two releases (see the module docstring)."""

    old_key: str
    new_key: str
    same: list[str] = field(default_factory=list)
    text_changed: list[tuple[str, str, str]] = field(default_factory=list)  # id, old, new
    moved: dict[str, tuple[str, ...]] = field(default_factory=dict)  # old id → new ids
    withdrawn: list[str] = field(default_factory=list)  # old ids with no destination
    added: list[str] = field(default_factory=list)  # new ids nothing carries into

    def carried(self) -> dict[str, str]:
        """Old outcome id → the new outcome that takes its answers."""
        out = {code: code for code in self.same}
        out.update((code, code) for code, _, _ in self.text_changed)
        into: dict[str, list[str]] = {}
        for old, new in self.moved.items():
            for code in new:
                into.setdefault(code, []).append(old)
        for old, new in self.moved.items():
            if len(new) == 1 and into[new[0]] == [old] and new[0] not in out.values():
                out[old] = new[0]
        return out

    def not_carried(self) -> list[str]:
        """Old outcomes whose answers do not reach the new release."""
        carried = self.carried()
        return [c for c in [*self.moved, *self.withdrawn] if c not in carried]


def release_changes(old: Catalog, new: Catalog, moves: Iterable[Mapping] = ()) -> ReleaseChanges:
    """Compare the outcomes of ``old`` and ``new``; ``moves`` are NIST's migration rows from
    ``old``'s ids to ``new``'s (incorporated into, moved to)."""
    level = old.info.outcome_level or new.info.outcome_level
    changes = ReleaseChanges(old_key=old.info.key, new_key=new.info.key)
    went: dict[str, list[str]] = {}
    for m in moves:
        if m.target:
            went.setdefault(m.source, []).append(m.target)
    new_outcomes = {n.code: n for n in new.at_level(level)}
    for node in old.at_level(level):
        after = new_outcomes.get(node.code)
        if after is not None:
            if same_text(node.text, after.text):
                changes.same.append(node.code)
            else:
                changes.text_changed.append((node.code, node.text, after.text))
            continue
        targets = tuple(dict.fromkeys(t for t in went.get(node.code, []) if t in new_outcomes))
        if targets:
            changes.moved[node.code] = targets
        else:
            changes.withdrawn.append(node.code)
    carried = set(changes.carried().values())
    changes.added = [code for code in new_outcomes if code not in carried]
    return changes
