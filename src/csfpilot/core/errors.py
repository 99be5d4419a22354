"""Errors the domain and the importers raise.

Every refusal names where the problem is (file, line, element, field) so that a
user can fix the input without reading a stack trace.
"""

from __future__ import annotations


class CsfpilotError(Exception):
    """Base class of every error csfpilot raises on purpose."""


class InputRefused(CsfpilotError):
    """A file or payload was refused; nothing from it was stored.

    ``where`` pieces are optional; ``str()`` joins the ones given, e.g.
    ``catalog.json: element GV.OC-06: field text: ...``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        element: str | None = None,
        field: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.element = element
        self.field = field
        self.sheet = sheet
        self.row = row
        self.column = column
        super().__init__(str(self))

    def __reduce__(self):  # type: ignore[override]
        # Raised in a report process and read in the web worker: pickling must keep the
        # pieces of ``where``, not only the joined message.
        return (_rebuild_refusal, (type(self), self.message, self._where()))

    def _where(self) -> dict[str, object]:
        names = ("file", "line", "element", "field", "sheet", "row", "column")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

    def location(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        elif self.line:
            parts.append(f"line {self.line}")
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        if self.element:
            parts.append(f"element {self.element}")
        if self.field:
            parts.append(f"field {self.field}")
        return ": ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


def _rebuild_refusal(
    cls: type[InputRefused], message: str, where: dict[str, object]
) -> InputRefused:
    refusal = InputRefused.__new__(cls)
    InputRefused.__init__(refusal, message, **where)  # type: ignore[arg-type]
    return refusal


class CatalogInvariantError(InputRefused):
    """A framework file breaks a rule NIST's content must follow (e.g. 106 subcategories)."""


class ConflictError(CsfpilotError):
    """Someone else changed the object since it was read (optimistic locking)."""


class NotFound(CsfpilotError):
    """A framework, element or object that was asked for does not exist."""
