"""``csfpilot assess``: the guided questionnaire in the terminal.

One outcome at a time, with NIST's outcome statement and Implementation
Examples as help. Each answer is one key, the same as in the browser
(:func:`csfpilot.core.profiles.answer_keys`: ``n``/``p``/``l``/``f``/``a`` for
implementation status, ``0``–``5``/``a`` for maturity), plus ``s`` (or →)
to skip, ``b`` (or ←) to go back, ``?`` for what the levels mean, and ``q``
to quit. Every answer is written to the profile file at once,
atomically, so quitting — or a crash — loses nothing, and the next run
resumes at the first unanswered outcome. If the file changes on disk between
two answers (an editor, a ``git pull``), the answer is applied on top of the
new content instead of overwriting it.

Keys are read one at a time: raw from a terminal, or character by character
from a pipe, which is how the questionnaire is scripted and tested.
"""

from __future__ import annotations

import hashlib
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console
from rich.rule import Rule

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import Level, Profile, ProfileKind, Side, answer_keys
from csfpilot.formats.native import atomic_write_text, dump_profile, format_of, parse_profile
from csfpilot.formats.native.files import MAX_PROFILE_BYTES
from csfpilot.formats.native.reference import ProfileReference, bundled_reference
from csfpilot.formats.safe_json import read_limited

console = Console(highlight=False)
err = Console(stderr=True, highlight=False)

SKIP, BACK, QUIT, HELP = "s", "b", "q", "?"
_ARROWS = {"[C": SKIP, "[D": BACK, "OC": SKIP, "OD": BACK}


class SideChoice(StrEnum):
    CURRENT = "current"
    TARGET = "target"


class KeyReader:
    """One keypress at a time from a terminal, or one character at a time from a pipe.

    Used as a context manager: on a terminal it switches to cbreak mode (keys
    arrive without Enter and are not echoed) for the whole session, so keys
    typed ahead are kept, and restores the terminal on the way out.
    """

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._saved: list[Any] | None = None
        try:
            self.tty = stream.isatty()
        except (AttributeError, ValueError):
            self.tty = False

    def __enter__(self) -> KeyReader:
        if self.tty:
            import termios
            import tty

            fd = self.stream.fileno()
            self._saved = termios.tcgetattr(fd)
            # TCSANOW, not the default TCSAFLUSH: keys typed ahead must not be dropped.
            tty.setcbreak(fd, termios.TCSANOW)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._saved is not None:
            import termios

            termios.tcsetattr(self.stream.fileno(), termios.TCSADRAIN, self._saved)
            self._saved = None

    def read(self) -> str | None:
        """The next key; ``None`` at the end of input. Arrows map to skip/back."""
        raw = self._read_tty() if self.tty else self._read_pipe()
        if raw is None:
            return None
        if raw.startswith("\x1b"):
            return _ARROWS.get(raw[1:3], "")
        if raw == "\x04":  # Ctrl-D in cbreak mode
            return None
        return raw[:1]

    def _read_tty(self) -> str | None:
        data = os.read(self.stream.fileno(), 8)
        if not data:
            return None
        return data.decode("utf-8", errors="replace")

    def _read_pipe(self) -> str | None:
        while True:
            ch = self.stream.read(1)
            if ch == "":
                return None
            if ch in "\r\n\t ":
                continue
            if ch == "\x1b":
                return ch + self.stream.read(2)
            return ch


class ProfileFile:
    """The profile being answered, kept in step with its file on disk."""

    def __init__(self, path: Path, ref: ProfileReference) -> None:
        self.path = path
        self.ref = ref
        self.fmt = format_of(path)
        self.profile, self.digest = self._read()

    def _read(self) -> tuple[Profile, str]:
        data = read_limited(self.path, name=str(self.path), max_bytes=MAX_PROFILE_BYTES)
        loaded = parse_profile(
            data,
            name=str(self.path),
            fmt=self.fmt,
            framework=self.ref.framework,
            withdrawals=self.ref.withdrawals,
        )
        return loaded.profile, hashlib.sha256(data).hexdigest()

    def answer(self, outcome: str, side: Side, level: Level | None) -> bool:
        """Record one answer and write the file; True when the file had changed on disk."""
        on_disk = hashlib.sha256(self.path.read_bytes()).hexdigest()
        changed = on_disk != self.digest
        if changed:
            self.profile, self.digest = self._read()
        key = None if level is None else level.key
        self.profile = self.profile.with_rating(outcome, side, key)
        text = dump_profile(self.profile, self.fmt, framework=self.ref.framework)
        atomic_write_text(self.path, text)
        self.digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return changed


def progress_line(profile: Profile, ref: ProfileReference, side: Side) -> str:
    """``GV 3/31 · ID 0/21 · …  —  3/106 answered``: answered of included, by Function."""
    fw = ref.framework
    top_level = fw.group_levels[0]
    parts = []
    total_done = total = 0
    for group in fw.at_level(top_level):
        codes = [c for c in fw.outcomes_under(group.code) if profile.is_included(c)]
        done = sum(1 for c in codes if profile.outcomes[c].rating(side) is not None)
        total_done += done
        total += len(codes)
        parts.append(f"{group.code} {done}/{len(codes)}")
    return " · ".join(parts) + f"  —  {total_done}/{total} answered"


def _show_question(
    profile: Profile,
    ref: ProfileReference,
    side: Side,
    codes: list[str],
    i: int,
    keys: dict[str, Level],
) -> None:
    fw = ref.framework
    code = codes[i]
    entry = profile.outcomes[code]
    console.print(Rule())
    console.print(progress_line(profile, ref, side))
    path = " › ".join(f"{g} {fw.text(g)}".strip() for g in fw.ancestors(code))
    console.print(f"[bold][{i + 1}/{len(codes)}] {code}[/]  {path}")
    console.print(f"[bold]{fw.text(code)}[/]")
    examples = ref.examples(code)
    if examples:
        console.print("Implementation Examples:")
        for ex in examples:
            console.print(f"  {ex.title}: {ex.text}")
    rating = entry.rating(side)
    other = entry.rating(Side.TARGET if side is Side.CURRENT else Side.CURRENT)
    line = f"{side.value.capitalize()}: {rating.label if rating else 'not answered'}"
    if other is not None:
        other_side = Side.TARGET if side is Side.CURRENT else Side.CURRENT
        line += f"   ({other_side.value}: {other.label})"
    console.print(line)
    console.print("  ".join(f"[bold]{k}[/] {lv.label}" for k, lv in keys.items()))
    console.print("[bold]s[/] skip  [bold]b[/] back  [bold]?[/] level meanings  [bold]q[/] quit")


def _start_index(profile: Profile, codes: list[str], side: Side, start: str) -> int | None:
    if start:
        if start not in codes:
            raise InputRefused(f"{start} is not an included outcome of this profile", element=start)
        return codes.index(start)
    for i, code in enumerate(codes):
        if profile.outcomes[code].rating(side) is None:
            return i
    return None


def _ask(
    pf: ProfileFile,
    ref: ProfileReference,
    side: Side,
    codes: list[str],
    i: int,
    keys: dict[str, Level],
    reader: KeyReader,
) -> None:
    """The question loop: show an outcome, read one key, act on it, until done or quit."""
    shown = -1
    while 0 <= i < len(codes):
        if i != shown:
            _show_question(pf.profile, ref, side, codes, i, keys)
            shown = i
        key = reader.read()
        if key is None or key == QUIT:
            return
        if key == SKIP:
            i += 1
        elif key == BACK:
            if i == 0:
                console.print("This is the first outcome.")
            i = max(0, i - 1)
        elif key == HELP:
            for k, lv in keys.items():
                console.print(f"  {k}  {lv.label}: {lv.description or lv.label}")
        elif key in keys:
            try:
                changed = pf.answer(codes[i], side, keys[key])
            except (InputRefused, OSError) as exc:
                err.print(f"[bold red]error:[/] the answer was not saved: {exc}")
                raise typer.Exit(1) from None
            if changed:
                console.print("(The file had changed on disk; the answer was added to it.)")
            console.print(f"Saved {codes[i]}: {keys[key].label}")
            i += 1
        elif key:
            console.print(f"{key!r} is not an answer here; press one of the keys shown.")


def assess(
    file: Annotated[
        Path, typer.Argument(help="The profile file to fill in (it is saved as you go).")
    ],
    side: Annotated[
        SideChoice, typer.Option(help="Which side to rate: current (today) or target.")
    ] = SideChoice.CURRENT,
    start: Annotated[
        str, typer.Option(help="Start at this outcome id instead of the first unanswered one.")
    ] = "",
) -> None:
    """Answer the profile's outcomes one at a time in the terminal; resumes where you left off."""
    which = Side(side.value)
    ref = bundled_reference()
    try:
        pf = ProfileFile(file, ref)
    except InputRefused as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(1) from None
    except OSError as exc:
        err.print(f"[bold red]error:[/] {file}: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    profile = pf.profile
    if profile.is_snapshot:
        err.print(f"[bold red]error:[/] {file} is a snapshot; snapshots never change")
        raise typer.Exit(1)
    if profile.kind is ProfileKind.COMMUNITY and which is Side.CURRENT:
        err.print(
            f"[bold red]error:[/] {file} is a Community Profile (targets only); use --side target"
        )
        raise typer.Exit(1)
    codes = [c for c in ref.framework.outcomes if profile.is_included(c)]
    if not codes:
        err.print(f"[bold red]error:[/] {file} includes no outcomes to assess")
        raise typer.Exit(1)
    try:
        i = _start_index(profile, codes, which, start)
    except InputRefused as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(1) from None
    if i is None:
        console.print(
            f"All {len(codes)} included outcomes have a {which.value} answer. "
            f"Use --start <id> to revise one."
        )
        return
    keys = answer_keys(profile.scale)
    try:
        with KeyReader(sys.stdin) as reader:
            _ask(pf, ref, which, codes, i, keys, reader)
    except KeyboardInterrupt:
        console.print()
    remaining = [c for c in codes if pf.profile.outcomes[c].rating(which) is None]
    console.print(Rule())
    console.print(progress_line(pf.profile, ref, which))
    if remaining:
        console.print(
            f"{len(remaining)} outcomes still unanswered; run `csfpilot assess {file}` "
            "again to continue."
        )
    else:
        console.print(f"All {len(codes)} included outcomes answered. Saved to {file}.")
