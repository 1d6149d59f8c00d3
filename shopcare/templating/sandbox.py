"""The Jinja2 sandbox for the owner's message templates, bounded as well as closed.

``BoundedSandbox`` is Jinja's immutable sandbox (no reach into Python internals, no
``list.append``) that also spends the render's budget from ``templating.limits``:

- every loop turn (also the turns an ``{% for … if … %}`` skips, and those of recursive
  loops), every call and every filter costs steps, so nested loops stop even when they
  write nothing and call nothing;
- the values a template makes itself are weighed before or right after they are made:
  ``*``, ``+`` and ``%`` on texts and lists, ``~``, list and dict literals, method calls,
  filters; those that would grow without bound are checked before they run (``center``,
  ``indent``, ``wordwrap``, ``replace``, ``join``, ``format``, ``%``-widths in ``_()``,
  ``str.format`` widths, ``tojson`` indents, ``sum`` of anything but numbers);
- ``range`` is Jinja's bounded one that also pays for its length, ``lipsum`` is gone;
- what the template writes pays for its length (``finalize``), also inside ``{% set %}``
  blocks and macros that are never written out.
"""

from __future__ import annotations

import inspect
from collections import deque
from collections.abc import Callable, Iterator
from functools import wraps
from string import Formatter
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, Macro
from jinja2.sandbox import SandboxedEnvironment, modifies_known_mutable, safe_range
from jinja2.utils import pass_context

from shopcare.templating.limits import (
    STEP_SIZE,
    RenderLimitError,
    charge,
    check_length,
    check_printf,
    check_size,
    cost,
    limits,
    weigh,
)

_NUMBERS = (int, float)
_CONTAINERS = (list, dict, set, deque)
_GETTEXT = ("gettext", "_", "ngettext", "pgettext", "npgettext")
_GETTEXT_FUNCTIONS = frozenset({*_GETTEXT, "_gettext_alias"})
_REFUSED_STR_METHODS = frozenset({"translate", "maketrans", "expandtabs"})


class BoundedSandbox(SandboxedEnvironment):
    """See the module docstring; everything else is Jinja's ``SandboxedEnvironment``.

    Lists, dicts and sets may not be changed (``l.append(l)`` doubles a list at each turn):
    as in Jinja's ``ImmutableSandboxedEnvironment``, but checked when such a method is
    called rather than at every attribute read, which costs a message a millisecond."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code_generator_class = _BoundedCodeGenerator
        self.globals["range"] = bounded_range
        self.globals.pop("lipsum", None)
        self.filters = _CheckedFilters(self.filters)
        dict.__setitem__(self.filters, _TICK, _tick_filter)
        self.finalize = _written

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        charge()
        if operator == "**":
            _check_power(left, right)
        elif operator == "*":
            _check_product(left, right)
        elif operator == "+" and not isinstance(left, _NUMBERS):
            check_length(weigh(left, limit=limits().size) + weigh(right, limit=limits().size), "+")
        elif operator == "%" and isinstance(left, str):
            check_printf(left)
        result = self.binop_table[operator](left, right)
        if isinstance(result, int) and result.bit_length() > _INT_BITS:
            raise RenderLimitError(f"a number from {operator} is too large")
        return check_size(result, f"the result of {operator}")

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and attr in _REFUSED_STR_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        if isinstance(argument, slice):
            charge(cost(value))
        return value

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        _check_format_fields(value.__self__)
        return wrapper

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        charge(_MACRO_STEPS if isinstance(__obj, Macro) else 1)
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, _CONTAINERS) and modifies_known_mutable(owner, __obj.__name__):
            raise SecurityError(f"templates may not change a {type(owner).__name__}")
        if isinstance(owner, str):
            _check_str_method(owner, getattr(__obj, "__name__", ""), args, kwargs)
        elif getattr(__obj, "__name__", "") in _GETTEXT_FUNCTIONS and any(
            __obj is __self.globals.get(name) for name in _GETTEXT
        ):
            for text in args:
                if isinstance(text, str):
                    check_printf(text)
        result = super().call(__context, __obj, *args, **kwargs)
        return check_size(result, "a text or list it makes")

    def bounded_value(self, value: Any) -> Any:
        """A list, dict or ``~`` the template builds (weighed by ``call``, which runs it)."""
        return value


_MACRO_STEPS = 10
"""A macro call costs Jinja some 40 µs, forty times a loop turn."""
_INT_BITS = 64
"""Numbers a template computes stay below 2**64; widths and counts far below that."""


def bounded_range(*args: int) -> range:
    """Jinja's safe range (100,000 at most) that pays for its length."""
    numbers = safe_range(*args)
    charge(cost(numbers))
    return numbers


def _written(value: Any) -> Any:
    """``finalize``: everything a template writes pays for its length, also into a
    ``{% set %}`` block or a macro's result."""
    if isinstance(value, str):
        charge(1 + len(value) // STEP_SIZE)
    else:
        charge(1 + weigh(value, limit=limits().output) // STEP_SIZE)
    return value


def _check_power(left: Any, right: Any) -> None:
    if not (isinstance(left, int) and isinstance(right, int) and abs(left) > 1):
        return
    if right > _INT_BITS or right * (left.bit_length() - 1) > _INT_BITS:
        raise RenderLimitError(f"{left} ** {right} is too large a number")


def _check_product(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > _INT_BITS + 1:
            raise RenderLimitError("a product of numbers is too large")
        return
    count, repeated = (right, left) if isinstance(right, int) else (left, right)
    if isinstance(count, int) and not isinstance(repeated, _NUMBERS):
        check_length(max(count, 0) * weigh(repeated, limit=limits().size), "repeating")


def _check_format_fields(text: str) -> None:
    """``'{:>999999999}'.format(…)`` and widths taken from the arguments (``{:{}}``)."""
    size = limits().size
    for _literal, _field, spec, _conversion in Formatter().parse(text):
        if not spec:
            continue
        if "{" in spec:
            raise RenderLimitError("a width taken from the arguments of format is not allowed")
        for number in "".join(c if c.isdigit() else " " for c in spec).split():
            if len(number) > 9 or int(number) > size:
                raise RenderLimitError(f"the width in {{:{spec}}} is too large (at most {size:,})")


def _check_str_method(text: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Text methods that could grow a text past the limit before it is weighed."""
    given = [*args, *kwargs.values()]
    if name in {"center", "ljust", "rjust", "zfill"}:
        for width in given:
            if isinstance(width, int):
                check_length(width, f".{name}()")
    elif name == "replace" and len(given) >= 2:
        _check_replace(text, given[0], given[1])
    elif name == "join" and given and isinstance(given[0], (list, tuple, str)):
        parts = given[0]
        check_length(weigh(parts, limit=limits().size) + len(text) * len(parts), ".join()")


def _check_replace(text: str, old: Any, new: Any) -> None:
    if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
        times = len(text) + 1 if not old else text.count(old)
        check_length(len(text) + times * (len(new) - len(old)), "replace")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _precheck_filter(name: str, bound: inspect.BoundArguments) -> None:
    """Filters whose result can be far bigger than their input, checked before they run."""
    given = bound.arguments
    value = next(iter(given.values()), None)
    size = limits().size
    if name == "indent":
        width = given.get("width", 4)
        step = len(width) if isinstance(width, str) else int(width)
        text = _text(value)
        check_length(len(text) + (text.count("\n") + 1) * max(step, 0), "|indent")
    elif name == "wordwrap":
        text = _text(value)
        wrap = given.get("wrapstring") or "\n"
        lines = len(text) // max(int(given.get("width", 79)), 1) + len(text.split()) + 1
        check_length(len(text) + lines * len(wrap), "|wordwrap")
    elif name == "replace":
        _check_replace(_text(value), given.get("old"), given.get("new"))
    elif name == "join":
        parts = [value] if isinstance(value, str) else list(value or ())
        joint = _text(given.get("d", ""))
        check_length(weigh(parts, limit=size) + len(joint) * len(parts), "|join")
    elif name == "format":
        check_printf(_text(value))
    elif name == "tojson" and len(_text(given.get("indent") or "")) > 1:
        raise RenderLimitError("|tojson: indent by 9 at most")
    elif name == "sum" and not isinstance(given.get("start", 0), _NUMBERS):
        raise RenderLimitError("|sum adds numbers only")


_PRECHECKED = frozenset({"indent", "wordwrap", "replace", "join", "format", "tojson", "sum"})


def _checked_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` paying for its input, with its arguments and its result checked."""
    skip = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0
    full = inspect.signature(function)
    signature = full.replace(parameters=list(full.parameters.values())[skip:])

    @wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        value = args[skip] if len(args) > skip else None
        charge(cost(value))
        size = limits().size
        for argument in (*args[skip + 1 :], *kwargs.values()):
            if isinstance(argument, int) and abs(argument) > size:
                raise RenderLimitError(
                    f"|{name}: the number {argument:,} is too large for a filter (at most {size:,})"
                )
        if name in _PRECHECKED:
            bound = signature.bind(*args[skip:], **kwargs)
            bound.apply_defaults()
            _precheck_filter(name, bound)
        result = function(*args, **kwargs)
        if isinstance(result, Iterator) and not isinstance(result, str):
            return _counted(result)
        return check_size(result, f"the result of |{name}")

    return checked


def _counted(items: Iterator[Any]) -> Iterator[Any]:
    for item in items:
        charge(cost(item))
        yield item


class _CheckedFilters(dict[str, Callable[..., Any]]):
    """The filters table: every filter put in (ours too, such as ``|date``) is checked."""

    def __init__(self, filters: dict[str, Callable[..., Any]]) -> None:
        super().__init__()
        for name, function in filters.items():
            self[name] = function

    def __setitem__(self, name: str, function: Callable[..., Any]) -> None:
        super().__setitem__(name, _checked_filter(name, function))


class _BoundedCodeGenerator(CodeGenerator):
    """Rewrites the template before Jinja compiles it: a tick at the start of every loop
    body and macro, in front of every loop filter (``for … if``), and a weighing around
    every ``~`` and every list, tuple and dict literal."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        _bound(node)
        super().visit_Template(node, frame)


_TICK = "bounded_tick"


@pass_context
def _tick_filter(context: Context, steps: int) -> bool:
    """One loop turn or macro run whose body writes ``steps`` × ``STEP_SIZE`` characters
    of its own text. A filter rather than a call, since Jinja calls filters directly and
    this runs at every loop turn; ``pass_context`` keeps Jinja from running it once at
    compile time."""
    charge(steps)
    return True


def _tick(steps: int) -> nodes.Filter:
    return nodes.Filter(nodes.Const(steps), _TICK, [], [], None, None)


def _weighed(expression: nodes.Expr) -> nodes.Call:
    call = nodes.Call(nodes.EnvironmentAttribute("bounded_value"), [expression], [], None, None)
    call.set_lineno(expression.lineno)
    return call


def _own_text_steps(body: list[nodes.Node]) -> int:
    """Steps for the text a body writes of its own (its constants), per run."""
    size = 0
    for statement in body:
        for data in statement.find_all(nodes.TemplateData):
            size += len(data.data)
        for const in statement.find_all(nodes.Const):
            size += len(const.value) if isinstance(const.value, str) else 0
    return 1 + size // STEP_SIZE


def _bound(template: nodes.Template) -> None:
    for loop in list(template.find_all(nodes.For)):
        tick = nodes.ExprStmt(_tick(_own_text_steps(loop.body)), lineno=loop.lineno)
        loop.body.insert(0, tick)
        if loop.test is not None:
            loop.test = nodes.And(_tick(1), loop.test, lineno=loop.lineno)
    for macro in list(template.find_all((nodes.Macro, nodes.CallBlock))):
        assert isinstance(macro, (nodes.Macro, nodes.CallBlock))
        tick = nodes.ExprStmt(_tick(_own_text_steps(macro.body)), lineno=macro.lineno)
        macro.body.insert(0, tick)
    _weigh_built_values(template)


def _weigh_built_values(node: nodes.Node) -> None:
    """Wrap, bottom-up, every value the template builds (not the targets it assigns to)."""
    for field, value in node.iter_fields():
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, nodes.Node):
                    _weigh_built_values(item)
                    if _is_built(item):
                        value[index] = _weighed(item)  # type: ignore[arg-type]
        elif isinstance(value, nodes.Node):
            _weigh_built_values(value)
            if _is_built(value):
                setattr(node, field, _weighed(value))  # type: ignore[arg-type]


def _is_built(node: nodes.Node) -> bool:
    """A list, tuple, dict or ``~`` with a variable inside (written-out ones are as small
    as the template, and Jinja folds them at compile time)."""
    if isinstance(node, nodes.Tuple) and node.ctx != "load":
        return False
    if not isinstance(node, (nodes.List, nodes.Tuple, nodes.Dict, nodes.Concat)):
        return False
    return any(not isinstance(part, _WRITTEN_OUT) for part in node.find_all(nodes.Node))


_WRITTEN_OUT = (nodes.Const, nodes.List, nodes.Tuple, nodes.Dict, nodes.Pair, nodes.Concat)


__all__ = ["BoundedSandbox", "bounded_range"]
