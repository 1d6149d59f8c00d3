"""Shopper messages (subject, text, HTML) rendered from Jinja2 templates in a sandbox, in the
shopper's language, from the defaults or from the owner's own version.

The defaults live in ``templates/<kind>.{subject.txt,txt,html}`` and extend ``base.html`` /
``base.txt``. HTML is autoescaped, so a shopper named ``<script>`` is shown as text; the
brand colour is accepted only as ``#rgb``/``#rrggbb``. Strings are marked with ``_()`` and
translated from ``shopcare/locale`` (see ``i18n``). An owner's template that fails (syntax,
missing variable, a reach for Python internals) never stops a message: the default is sent
instead, and ``template_errors`` says what is wrong.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, Template, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError, TemplateNotFound

from shopcare.catalogs import direction
from shopcare.domain.languages import SHIPPED, pick_language
from shopcare.domain.messages import MessageKind
from shopcare.domain.text import isolate
from shopcare.notify.i18n import translations
from shopcare.templating import jinja_environment
from shopcare.templating.limits import (
    DEFAULT_LIMITS,
    RenderLimitError,
    RenderLimits,
    bounded,
    literal_problems,
    render_bounded,
)

TEMPLATES = Path(__file__).parent / "templates"

SUPPORTED_LOCALES: tuple[str, ...] = SHIPPED
DEFAULT_BRAND_COLOR = "#2563eb"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MessageContext:
    """Everything a message template may use (documented for the owner in ``VARIABLES``).
    Dates are already in the shop's time zone; money is already formatted."""

    shop_name: str
    customer_name: str
    order_number: str
    tracking_url: str
    order_date: datetime | None = None
    items: list[str] = field(default_factory=list)
    carrier: str = ""
    tracking_number: str = ""
    estimated_delivery: date | None = None
    location: str = ""
    """Where the latest scan was (the pickup point for available_for_pickup)."""
    support_email: str = ""
    brand_color: str = "#2563eb"
    logo_url: str = ""
    shop_url: str = ""
    shop_address: str = ""
    """The shop's postal address on one line, for the footer."""
    unsubscribe_url: str = ""
    feedback_url: str = ""
    review_url: str = ""
    return_url: str = ""
    rma: str = ""
    return_note: str = ""
    """The owner's message with a return decision."""
    refund: str = ""
    resolution: str = ""
    """How the return is settled: refund, exchange, store_credit or keep ("" = refund)."""
    credit_code: str = ""
    credit_expires: date | None = None
    """The day the store credit expires (None: it does not)."""
    credit_balance: str = ""
    """What is left of the store credit, formatted."""
    exchange_order: str = ""
    slip_attached: bool = False
    """The return slip goes with the email as a PDF (return_approved, unless the shopper
    keeps the items or the slip could not be made): the text may say so."""
    account_url: str = ""
    """The shopper's sign-in link to all their orders (account_link only)."""
    parcel_status: str = ""
    confirm_url: str = ""
    """The parcel's status code (watch_update only); the template words it."""


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class TemplateSet:
    """One message as the owner edits it: Jinja sources for the subject (one line), the
    plain text, and the HTML (which may ``{% extends "base.html" %}``). An empty ``html``
    sends a plain-text email."""

    subject: str
    html: str
    text: str


VARIABLES: dict[str, str] = {
    "m.shop_name": "Your shop's name.",
    "m.customer_name": "The shopper's name, or their email address when the order has no name.",
    "m.order_number": "The order number as the shopper knows it, e.g. 1042.",
    "m.tracking_url": "The shopper's tracking page for this order.",
    "m.order_date": "When the order was placed (may be empty); show it with |date.",
    "m.items": "The ordered items, one line each such as '2 × Mug' (may be empty).",
    "m.carrier": "The carrier's name, e.g. DHL (empty before the parcel ships).",
    "m.tracking_number": "The parcel's tracking number (empty before the parcel ships).",
    "m.estimated_delivery": "The expected delivery day (may be empty); show it with |date.",
    "m.location": "Where the parcel was last scanned; the pickup point when it waits there.",
    "m.support_email": "Where shoppers can write to you (may be empty).",
    "m.brand_color": "Your brand colour as #rgb or #rrggbb (anything else becomes the default).",
    "m.logo_url": "Address of your logo image (may be empty).",
    "m.shop_url": "Your shop's home page (may be empty).",
    "m.shop_address": "Your shop's postal address on one line (the return address until set).",
    "m.unsubscribe_url": "Stops optional messages for this shopper (empty for order and return "
    "news, which are always sent).",
    "m.feedback_url": "The page where the shopper rates this order.",
    "m.review_url": "Where the shopper can write a public review (may be empty).",
    "m.return_url": "The shopper's page for this return: status, instructions, return slip.",
    "m.rma": "The return number (RMA), in return messages.",
    "m.return_note": "Your note to the shopper with a return decision (may be empty).",
    "m.refund": "The refunded amount (or the store credit's value), already formatted, e.g. "
    "€24.90 (may be empty).",
    "m.resolution": "How the return is settled: refund, exchange, store_credit or keep (the "
    "shopper keeps the item); what they asked for until you settle it.",
    "m.credit_code": "The store credit code issued for the return (store credit, or what an "
    "exchange left over: a cheaper product's difference, the bonus).",
    "m.credit_expires": "The day the store credit expires (may be empty: it does not); show "
    "it with |date.",
    "m.credit_balance": "What is left of the store credit, already formatted, e.g. €12.50 "
    "(store credit only).",
    "m.exchange_order": "The order number of the exchange order (exchanges only).",
    "m.slip_attached": "True when the return slip is attached as a PDF (return approved, "
    "unless the shopper keeps the items).",
    "m.account_url": "The shopper's sign-in link to all their orders, valid for one hour "
    "(account link only).",
    "m.parcel_status": "The parcel's status, e.g. in_transit or delivered (parcel updates only).",
    "m.confirm_url": "The link that confirms a parcel watch (its confirmation email only).",
    "subject": "The rendered subject line (in the text and HTML templates).",
    "locale": "The shopper's language code: en, de, fr, es, nl or ar.",
    "|first_name": "The first word of a name: {{ m.customer_name|first_name }}.",
    "|date": "Formats a date for the shopper's language: {{ m.estimated_delivery|date }}.",
    "|text_color": "White or near-black, whichever reads better on a colour: "
    "{{ m.brand_color|text_color }}.",
    "_()": 'Translatable text with named placeholders: {{ _("Hello %(name)s,", '
    "name=m.customer_name) }}. Our own texts are translated; yours are shown as written.",
}


def best_locale(wanted: str) -> str:
    """The supported language closest to ``wanted`` ("de-AT" → "de"), else English. Which of
    them a shop offers is the caller's choice (``domain.languages.pick_language``)."""
    return pick_language([wanted])


def safe_color(value: str) -> str:
    """``value`` when it is a plain ``#rgb``/``#rrggbb`` colour, else the default, so a brand
    colour can never carry more CSS into a ``style`` attribute."""
    value = value.strip()
    return value if re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", value) else DEFAULT_BRAND_COLOR


def text_color(background: str) -> str:
    """White or near-black text, whichever contrasts more with ``background``."""
    hex_digits = safe_color(background)[1:]
    if len(hex_digits) == 3:
        hex_digits = "".join(2 * digit for digit in hex_digits)
    red, green, blue = (int(hex_digits[i : i + 2], 16) for i in (0, 2, 4))
    return "#111827" if 0.299 * red + 0.587 * green + 0.114 * blue > 160 else "#ffffff"


def first_name(name: str) -> str:
    """The first word of a shopper's (isolated) name, isolated again: the form editor's
    ``{first_name}``. A name that is an email address stays whole."""
    bare = name.strip("\u2068\u2069").strip()
    return isolate(bare.split()[0]) if bare else ""


def default_templates(kind: MessageKind) -> TemplateSet:
    """The shipped template sources for ``kind``, for the owner's editor to start from."""
    return TemplateSet(
        subject=(TEMPLATES / f"{kind}.subject.txt").read_text(encoding="utf-8"),
        html=(TEMPLATES / f"{kind}.html").read_text(encoding="utf-8"),
        text=(TEMPLATES / f"{kind}.txt").read_text(encoding="utf-8"),
    )


def render_message(
    kind: MessageKind,
    context: MessageContext,
    *,
    locale: str = "en",
    override: TemplateSet | None = None,
    limits: RenderLimits = DEFAULT_LIMITS,
) -> RenderedMessage:
    """The message in the shopper's language, from the owner's ``override`` when it renders
    (with a subject and a text) within ``limits``, else from the default templates."""
    locale = best_locale(locale)
    if override is not None and (override, locale) in _RUNAWAYS:
        log.warning("The %s template runs away (see the editor); sending the default", kind)
    elif override is not None:
        try:
            with bounded(limits):
                rendered = _render(override, context, locale=locale)
        except Exception as error:  # owner-written code may fail in any way; never stop sending
            reason = _describe(error.part, error.error) if isinstance(error, _PartFailed) else error
            log.warning("The %s template failed (%s); sending the default instead", kind, reason)
            if isinstance(error.__cause__, RenderLimitError):
                _remember_runaway(override, locale)
        else:
            if rendered.subject and rendered.text.strip():
                return rendered
            log.warning("The %s template renders empty; sending the default instead", kind)
    return _render(_default_set(kind), context, locale=locale, own=False)


_RUNAWAYS: dict[tuple[TemplateSet, str], None] = {}
"""Owner templates that overran their limits at send: the next messages go out with the
default at once instead of spending the whole budget again (a runaway does not depend on
the order; a saved change is another template)."""


def _remember_runaway(template: TemplateSet, locale: str) -> None:
    if len(_RUNAWAYS) >= 64:
        _RUNAWAYS.clear()
    _RUNAWAYS[(template, locale)] = None


def template_errors(
    template: TemplateSet, *, sample: MessageContext, limits: RenderLimits = DEFAULT_LIMITS
) -> list[str]:
    """What is wrong with an owner's template, one readable line per problem ("Subject,
    line 1: unexpected '}'"); empty when every part compiles, writes no number or repeated
    text beyond ``limits`` and renders against ``sample`` within them."""
    locale = SUPPORTED_LOCALES[0]
    env = _environment(locale)
    values: dict[str, Any] = {"m": _safe(sample), "locale": locale, "subject": ""}
    errors = []
    for part in _PARTS:
        source = getattr(template, part.attribute)
        if part is _HTML and not source.strip():
            continue  # a plain-text email
        if literals := literal_problems(env, source, limits=limits):
            errors += [f"{part.label}, line {line}: {problem}" for line, problem in literals]
            continue
        try:
            with bounded(limits):
                output = " ".join(_render_part(env, part, source, values).split())
        except _PartFailed as failed:
            errors.append(_describe(part, failed.error))
            continue
        if part is _SUBJECT:
            values["subject"] = output
        if not output and part is not _HTML:
            errors.append(f"{part.label}: it renders empty; every email needs one.")
    return errors


def sample_context() -> MessageContext:
    """Realistic demo values, for previews in the editor and for tests."""
    return MessageContext(
        shop_name="Bean & Leaf Coffee",
        customer_name="Anna Schmidt",
        order_number="1042",
        tracking_url="https://shop.example/t/demo-4Qx7",
        order_date=datetime(2026, 11, 2, 10, 15),
        items=["2 × Ethiopia Yirgacheffe, 250 g", "1 × Ceramic pour-over dripper"],
        carrier="DHL",
        tracking_number="JJD000390007882914",
        estimated_delivery=date(2026, 11, 5),
        location="DHL Packstation 112, Hauptstraße 5, 10115 Berlin",
        support_email="hello@beanandleaf.example",
        brand_color="#8a4b2d",
        logo_url="https://beanandleaf.example/logo.png",
        shop_url="https://beanandleaf.example",
        unsubscribe_url="https://shop.example/u/demo-4Qx7",
        feedback_url="https://shop.example/f/demo-4Qx7",
        review_url="https://beanandleaf.example/reviews/new?order=1042",
        return_url="https://shop.example/r/demo-4Qx7",
        rma="RMA-1042-1",
        return_note="Please include the original packaging, thank you!",
        refund="€24.90",
        credit_balance="€12.50",
        slip_attached=True,
        account_url="https://shop.example/account/demo-4Qx7",
        parcel_status="out_for_delivery",
        confirm_url="https://shop.example/watch/demo-9Tz2/confirm",
    )


@dataclass(frozen=True)
class _Part:
    attribute: str
    label: str
    name: str
    """What the template is compiled as; its extension switches autoescaping on or off."""


_PARTS = (
    _Part("subject", "Subject", "override.subject.txt"),
    _Part("text", "Text", "override.txt"),
    _Part("html", "HTML", "override.html"),
)
_SUBJECT, _TEXT, _HTML = _PARTS


class _PartFailed(Exception):
    def __init__(self, part: _Part, error: Exception) -> None:
        super().__init__(f"{part.label}: {error}")
        self.part, self.error = part, error


def _render(
    template: TemplateSet, context: MessageContext, *, locale: str, own: bool = True
) -> RenderedMessage:
    """``own``: the owner's template, rendered in the bounded sandbox (inside ``bounded``);
    else ours, rendered as fast as Jinja can."""
    env = _environment(locale, own=own)
    values: dict[str, Any] = {"m": _safe(context), "locale": locale}
    values["subject"] = " ".join(_render_part(env, _SUBJECT, template.subject, values).split())
    text = _render_part(env, _TEXT, template.text, values)
    html = _render_part(env, _HTML, template.html, values) if template.html.strip() else ""
    return RenderedMessage(
        subject=values["subject"],
        text=re.sub(r"\n[ \t]*(?:\n[ \t]*)+\n", "\n\n", text).strip() + "\n",
        html=html,
    )


def _render_part(env: Environment, part: _Part, source: str, values: dict[str, Any]) -> str:
    try:
        template = _compile(env, part, source)
        return render_bounded(template, values) if env.sandboxed else template.render(values)
    except Exception as error:
        raise _PartFailed(part, error) from error


def _safe(context: MessageContext) -> MessageContext:
    """The context a template sees: a valid brand colour, its own list of items, and the
    shopper's name isolated (``domain.text.isolate``), in the owner's templates too."""
    return replace(
        context,
        brand_color=safe_color(context.brand_color),
        items=[*context.items],
        customer_name=isolate(context.customer_name),
    )


@lru_cache(maxsize=512)
def _compile(env: Environment, part: _Part, source: str) -> Template:
    code = env.compile(source, name=part.name, filename=part.label)
    return env.template_class.from_code(env, code, env.make_globals(None))


@cache
def _environment(locale: str, *, own: bool = True) -> Environment:
    env = jinja_environment(TEMPLATES, sandboxed=own, translations=translations(locale))
    env.filters["date"] = lambda value: (
        format_date(value, format="long", locale=locale) if value else ""
    )
    env.filters["text_color"] = text_color
    env.filters["first_name"] = first_name
    env.globals["direction"] = direction(locale)
    return env


@cache
def _default_set(kind: MessageKind) -> TemplateSet:
    return default_templates(kind)


def _describe(part: _Part, error: Exception) -> str:
    line = error.lineno if isinstance(error, TemplateSyntaxError) else _template_line(error, part)
    where = f"{part.label}, line {line}" if line else part.label
    if isinstance(error, SecurityError):
        return (
            f"{where}: not allowed: templates cannot reach Python internals, "
            f"use the m.… variables instead ({error})"
        )
    if isinstance(error, TemplateNotFound):
        return f"{where}: there is no template called {error.name!r} to extend or include."
    if isinstance(error, UndefinedError) and (
        missing := re.search(r"MessageContext object' has no attribute '([^']*)'", str(error))
    ):
        return f"{where}: there is no variable m.{missing[1]} (see the list of variables)."
    if isinstance(error, TemplateError):
        return f"{where}: {error.message or error}"
    if isinstance(error, KeyError):
        return f"{where}: the text in _() uses %({error.args[0]})s but gives it no value."
    return f"{where}: {type(error).__name__}: {error}"


def _template_line(error: Exception, part: _Part) -> int | None:
    """The line of the owner's template where ``error`` happened, from the traceback that
    Jinja rewrites to point into templates."""
    line = None
    tb: TracebackType | None = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == part.label:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
