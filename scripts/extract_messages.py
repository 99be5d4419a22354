"""Find every translatable string of the web app and add the new ones to the .po files.

Works without GNU gettext: templates are read with Django's own template lexer
and Python modules with :mod:`ast`, and each message id is built the way Django
builds it at render time (``{% blocktranslate %}`` variables become
``%(name)s``, a literal ``%`` becomes ``%%``, ``trimmed`` collapses whitespace),
so an id found here is exactly the id Django looks up.

    python scripts/extract_messages.py          # add new ids, report stale ones
    python scripts/extract_messages.py --prune  # also drop ids no longer used
    python scripts/extract_messages.py --check  # exit 1 if any id is missing

Then translate the new entries and run ``scripts/compile_messages.py``.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polib
from django.template.base import Lexer, TokenType
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import trim_whitespace

ROOT = Path(__file__).resolve().parent.parent
WEBAPP = ROOT / "src" / "csfpilot" / "webapp"
LOCALE = WEBAPP / "locale"
LANGUAGES = ("zh_Hant",)

# _("...") inside a variable or a tag argument, as Django's own extractor finds it.
_UNDERSCORE = re.compile(r"""_\(((?:"[^"\\]*(?:\\.[^"\\]*)*")|(?:'[^'\\]*(?:\\.[^'\\]*)*'))\)""")
_PY_SINGULAR = {"gettext", "gettext_lazy", "gettext_noop", "_"}
_PY_PLURAL = {"ngettext", "ngettext_lazy"}
_PY_CONTEXT = {"pgettext", "pgettext_lazy"}
_PY_CONTEXT_PLURAL = {"npgettext", "npgettext_lazy"}


@dataclass(frozen=True)
class Message:
    """One message id as gettext keys it: (context, singular), with its plural if any."""

    msgid: str
    plural: str = ""
    context: str = ""


@dataclass
class Catalog:
    messages: dict[tuple[str, str], Message] = field(default_factory=dict)
    where: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def add(self, message: Message, origin: str) -> None:
        key = (message.context, message.msgid)
        self.messages.setdefault(key, message)
        self.where.setdefault(key, []).append(origin)


class TemplateSyntaxProblem(ValueError):
    """A translation tag this extractor cannot read (it names the file and line)."""


def _literal(bit: str, origin: str) -> str:
    try:
        return unescape_string_literal(bit)
    except ValueError as exc:
        raise TemplateSyntaxProblem(f"{origin}: expected a quoted string, got {bit!r}") from exc


def _tag_option(bits: list[str], name: str, origin: str) -> str:
    if name in bits:
        i = bits.index(name)
        if i + 1 >= len(bits):
            raise TemplateSyntaxProblem(f"{origin}: {name} needs a value")
        return _literal(bits[i + 1], origin)
    return ""


def template_messages(source: str, origin: str) -> Iterator[Message]:
    """The messages of one template, in the order they appear."""
    tokens = Lexer(source).tokenize()
    i = 0
    in_comment = False
    while i < len(tokens):
        tok = tokens[i]
        where = f"{origin}:{tok.lineno}"
        if tok.token_type == TokenType.BLOCK:
            bits = list(smart_split(tok.contents))
            name = bits[0] if bits else ""
            if name == "comment":
                in_comment = True
            elif name == "endcomment":
                in_comment = False
            elif in_comment:
                pass
            elif name in ("translate", "trans"):
                if len(bits) < 2:
                    raise TemplateSyntaxProblem(f"{where}: {name} needs a string")
                if bits[1][:1] in "\"'":
                    yield Message(
                        _literal(bits[1], where), context=_tag_option(bits, "context", where)
                    )
            elif name in ("blocktranslate", "blocktrans"):
                end = ("endblocktranslate", "endblocktrans")
                singular: list[str] = []
                plural: list[str] = []
                current = singular
                i += 1
                while i < len(tokens):
                    inner = tokens[i]
                    if inner.token_type == TokenType.BLOCK:
                        inner_name = inner.contents.split()[0] if inner.contents.split() else ""
                        if inner_name == "plural":
                            current = plural
                        elif inner_name in end:
                            break
                        else:
                            raise TemplateSyntaxProblem(
                                f"{origin}:{inner.lineno}: {{% {inner_name} %}} is not allowed "
                                f"inside {name}"
                            )
                    elif inner.token_type == TokenType.VAR:
                        current.append(f"%({inner.contents})s")
                    elif inner.token_type == TokenType.TEXT:
                        current.append(inner.contents.replace("%", "%%"))
                    i += 1
                msgid, msgid_plural = "".join(singular), "".join(plural)
                if "trimmed" in bits:
                    msgid, msgid_plural = trim_whitespace(msgid), trim_whitespace(msgid_plural)
                yield Message(msgid, msgid_plural, _tag_option(bits, "context", where))
            if not in_comment:
                for m in _UNDERSCORE.finditer(tok.contents):
                    yield Message(_literal(m.group(1), where))
        elif tok.token_type == TokenType.VAR and not in_comment:
            for m in _UNDERSCORE.finditer(tok.contents):
                yield Message(_literal(m.group(1), where))
        i += 1


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _strings(args: list[ast.expr], count: int) -> list[str] | None:
    if len(args) < count:
        return None
    out = []
    for a in args[:count]:
        if not (isinstance(a, ast.Constant) and isinstance(a.value, str)):
            return None
        out.append(a.value)
    return out


def python_messages(source: str, origin: str) -> Iterator[Message]:
    """The messages of one Python module (calls of the gettext family with literal ids)."""
    for node in ast.walk(ast.parse(source, filename=origin)):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name in _PY_SINGULAR and (s := _strings(node.args, 1)):
            yield Message(s[0])
        elif name in _PY_PLURAL and (s := _strings(node.args, 2)):
            yield Message(s[0], s[1])
        elif name in _PY_CONTEXT and (s := _strings(node.args, 2)):
            yield Message(s[1], context=s[0])
        elif name in _PY_CONTEXT_PLURAL and (s := _strings(node.args, 3)):
            yield Message(s[1], s[2], context=s[0])


def source_files(root: Path = WEBAPP) -> Iterable[Path]:
    for path in sorted(root.rglob("*")):
        if "migrations" in path.parts or "__pycache__" in path.parts:
            continue
        if path.suffix == ".py" or (path.suffix in (".html", ".txt") and "templates" in path.parts):
            yield path


def extract(root: Path = WEBAPP) -> Catalog:
    """Every message of the web app's templates and Python modules."""
    catalog = Catalog()
    for path in source_files(root):
        text = path.read_text(encoding="utf-8")
        origin = str(path.relative_to(ROOT))
        found = (
            python_messages(text, origin)
            if path.suffix == ".py"
            else template_messages(text, origin)
        )
        for message in found:
            if message.msgid:
                catalog.add(message, origin)
    return catalog


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def missing(catalog: Catalog, po: polib.POFile) -> list[Message]:
    """Messages the code uses that the .po has no finished translation for."""
    out = []
    for (context, msgid), message in catalog.messages.items():
        entry = po.find(msgid, msgctxt=context or None)
        finished = (
            entry is not None
            and not entry.obsolete
            and "fuzzy" not in entry.flags
            and (all(entry.msgstr_plural.values()) if message.plural else bool(entry.msgstr))
        )
        if not finished:
            out.append(message)
    return out


def stale(catalog: Catalog, po: polib.POFile) -> list[polib.POEntry]:
    """Entries of the .po that no template or module uses any more."""
    used = set(catalog.messages)
    return [e for e in po if not e.obsolete and (e.msgctxt or "", e.msgid) not in used]


def merge(catalog: Catalog, po: polib.POFile, *, prune: bool) -> tuple[int, int]:
    """Add new messages (untranslated) to ``po``; with ``prune`` drop stale ones."""
    added = 0
    for (context, msgid), message in sorted(catalog.messages.items()):
        if po.find(msgid, msgctxt=context or None) is not None:
            continue
        entry = polib.POEntry(msgid=msgid, msgctxt=context or None)
        if message.plural:
            entry.msgid_plural = message.plural
            entry.msgstr_plural = {0: ""}
        if "%(" in msgid or "%s" in msgid:
            entry.flags.append("python-format")
        entry.occurrences = [(o, "") for o in sorted(set(catalog.where[(context, msgid)]))]
        po.append(entry)
        added += 1
    removed = 0
    if prune:
        for entry in stale(catalog, po):
            po.remove(entry)
            removed += 1
    return added, removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prune", action="store_true", help="drop entries no longer used")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if missing")
    args = parser.parse_args(argv)
    catalog = extract()
    status = 0
    for language in LANGUAGES:
        path = po_path(language)
        po = polib.pofile(str(path), wrapwidth=0)
        if args.check:
            gaps = missing(catalog, po)
            for message in gaps:
                origins = ", ".join(catalog.where[(message.context, message.msgid)][:3])
                print(f"{language}: untranslated {message.msgid!r} ({origins})")
            status = status or (1 if gaps else 0)
            continue
        added, removed = merge(catalog, po, prune=args.prune)
        po.save(str(path))
        for entry in [] if args.prune else stale(catalog, po):
            print(f"{language}: no longer used: {entry.msgid!r} (run with --prune to drop)")
        print(f"{path.relative_to(ROOT)}: {added} added, {removed} removed")
    return status


if __name__ == "__main__":
    sys.exit(main())
