"""A shopper's name in an email is isolated from the words around it: a Hebrew name in an
English greeting, or a name stored with an override before names were cleaned, cannot
reorder the sentence. HTML has ``<bdi>``, plain text U+2068 … U+2069; Latin names are
written as they are."""

from __future__ import annotations

from dataclasses import replace

import pytest

from shopcare.domain.messages import MessageKind
from shopcare.notify.render import TemplateSet, render_message, sample_context

FSI, PDI = "\u2068", "\u2069"


@pytest.mark.parametrize("name", ["שרה כהן", "Eve\u202egnp.exe"])
@pytest.mark.parametrize("locale", ["en", "ar"])
def test_a_right_to_left_or_overriding_name_is_isolated(name: str, locale: str) -> None:
    context = replace(sample_context(), customer_name=name)

    message = render_message(MessageKind.SHIPPED, context, locale=locale)

    assert f"<bdi>{FSI}{name}{PDI}</bdi>" in message.html
    assert f"{FSI}{name}{PDI}" in message.text
    assert message.text.count(FSI) == message.text.count(PDI)


def test_a_latin_name_is_written_as_it_is() -> None:
    message = render_message(MessageKind.SHIPPED, sample_context())

    assert "Hello <bdi>Anna Schmidt</bdi>," in message.html
    assert "Hello Anna Schmidt," in message.text
    assert FSI not in message.text + message.html


def test_the_owners_own_template_gets_the_isolated_name_too() -> None:
    override = TemplateSet(
        subject="For {{ m.customer_name }}",
        text="Dear {{ m.customer_name }}, it is on its way.",
        html="",
    )
    context = replace(sample_context(), customer_name="שרה")

    message = render_message(MessageKind.SHIPPED, context, override=override)

    assert message.subject == f"For {FSI}שרה{PDI}"
    assert message.text == f"Dear {FSI}שרה{PDI}, it is on its way.\n"
