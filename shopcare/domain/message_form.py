"""The owner's simple message editor: five plain fields (subject, greeting, intro, button
label, closing) with ``{placeholder}`` tokens, written as the Jinja template the expert
editor shows, and read back from it.

Why a template and not a second storage format: sending, preview, the expert editor and
the sandbox all keep working on one thing. The form only writes templates of one exact
shape; ``parse`` accepts a template only when writing its fields again gives the very same
source, so a template edited by hand is never silently rewritten (it opens in the expert
editor instead).

The template extends the message's own default (``shipped.html`` …), so the headline, the
parcel details and the button's link stay the kind's; an empty field overrides nothing and
keeps the default text, translated into the shopper's language. The owner's text is taken
literally: every ``{`` that is not a placeholder is written as ``{{ "{" }}``, so ``{{``,
``{%`` and ``{#`` never reach Jinja as syntax, and in the HTML part ``&``, ``<`` and ``>``
are escaped. Stdlib only.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, fields

PLACEHOLDERS: dict[str, tuple[str, str]] = {
    "order_number": ("m.order_number", "The order number, e.g. 1042"),
    "first_name": ("m.customer_name|first_name", "The shopper's first name"),
    "name": ("m.customer_name", "The shopper's full name (their email when there is none)"),
    "shop_name": ("m.shop_name", "Your shop's name"),
    "carrier": ("m.carrier", "The carrier, e.g. DHL (empty before shipping)"),
    "tracking_number": ("m.tracking_number", "The parcel's tracking number"),
    "tracking_url": ("m.tracking_url", "The shopper's tracking page"),
    "estimated_delivery": ("m.estimated_delivery|date", "The expected delivery day"),
    "rma": ("m.rma", "The return number (return messages)"),
    "refund": ("m.refund", "The refunded amount (return messages)"),
    "support_email": ("m.support_email", "Where shoppers can write to you"),
}
"""The whitelist: token name → (the Jinja expression it becomes, what it means)."""

_EXPRESSIONS = {expression: name for name, (expression, _) in PLACEHOLDERS.items()}
_TOKEN = re.compile(r"\{(" + "|".join(map(re.escape, PLACEHOLDERS)) + r")\}")
_BRACE = '{{ "{" }}'
_PIECE = re.compile(r'\{\{ "\{" \}\}|\{\{ ([^{}]*) \}\}')
_P = '<p style="margin:0 0 12px;">'


@dataclass(frozen=True)
class MessageForm:
    """What the owner fills in; an empty field keeps the default text for that part."""

    subject: str = ""
    greeting: str = ""
    intro: str = ""
    button: str = ""
    closing: str = ""


@dataclass(frozen=True)
class FormTemplate:
    """The three sources of a message template (the shape of ``notify.render.TemplateSet``,
    kept here so the domain needs nothing from the renderer)."""

    subject: str
    html: str
    text: str


def normalized(form: MessageForm) -> MessageForm:
    """``form`` as the template keeps it: one-line subject and button, ``\\n`` line ends."""

    def lines(value: str) -> str:
        return value.replace("\r\n", "\n").replace("\r", "\n")

    one_line = {"subject", "button", "greeting"}
    return MessageForm(
        **{
            f.name: (
                " ".join(lines(getattr(form, f.name)).split("\n"))
                if f.name in one_line
                else lines(getattr(form, f.name))
            )
            for f in fields(MessageForm)
        }
    )


def to_template(form: MessageForm, kind: str) -> FormTemplate:
    """The Jinja template the form stands for (``kind``: the message kind's value)."""
    form = normalized(form)
    subject = _text(form.subject) if form.subject else f'{{% include "{kind}.subject.txt" %}}'
    html_blocks, text_blocks = [f'{{% extends "{kind}.html" %}}'], [f'{{% extends "{kind}.txt" %}}']
    if form.greeting:
        html_blocks.append(_block("greeting", _P + _html(form.greeting) + "</p>"))
        text_blocks.append(_block("greeting", _text(form.greeting)))
    if form.intro:
        html_blocks.append(_block("body", _P + _html(form.intro) + "</p>"))
        text_blocks.append(_block("body", _text(form.intro)))
    if form.closing:
        html_blocks.append(_block("closing", _P + _html(form.closing) + "</p>"))
        text_blocks.append(_block("closing", _text(form.closing)))
    if form.button:
        html_blocks.append(_block("cta_label", _html(form.button)))
        text_blocks.append(_block("cta_label", _text(form.button)))
    return FormTemplate(
        subject=subject, html="\n".join(html_blocks) + "\n", text="\n".join(text_blocks) + "\n"
    )


def from_template(template: FormTemplate, kind: str) -> MessageForm | None:
    """The fields of a template the form wrote, else None (edited by hand: the expert
    editor's business)."""
    blocks = dict(re.findall(r"\{% block (\w+) %\}(.*?)\{% endblock %\}", template.text, re.S))
    include = f'{{% include "{kind}.subject.txt" %}}'
    try:
        form = MessageForm(
            subject="" if template.subject == include else _untext(template.subject),
            greeting=_untext(blocks.get("greeting", "")),
            intro=_untext(blocks.get("body", "")),
            button=_untext(blocks.get("cta_label", "")),
            closing=_untext(blocks.get("closing", "")),
        )
    except ValueError:
        return None
    return form if to_template(form, kind) == template else None


def insert_placeholder(value: str, name: str) -> str:
    """``value`` with the ``{name}`` token added at its end (a space between)."""
    if name not in PLACEHOLDERS:
        raise ValueError(f"no placeholder {name!r}")
    token = "{" + name + "}"
    return f"{value} {token}" if value and not value.endswith((" ", "\n")) else value + token


def _block(name: str, body: str) -> str:
    return f"{{% block {name} %}}{body}{{% endblock %}}"


def _tokens(value: str, *, literal: Callable[[str], str]) -> str:
    """Placeholders as expressions; every other ``{`` as a string expression; the rest
    through ``literal``."""
    out, at = [], 0
    for match in _TOKEN.finditer(value):
        out.append(literal(value[at : match.start()]))
        out.append("{{ " + PLACEHOLDERS[match[1]][0] + " }}")
        at = match.end()
    out.append(literal(value[at:]))
    return "".join(out)


def _text(value: str) -> str:
    return _tokens(value, literal=lambda part: part.replace("{", _BRACE))


def _html(value: str) -> str:
    return _tokens(
        value,
        literal=lambda part: (
            html.escape(part, quote=False).replace("{", _BRACE).replace("\n", "<br>\n")
        ),
    )


def _untext(source: str) -> str:
    """The owner's text back from ``_text``'s output; ValueError when it holds other
    Jinja."""
    out, at = [], 0
    for match in _PIECE.finditer(source):
        out.append(_plain(source[at : match.start()]))
        if match[1] is None:
            out.append("{")
        elif match[1] in _EXPRESSIONS:
            out.append("{" + _EXPRESSIONS[match[1]] + "}")
        else:
            raise ValueError(match[0])
        at = match.end()
    out.append(_plain(source[at:]))
    return "".join(out)


def _plain(part: str) -> str:
    if "{" in part:
        raise ValueError(part)
    return part


__all__ = [
    "PLACEHOLDERS",
    "FormTemplate",
    "MessageForm",
    "from_template",
    "insert_placeholder",
    "normalized",
    "to_template",
]
