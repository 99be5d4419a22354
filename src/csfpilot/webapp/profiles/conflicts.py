"""A save that would overwrite someone else's newer change is refused, with their values.

Profiles are edited by several people at once: an assessor fills the
questionnaire while the outcome owner adds evidence. Every stored profile,
outcome and action carries a ``version``; a save names the version it was
based on. When that is no longer the stored version, somebody saved in
between, and saving anyway would silently drop their change (a *lost
update*). :class:`StaleEdit` refuses it and carries what is stored now, so the
person can see the other value and decide.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from csfpilot.core.errors import ConflictError


def _show(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str):
        return repr(value if len(value) <= 80 else value[:77] + "…")
    return str(value)


class StaleEdit(ConflictError):
    """Someone saved ``element`` after the caller read it; nothing was saved.

    ``current`` holds the stored values now (the other person's), ``version``
    the stored version to base a retry on, ``yours`` the values that were
    refused, and ``changed_by`` / ``changed_at`` who saved last and when.
    """

    def __init__(
        self,
        element: str,
        *,
        sent_version: int,
        version: int,
        current: dict[str, Any],
        yours: dict[str, Any],
        changed_by: str = "",
        changed_at: datetime | None = None,
    ) -> None:
        self.element = element
        self.sent_version = sent_version
        self.version = version
        self.current = current
        self.yours = yours
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__(self.describe())

    def differences(self) -> dict[str, tuple[Any, Any]]:
        """Field → (theirs, yours) for every field the refused save would have changed."""
        return {
            name: (self.current.get(name), value)
            for name, value in self.yours.items()
            if name in self.current and self.current.get(name) != value
        }

    def describe(self) -> str:
        who = f" by {self.changed_by}" if self.changed_by else ""
        when = f" at {self.changed_at.isoformat(timespec='seconds')}" if self.changed_at else ""
        head = (
            f"{self.element} was changed{who}{when} after you opened it "
            f"(you edited version {self.sent_version}, it is now version {self.version}); "
            "nothing was saved"
        )
        diffs = self.differences()
        if not diffs:
            return f"{head}. Reload it and save again."
        shown = "; ".join(
            f"{name} is now {_show(theirs)} (yours: {_show(yours)})"
            for name, (theirs, yours) in diffs.items()
        )
        return f"{head}: {shown}. Reload, then apply your change again if it still holds."
