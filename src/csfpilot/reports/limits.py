"""Limits on what rendering one report may cost: time, loop iterations, string size, output.

A template that passes its test render can still hold a "time bomb": loops
that only run for some data (``{% if "BOOM" in meta.title %}`` and nested
ranges), a string multiplied into gigabytes, a template that includes itself.
Jinja2's sandbox stops a template from reaching Python; :class:`LimitedEnvironment`
also stops it from taking a worker's time or memory, on every render:

- every ``{% for %}`` loop is counted, over the whole render, against
  ``max_iterations``, and the render's time is checked against ``seconds`` at each
  iteration (no signals or threads needed: everything that can take long loops);
- ``range()`` is at most ``max_iterations`` long; recursive loops are refused;
- every string or list a template makes (``*``, ``+``, ``~``, ``%``, ``format``,
  ``replace``, padding, ``join``, ``indent``) is at most ``max_string`` long, checked
  before it is made; integers are kept to a few thousand bits;
- every piece of output (the page, a block, a macro's result, a ``{% set %}``
  capture) is at most ``max_output`` characters, counted before it is joined;
- lists and dicts cannot be modified (Jinja2's immutable sandbox), ``lipsum`` is gone.

A limit reached raises :class:`RenderLimitExceeded` (an :class:`InputRefused`), so
the user sees a report error naming the limit, never a server error.
"""

from __future__ import annotations

import math
import re
import string
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateSyntaxError, nodes, pass_eval_context
from jinja2.ext import Extension
from jinja2.filters import do_center, do_format, do_indent, do_join, do_replace
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from csfpilot.core.errors import InputRefused

MAX_INT_BITS = 4096


@dataclass(frozen=True, slots=True)
class RenderLimits:
    """What one render may use. The web app reads these from its settings."""

    seconds: float = 10.0
    max_iterations: int = 100_000
    max_string: int = 1_000_000
    max_output: int = 20_000_000


class RenderLimitExceeded(InputRefused):
    """A template went over one of the render limits."""


class _Budget:
    def __init__(self, limits: RenderLimits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.seconds
        self.iterations = 0

    def tick(self) -> None:
        self.iterations += 1
        if self.iterations > self.limits.max_iterations:
            raise RenderLimitExceeded(
                f"the template ran more than {self.limits.max_iterations} loop iterations"
            )
        self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderLimitExceeded(
                f"the template took more than {self.limits.seconds:g} seconds to render"
            )

    def size(self, length: int, what: str) -> None:
        if length > self.limits.max_string:
            raise RenderLimitExceeded(
                f"the template made {what} of {length} items or characters "
                f"(at most {self.limits.max_string})"
            )


_budget: ContextVar[_Budget | None] = ContextVar("csfpilot_render_budget", default=None)


@contextmanager
def limited(limits: RenderLimits) -> Iterator[None]:
    """Every render under ``limits`` inside this block (one budget for all of them)."""
    token = _budget.set(_Budget(limits))
    try:
        yield
    finally:
        _budget.reset(token)


def _current() -> _Budget:
    budget = _budget.get()
    # Outside `limited` (a programming error) the default limits still hold, per call.
    return budget if budget is not None else _Budget(RenderLimits())


class LimitsExtension(Extension):
    """Where the compiled template calls back: loop iterations and ``~``."""

    identifier = "csfpilot.limits"

    def counted(self, iterable: Any) -> Iterator[Any]:
        budget = _current()
        for item in iterable:
            budget.tick()
            yield item

    @pass_eval_context
    def concat(self, eval_ctx: Any, parts: Iterable[Any]) -> str:
        values = list(parts)
        _current().size(sum(len(str(v)) for v in values), "a string with ~")
        return markup_join(values) if eval_ctx.autoescape else str_join(values)


def _attribute(name: str, lineno: int) -> nodes.ExtensionAttribute:
    return nodes.ExtensionAttribute(LimitsExtension.identifier, name, lineno=lineno)


class _Guards(NodeTransformer):
    def __init__(self, name: str | None, filename: str | None) -> None:
        self.name, self.filename = name, filename

    def visit_For(self, node: nodes.For) -> nodes.For:
        self.generic_visit(node)
        if node.recursive:
            raise TemplateSyntaxError(
                "recursive loops are not available in report templates (use a macro)",
                node.lineno,
                self.name,
                self.filename,
            )
        node.iter = nodes.Call(
            _attribute("counted", node.lineno), [node.iter], [], None, None, lineno=node.lineno
        )
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Call:
        self.generic_visit(node)
        items = nodes.List(node.nodes, lineno=node.lineno)
        return nodes.Call(
            _attribute("concat", node.lineno), [items], [], None, None, lineno=node.lineno
        )


_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_DIGITS = re.compile(r"\d+")


def _check_percent(fmt: str, budget: _Budget) -> None:
    for width, precision in _PERCENT.findall(fmt):
        for part in (width, precision):
            if part == "*":
                raise RenderLimitExceeded("the template used a * width in a % format")
            if part and int(part) > budget.limits.max_string:
                budget.size(int(part), "a formatted string")


def _check_braces(fmt: str, budget: _Budget) -> None:
    for _literal, _field, spec, _conversion in string.Formatter().parse(fmt):
        if spec and "{" in spec:
            raise RenderLimitExceeded("the template used a nested {} in a format width")
        for digits in _DIGITS.findall(spec or ""):
            budget.size(int(digits), "a formatted string")


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple) else 0


def _int_bits(value: Any) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


class LimitedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with the limits of :mod:`csfpilot.reports.limits`."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        options["extensions"] = [*options.get("extensions", ()), LimitsExtension]
        super().__init__(**options)
        self.globals["range"] = self._range
        self.globals.pop("lipsum", None)
        self.filters.update(
            center=_guarded(do_center, lambda value, width=80: width),
            indent=_guarded(
                do_indent, lambda s, width=4, *a, **k: len(str(s)) * (1 + _width(width))
            ),
            replace=_guarded(do_replace, _replace_size, skip=1),
            join=self._guarded_join(),
            format=self._guarded_format(),
        )

    # Compile time: every for loop's iterable goes through the counter, every ~ through
    # the size check. The extension's attribute cannot be shadowed by a template variable.
    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        return _Guards(name, filename).visit(tree)

    def concat(self, parts: Iterable[str]) -> str:  # type: ignore[override]
        budget = _current()
        buffer: list[str] = []
        size = 0
        for part in parts:
            size += len(part)
            if size > budget.limits.max_output:
                raise RenderLimitExceeded(
                    f"the template's output is over {budget.limits.max_output} characters"
                )
            buffer.append(part)
        budget.check_time()
        return "".join(buffer)

    def _range(self, *args: int) -> range:
        found = range(*args)
        budget = _current()
        if len(found) > budget.limits.max_iterations:
            raise RenderLimitExceeded(
                f"range() of {len(found)} numbers (at most {budget.limits.max_iterations})"
            )
        return found

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        budget = _current()
        budget.check_time()
        if operator == "*":
            if isinstance(right, str | list | tuple) and isinstance(left, int):
                left, right = right, left
            if isinstance(left, str | list | tuple) and isinstance(right, int):
                budget.size(_length(left) * max(right, 0), "a string or list with *")
            elif _int_bits(left) + _int_bits(right) > MAX_INT_BITS:
                raise RenderLimitExceeded(f"the template made a number over {MAX_INT_BITS} bits")
        elif operator == "**":
            big = isinstance(left, int) and isinstance(right, int) and abs(left) > 1
            if big and right * math.log2(abs(left)) > MAX_INT_BITS:
                raise RenderLimitExceeded(f"the template made a number over {MAX_INT_BITS} bits")
        elif operator == "+":
            if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
                budget.size(_length(left) + _length(right), "a string or list with +")
            elif _int_bits(left) > MAX_INT_BITS or _int_bits(right) > MAX_INT_BITS:
                raise RenderLimitExceeded(f"the template made a number over {MAX_INT_BITS} bits")
        elif operator == "%" and isinstance(left, str):
            _check_percent(left, budget)
            budget.size(len(left) + _args_length(right), "a formatted string")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = _current()
        budget.check_time()
        owner = getattr(__obj, "__self__", None)
        method = getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            args = _check_string_method(owner, method, args, kwargs, budget)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Any:
        """``str.format`` is wrapped by the sandbox when it is looked up: check it there too."""
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        text = value.__self__

        def limited_format(*args: Any, **kwargs: Any) -> str:
            budget = _current()
            _check_braces(text, budget)
            values = args[0] if value.__name__ == "format_map" and args else (args or kwargs)
            budget.size(len(text) + _args_length(values), "a formatted string")
            return wrapper(*args, **kwargs)

        return limited_format

    def _guarded_join(self) -> Any:
        def join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> str:
            items = list(value)
            budget = _current()
            budget.size(
                sum(len(str(i)) for i in items) + len(str(d)) * len(items), "a string with join"
            )
            return do_join(eval_ctx, items, d, attribute)

        return pass_eval_context(join)

    def _guarded_format(self) -> Any:
        def format(value: str, *args: Any, **kwargs: Any) -> str:
            budget = _current()
            _check_percent(str(value), budget)
            budget.size(len(str(value)) + _args_length(args or kwargs), "a formatted string")
            return do_format(value, *args, **kwargs)

        return format


def _guarded(function: Any, size: Any, skip: int = 0) -> Any:
    """A filter whose result's size is computed from its arguments and checked first."""

    def guarded(*args: Any, **kwargs: Any) -> Any:
        budget = _current()
        budget.check_time()
        budget.size(int(size(*args[skip:], **kwargs)), "a string")
        return function(*args, **kwargs)

    # Keep Jinja's pass_eval_context marker (replace takes the evaluation context first).
    guarded.__dict__.update(getattr(function, "__dict__", {}))
    return guarded


def _width(value: Any) -> int:
    return len(value) if isinstance(value, str) else int(value)


def _replace_size(s: Any, old: Any, new: Any, count: Any = None) -> int:
    text, old, new = str(s), str(old), str(new)
    if len(new) <= len(old):
        return len(text)
    times = len(text) + 1 if not old else len(text) // len(old)
    if count is not None and int(count) >= 0:
        times = min(times, int(count))
    return len(text) + times * (len(new) - len(old))


def _args_length(args: Any) -> int:
    if isinstance(args, dict):
        return sum(len(str(v)) for v in args.values())
    if isinstance(args, tuple | list):
        return sum(len(str(v)) for v in args)
    return len(str(args))


def _check_string_method(
    text: str, method: str, args: tuple[Any, ...], kwargs: dict[str, Any], budget: _Budget
) -> tuple[Any, ...]:
    """Check what the method would make before it is called; the arguments to call it with."""
    if method in ("center", "ljust", "rjust", "zfill") and args:
        budget.size(int(args[0]), "a padded string")
    elif method == "expandtabs":
        tab = int(args[0]) if args else int(kwargs.get("tabsize", 8))
        budget.size(len(text) + text.count("\t") * tab, "a string with expandtabs")
    elif method == "replace" and len(args) >= 2:
        budget.size(_replace_size(text, *args[:3]), "a string with replace")
    elif method == "join" and args:
        items = list(args[0])
        budget.size(sum(len(str(i)) for i in items) + len(text) * len(items), "a joined string")
        return (items, *args[1:])
    elif method in ("format", "format_map"):
        _check_braces(text, budget)
        values = args[0] if method == "format_map" and args else (args or kwargs)
        budget.size(len(text) + _args_length(values), "a formatted string")
    return args
