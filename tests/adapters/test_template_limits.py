"""The bounded sandbox for owner templates (issue 11, §6): every way found to make a render
run for long or grow a value without bound is stopped, with a reason the owner can read,
and ordinary templates render as before. Limits are counted in steps, not seconds, so these
tests do not depend on the machine's speed; the deadline is tested with a clock we move."""

import logging
from collections.abc import Iterator
from dataclasses import replace
from itertools import count

import pytest

from shopcare.domain.messages import MessageKind
from shopcare.notify.render import (
    TemplateSet,
    default_templates,
    render_message,
    sample_context,
    template_errors,
)
from shopcare.templating.limits import (
    DEFAULT_LIMITS,
    RenderLimitError,
    RenderLimits,
    bounded,
    render_bounded,
)
from shopcare.templating.sandbox import BoundedSandbox

SAMPLE = sample_context()


def errors_of(text: str, limits: RenderLimits = DEFAULT_LIMITS) -> list[str]:
    return template_errors(
        TemplateSet(subject="Hi", html="", text=text), sample=SAMPLE, limits=limits
    )


RUNAWAYS = {
    "nested loops that write nothing": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}x",
        "too much work",
    ),
    "nested loops whose inner filter skips everything": (
        "{% for i in range(100000) %}{% for j in range(100000) if false %}{% endfor %}"
        "{% endfor %}x",
        "too much work",
    ),
    "a recursive loop over large ranges": (
        "{% for x in [1] recursive %}{{ loop(range(100000)) }}{% endfor %}x",
        "too much work",
    ),
    "loops into a set block never written": (
        "{% set x %}{% for i in range(100000) %}{% for j in range(100000) %}abc{% endfor %}"
        "{% endfor %}{% endset %}x",
        "too much work",
    ),
    "a macro calling itself twice": (
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
        "{{ f(40) }}x",
        "too much work",
    ),
    "a large list made again and again": (
        "{% for i in range(100000) %}{{ range(50000)|list|length }}{% endfor %}",
        "too much work",
    ),
    "a written repetition": ("{{ 'a' * 300000000 }}", "repeating a text or list 300,000,000"),
    "a computed repetition": ("{% set n = 3000 %}{{ 'a' * (n * n) }}", "repeating would make"),
    "a written huge number": ("{{ 'a'|center(1000000000) }}", "1,000,000,000 is too large"),
    "a huge power": ("{{ 10 ** 10 ** 10 }}", "too large"),
    "center with a computed width": ("{% set n = 1000 %}{{ 'a'|center(n * n) }}", "|center"),
    "ljust": ("{% set n = 1000 %}{{ 'a'.ljust(n * n) }}", ".ljust()"),
    "a printf width": ("{% set f = '%99999' ~ '9s' %}{{ f % 1 }}", "the width 999999"),
    "a printf width through format": ("{{ '%999999s'|format(1) }}", "the width 999999"),
    "a printf width through _()": ("{{ _('%(x)999999s', x=1) }}", "the width 999999"),
    "a width taken from an argument": ("{{ '%*s' % (5, 'a') }}", "given as *"),
    "a str.format width": ("{{ '{:>999999}'.format(1) }}", "the width in {:>999999}"),
    "a str.format width from the arguments": ("{{ '{:{}}'.format('a', 9) }}", "from the"),
    "doubling a text": (
        "{% set ns = namespace(s='aaaaaaaa') %}{% for i in range(40) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "too long",
    ),
    "nested list literals": (
        "{% set a = ['x' * 1000] * 50 %}{% set b = [a, a, a, a, a, a, a, a] %}"
        "{% set c = [b, b, b, b, b, b, b, b] %}{{ c|string|length }}",
        "too long",
    ),
    "indent": ("{{ ('a\\n' * 50000)|indent(1000) }}", "|indent would make"),
    "wordwrap": ("{{ ('a' * 90000)|wordwrap(1, wrapstring='xxxxxxxxxx') }}", "|wordwrap"),
    "replace": ("{{ 'aaaa'|replace('', 'b' * 90000) }}", "replace would make"),
    "str.replace": ("{{ 'aaaa'.replace('', 'b' * 90000) }}", "replace would make"),
    "join": ("{{ (['a' * 60000] * 1)|join('x') ~ (['a' * 60000] * 1)|join }}", "too long"),
    "str.join": ("{% set l = ['a'] * 40000 %}{{ ('x' * 90).join(l) }}", ".join()"),
    "tojson indent": ("{{ [1, 2]|tojson(indent='          ') }}", "|tojson"),
    "sum of lists": ("{{ [[1] * 1000] * 100|sum(start=[]) }}", "|sum adds numbers only"),
    "expandtabs": ("{{ 'a\\t'.expandtabs(100000) }}", "not allowed"),
    "appending to a list": ("{% set l = [1] %}{{ l.append(2) }}", "not allowed"),
    "lipsum": ("{{ lipsum(100000) }}", "'lipsum' is undefined"),
    "a message too long": (
        "{% for i in range(1000) %}{{ 'a' * 99000 }}{% endfor %}",
        "longer than 500,000 characters",
    ),
}


@pytest.mark.parametrize(("text", "reason"), RUNAWAYS.values(), ids=RUNAWAYS.keys())
def test_a_runaway_is_refused_with_its_reason_and_the_default_is_sent(
    text: str, reason: str
) -> None:
    errors = errors_of(text)
    assert errors and errors[0].startswith("Text"), errors
    assert reason in errors[0]
    sent = render_message(
        MessageKind.SHIPPED, SAMPLE, override=TemplateSet(subject="Hi", html="", text=text)
    )
    assert sent == render_message(MessageKind.SHIPPED, SAMPLE)


ORDINARY = {
    "a separator": ("{{ '-' * 40 }}", "-" * 40),
    "items": ("{% for item in m.items %}* {{ item }}\n{% endfor %}", "* 2 × Ethiopia"),
    "a filtered loop with its index": (
        "{% for n in range(10) if n is even %}{{ loop.index }}{% endfor %}",
        "12345",
    ),
    "a macro": ("{% macro b(t) %}[{{ t|upper }}]{% endmacro %}{{ b(m.carrier) }}", "[DHL]"),
    "format and _()": (
        "{{ '%-6s|'|format(m.carrier) }}{{ _('Hi %(n)s', n=m.customer_name) }}",
        "DHL   |Hi Anna Schmidt",
    ),
    "str.format": ("{{ '[{:>5}]'.format(m.carrier) }}", "[  DHL]"),
    "lists and sums": ("{{ ([1, 2] + [3])|sum }} {{ (2 ** 10) * 3 }}", "6 3072"),
    "text methods": ("{{ m.carrier.center(7, '*') }} {{ ', '.join(m.items)|length }}", "**DHL**"),
    "join, replace, wordwrap": (
        "{{ m.items|join(' / ')|replace('×', 'x')|wordwrap(20) }}",
        "2 x Ethiopia",
    ),
}


@pytest.mark.parametrize(("text", "shown"), ORDINARY.values(), ids=ORDINARY.keys())
def test_ordinary_templates_render_as_before(text: str, shown: str) -> None:
    assert errors_of(text) == []
    own = TemplateSet(subject="Hi", html="", text=text)
    assert shown in render_message(MessageKind.SHIPPED, SAMPLE, override=own).text


def test_the_step_budget_is_what_stops_a_loop_whatever_the_machine() -> None:
    loop = "{% for i in range(200) %}.{% endfor %}"
    assert errors_of(loop, replace(DEFAULT_LIMITS, steps=1_000)) == []
    refused = errors_of(loop, replace(DEFAULT_LIMITS, steps=100))
    assert refused == [
        "Text, line 1: the template does too much work (over 100 steps): a loop inside a "
        "loop, or a loop over something very large?"
    ]


def test_the_deadline_stops_a_render_when_the_clock_passes_it() -> None:
    env = BoundedSandbox()
    template = env.from_string("{% for i in range(100) %}{{ i }}{% endfor %}")
    ticks: Iterator[int] = count()
    late = pytest.raises(RenderLimitError, match="took longer than 50 s")
    with bounded(replace(DEFAULT_LIMITS, seconds=50), clock=lambda: float(next(ticks))), late:
        render_bounded(template, {})
    with bounded(replace(DEFAULT_LIMITS, seconds=500), clock=lambda: float(next(ticks))):
        assert render_bounded(template, {}).startswith("0123")


def test_the_output_is_stopped_at_its_limit_while_it_is_written() -> None:
    env = BoundedSandbox()
    template = env.from_string("{% for i in range(100) %}{{ 'x' * 100 }}{% endfor %}")
    long = pytest.raises(RenderLimitError, match="longer than 5,000 characters")
    with bounded(replace(DEFAULT_LIMITS, output=5_000)), long:
        render_bounded(template, {})
    with bounded(replace(DEFAULT_LIMITS, output=10_000)):
        assert len(render_bounded(template, {})) == 10_000


@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_default_template_renders_well_within_the_limits(kind: MessageKind) -> None:
    tight = replace(DEFAULT_LIMITS, steps=5_000, output=50_000)
    assert template_errors(default_templates(kind), sample=SAMPLE, limits=tight) == []


def test_a_template_that_ran_away_at_send_is_not_run_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Sending renders in the dispatcher: a runaway spends its budget once, not per message."""
    own = TemplateSet(subject="Hi", html="", text=RUNAWAYS["a macro calling itself twice"][0])
    with caplog.at_level(logging.WARNING, logger="shopcare.notify.render"):
        first = render_message(MessageKind.SHIPPED, SAMPLE, override=own, locale="fr")
        second = render_message(MessageKind.SHIPPED, SAMPLE, override=own, locale="fr")
    assert first == second == render_message(MessageKind.SHIPPED, SAMPLE, locale="fr")
    failed, skipped = (record.getMessage() for record in caplog.records)
    assert failed.startswith("The shipped template failed (Text, line 1: the template does too")
    assert skipped.startswith("The shipped template runs away (see the editor)")
