"""Compile the web app's translations (.po → .mo) with polib, no GNU gettext needed.

    python scripts/compile_messages.py          # write every django.mo
    python scripts/compile_messages.py --check  # exit 1 if a .mo is missing or stale

The compiled files are committed, so that an installed csfpilot speaks
Traditional Chinese without a build step.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "src" / "csfpilot" / "webapp" / "locale"

Translations = dict[tuple[str, str], object]


def po_files(locale: Path = LOCALE) -> list[Path]:
    return sorted(locale.glob("*/LC_MESSAGES/*.po"))


def translations(entries: polib._BaseFile) -> Translations:
    """(context, msgid) → translation, for the entries gettext would actually use.

    Untranslated, fuzzy and obsolete entries are left out, as msgfmt leaves them
    out; the header (empty msgid) is kept because it carries the plural rule.
    """
    out: Translations = {}
    for e in entries:
        if e.obsolete or "fuzzy" in e.flags:
            continue
        key = (e.msgctxt or "", e.msgid)
        if e.msgid_plural:
            forms = tuple(e.msgstr_plural[k] for k in sorted(e.msgstr_plural))
            if all(forms):
                out[key] = (e.msgid_plural, forms)
        elif e.msgstr:
            out[key] = e.msgstr
    header = entries.ordered_metadata() if hasattr(entries, "ordered_metadata") else []
    out[("", "")] = tuple(header)
    return out


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def stale(po_path: Path) -> str | None:
    """Why the .mo beside ``po_path`` does not match it, or None when it does."""
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return f"{_shown(mo_path)} is missing"
    want = translations(polib.pofile(str(po_path)))
    have = translations(polib.mofile(str(mo_path)))
    if want != have:
        changed = sorted(k[1] for k in set(want) ^ set(have) if k != ("", ""))
        changed += sorted(k[1] for k in set(want) & set(have) if want[k] != have[k])
        sample = ", ".join(repr(c) for c in changed[:5]) or "the header"
        return f"{_shown(mo_path)} does not match its .po ({sample})"
    return None


def compile_all(locale: Path = LOCALE) -> list[Path]:
    written = []
    for po_path in po_files(locale):
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        written.append(po_path.with_suffix(".mo"))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args(argv)
    if args.check:
        problems = [p for p in (stale(path) for path in po_files()) if p]
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    for path in compile_all():
        print(f"wrote {_shown(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
