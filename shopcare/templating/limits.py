"""How much one render of an owner's template may cost: steps, value sizes, output and time.

The sandbox (``templating.sandbox``) keeps a template away from our objects, but not from our
CPU and memory: two nested ``range`` loops ran for over 20 s and ``'a' * 300000000`` took
309 MB, at save and again at every send. Every render of an owner's template therefore runs
inside ``bounded(limits)``: loops, calls and filters spend *steps* from a budget (big values
cost more), every value made from the template's own operations (``*``, ``+``, ``~``, list
literals, filters, method calls) must weigh at most ``size``, the rendered part at most
``output`` characters, and the clock is read at every step against a deadline, a second line
of defence behind the budget (which is what tests rely on: it does not depend on the
machine's speed). Overstepping raises ``RenderLimitError``, which the callers handle like a
syntax error: the save is refused with the message, a send falls back to the default.

Outside ``bounded`` (Jinja folding constants at compile time) only the size checks apply.
"""

from __future__ import annotations

import operator
import re
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment, Template, nodes
from jinja2.exceptions import TemplateRuntimeError, TemplateSyntaxError

STEP_SIZE = 100
"""Characters or items one step pays for: a filter on 10,000 characters costs 101 steps."""
ITEMS_PER_STEP = 2
"""Items of a list weighed (one by one, in Python, about a microsecond each) per step."""
_SCALARS = frozenset({int, float, bool, type(None)})


@dataclass(frozen=True)
class RenderLimits:
    steps: int = 100_000
    """Loop turns, calls and filters one render may take (about 0.1 to 0.5 s)."""
    size: int = 100_000
    """Characters (or items, nested items counted) one value may hold."""
    output: int = 500_000
    """Characters one rendered part (subject, text or HTML) may have."""
    seconds: float = 5.0
    """The deadline, far above what the step budget allows on any machine we run on."""
    literal: int = 1_000_000
    """The largest number a template may write, checked when it is saved."""


DEFAULT_LIMITS = RenderLimits()


class RenderLimitError(TemplateRuntimeError):
    """An owner's template asked for more than ``RenderLimits`` allow; the message is for
    the owner."""


@dataclass
class _Budget:
    limits: RenderLimits
    steps_left: int
    deadline: float
    clock: Callable[[], float]


_active: ContextVar[_Budget | None] = ContextVar("template_budget", default=None)


def limits() -> RenderLimits:
    """The limits of the render under way, else the defaults (compile time)."""
    budget = _active.get()
    return budget.limits if budget is not None else DEFAULT_LIMITS


def charge(steps: int = 1) -> None:
    """Spend ``steps`` of the render's budget and look at the clock."""
    budget = _active.get()
    if budget is None:
        return
    budget.steps_left -= steps
    if budget.steps_left < 0:
        raise RenderLimitError(
            f"the template does too much work (over {budget.limits.steps:,} steps): "
            "a loop inside a loop, or a loop over something very large?"
        )
    if budget.clock() > budget.deadline:
        raise RenderLimitError(
            f"the template took longer than {budget.limits.seconds:g} s to render"
        )


def cost(value: Any) -> int:
    """Steps for handling ``value`` once: one, plus one per ``STEP_SIZE`` of its length."""
    try:
        size = len(value) if isinstance(value, (str, list, tuple, dict, range, set)) else 0
    except (TypeError, OverflowError):
        size = 0
    return 1 + size // STEP_SIZE


def weigh(value: Any, *, limit: int) -> int:
    """How big ``value`` is in characters and items, nested containers counted in full
    (shared ones each time, as ``str()`` would write them); stops counting past ``limit``."""
    return _weigh(value, limit)[0]


def _weigh(value: Any, limit: int) -> tuple[int, int]:
    """(weight, how many things were looked at to find it)."""
    total = visited = 0
    pending = [value]
    while pending and total <= limit:
        item = pending.pop()
        visited += 1
        if type(item) in _SCALARS:
            total += 1
        elif isinstance(item, str):
            total += len(item)
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += len(item) or 1
            pending.extend(item)
        elif isinstance(item, dict):
            total += len(item) or 1
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, range):
            total += len(item) or 1
        else:
            total += 1
    return total, visited


def check_size(value: Any, what: str = "a value") -> Any:
    """``value`` if it weighs at most the size limit, else ``RenderLimitError``."""
    size = limits().size
    weight, visited = _weigh(value, size)
    if weight > size:
        raise RenderLimitError(f"{what} would be too long (over {size:,} characters or items)")
    charge(1 + weight // STEP_SIZE + visited // ITEMS_PER_STEP)
    return value


def check_length(projected: int, what: str) -> None:
    """Refuse an operation before it runs when its result would be ``projected`` long."""
    size = limits().size
    if projected > size:
        raise RenderLimitError(
            f"{what} would make a text of {projected:,} characters (at most {size:,})"
        )


_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def check_printf(text: str) -> None:
    """Refuse ``%``-formats whose width or precision is given by an argument (``%*s``) or
    is larger than the size limit (``%999999999s``)."""
    widest = _widest_printf(text)
    size = limits().size
    if widest is None:
        raise RenderLimitError("a width given as * in a %-format is not allowed")
    if widest > size:
        raise RenderLimitError(f"the width {widest} in a %-format is too large (at most {size:,})")


@lru_cache(maxsize=4096)
def _widest_printf(text: str) -> int | None:
    """The largest width or precision in ``text``'s %-formats (0 without any), None for a
    ``*``; cached, since the same texts of ``_()`` come back in every message."""
    widest = 0
    for match in _PRINTF.finditer(text):
        for number in match.groups():
            if number == "*":
                return None
            if number:
                widest = max(widest, int(number) if len(number) <= 9 else 10**9)
    return widest


@contextmanager
def bounded(
    render_limits: RenderLimits = DEFAULT_LIMITS, *, clock: Callable[[], float] = time.monotonic
) -> Iterator[None]:
    """Run the renders inside within one budget of ``render_limits``."""
    budget = _Budget(
        limits=render_limits,
        steps_left=render_limits.steps,
        deadline=clock() + render_limits.seconds,
        clock=clock,
    )
    token = _active.set(budget)
    try:
        yield
    finally:
        _active.reset(token)


def render_bounded(template: Template, values: dict[str, Any]) -> str:
    """``template`` rendered as a stream, stopped once it passes the output limit (inside
    ``bounded``, so the steps and the clock are checked too)."""
    cap = limits().output
    chunks: list[str] = []
    length = 0
    stream = template.generate(values)
    assert isinstance(stream, Generator)
    try:
        for chunk in stream:
            length += len(chunk)
            if length > cap:
                raise RenderLimitError(
                    f"the message would be longer than {cap:,} characters; it is stopped there"
                )
            chunks.append(chunk)
    finally:
        stream.close()
    return "".join(chunks)


def literal_problems(
    env: Environment, source: str, *, limits: RenderLimits = DEFAULT_LIMITS
) -> list[tuple[int, str]]:
    """Numbers above ``limits.literal`` (also written as ``10**9``) and texts or lists
    repeated past ``limits.size`` (``'a' * 300000000``) in ``source``, as (line, problem),
    for the owner when they save; empty also when ``source`` does not parse (rendering it
    says why)."""
    try:
        tree = env.parse(source)
    except TemplateSyntaxError:
        return []
    problems: list[tuple[int, str]] = []
    pending: list[nodes.Node] = [tree]
    while pending:
        node = pending.pop()
        number = _constant_number(node)
        if number is not None and abs(number) > limits.literal:
            shown = f"{number:,}" if number.bit_length() <= _BITS else "a number that large"
            problems.append(
                (
                    node.lineno,
                    f"{shown} is too large: templates may use numbers up to {limits.literal:,}.",
                )
            )
            continue
        if isinstance(node, nodes.Mul) and (repeated := _repetition(node)) is not None:
            length, times = repeated
            if length * times > limits.size:
                problems.append(
                    (
                        node.lineno,
                        f"repeating a text or list {times:,} times makes it too "
                        f"long (at most {limits.size:,} characters).",
                    )
                )
                continue
        pending.extend(node.iter_child_nodes())
    return sorted(problems)


_BITS = 64
_TOO_LARGE = 1 << (_BITS + 1)
_ARITHMETIC: dict[type[nodes.Node], Callable[[int, int], int]] = {
    nodes.Add: operator.add,
    nodes.Sub: operator.sub,
    nodes.Mul: operator.mul,
}


def _constant_number(node: nodes.Node) -> int | None:
    """The value of an integer written with literals and + - * ** (huge ones stand for
    themselves: ``_TOO_LARGE`` means "too large to compute here"), else None."""
    if isinstance(node, nodes.Const):
        value = node.value
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(node, nodes.Neg):
        inner = _constant_number(node.node)
        return None if inner is None else -inner
    if not isinstance(node, (nodes.Pow, *_ARITHMETIC)):
        return None
    assert isinstance(node, nodes.BinExpr)
    left, right = _constant_number(node.left), _constant_number(node.right)
    if left is None or right is None:
        return None
    if left.bit_length() > _BITS or right.bit_length() > _BITS:
        return _TOO_LARGE
    if isinstance(node, nodes.Pow):
        if right < 0:
            return None
        if abs(left) > 1 and right * (left.bit_length() - 1) > _BITS:
            return _TOO_LARGE
        return int(left**right)
    return int(_ARITHMETIC[type(node)](left, right))


def _repetition(node: nodes.Mul) -> tuple[int, int] | None:
    """(length, times) when ``node`` repeats a written text or list a written number of
    times."""
    for sequence, count in ((node.left, node.right), (node.right, node.left)):
        times = _constant_number(count)
        if times is None:
            continue
        if isinstance(sequence, nodes.Const) and isinstance(sequence.value, str):
            return len(sequence.value), times
        if isinstance(sequence, (nodes.List, nodes.Tuple)):
            return max(len(sequence.items), 1), times
    return None
