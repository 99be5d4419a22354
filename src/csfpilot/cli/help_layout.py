"""Help screens that read well in an 80-column terminal.

Typer's Rich help has three habits that make csfpilot's help hard to read, each
corrected here once for every command (``install()`` runs when the CLI loads):

- a flag (``--json``, ``--demo/--no-demo``) is shown with a ``<bool>`` placeholder,
  as if it took a value; it takes none, so no placeholder is shown;
- a paragraph after the first keeps the line breaks of the docstring it came
  from, so at 80 columns a sentence breaks in the middle and continues on a
  short line; paragraphs are joined into flowing text, as the first one is;
- a list of choices is one word (``<owner|assessor|...>``) that Rich cuts in the
  middle of a name when the column is narrow; the choices are spaced so that
  they wrap between names.

docs/cli.md is built from the same command objects by csfpilot.cli.reference,
which does not go through Rich, so none of this changes it.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand, TyperGroup, TyperOption

_display_type_rich = TyperOption.display_type_rich


def _value_placeholder(self: TyperOption, ctx: Any) -> str | None:
    if self.is_flag:
        return None
    shown = _display_type_rich(self, ctx)
    if shown and self.type_descriptor.is_choice and "|" in shown:
        return shown.replace("|", " | ")
    return shown


def _flowing_paragraphs(paragraphs: list[str], markup_mode: Any) -> str:
    # "\b" at the start of a paragraph asks Click to keep its lines as written.
    return "\n\n".join(
        p if p.startswith("\b") else " ".join(line.strip() for line in p.splitlines())
        for p in paragraphs
    )


def _on_help(format_help: Any) -> Any:
    # Typer's Rich help module loads rich.markdown, markdown-it and Pygments (a tenth of a
    # second); it is imported, and corrected, only when a help screen is shown.
    def format_help_flowing(self: Any, ctx: Any, formatter: Any) -> Any:
        import typer.rich_utils

        typer.rich_utils._fix_linebreaks = _flowing_paragraphs
        return format_help(self, ctx, formatter)

    return format_help_flowing


def install() -> None:
    if TyperOption.display_type_rich is _value_placeholder:  # type: ignore[comparison-overlap]
        return  # installed already
    TyperOption.display_type_rich = _value_placeholder  # type: ignore[method-assign]
    for command in (TyperCommand, TyperGroup):
        command.format_help = _on_help(command.format_help)  # type: ignore[method-assign]
