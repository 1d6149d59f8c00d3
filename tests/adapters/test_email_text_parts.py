"""The plain-text part of every kind in every language reads as a letter: a blank line after
the greeting, and the footer's sentences each on a line of their own (the block tags of
``base.txt`` once ate those line breaks: "…from Bean Shop.Unsubscribe from these emails")."""

from datetime import date

import pytest

from shopcare.catalogs import translations
from shopcare.domain.messages import MessageKind
from shopcare.notify.render import SUPPORTED_LOCALES, MessageContext, render_message

CONTEXT = MessageContext(
    shop_name="Bean Shop",
    customer_name="Anna",
    order_number="1001",
    tracking_url="https://shop.example/t/abc",
    order_date=None,
    items=["1 × Ceramic mug"],
    carrier="DHL",
    tracking_number="00340434161094042557",
    estimated_delivery=date(2026, 11, 5),
    support_email="help@shop.example",
    shop_url="https://shop.example",
    shop_address="Bean Shop GmbH · Musterstraße 1 · 10115 Berlin · Germany",
    unsubscribe_url="https://shop.example/unsubscribe/u1",
    feedback_url="https://shop.example/feedback/f1",
    return_url="https://shop.example/r/r1",
    rma="R-1001-1",
    account_url="https://shop.example/account/a1",
    confirm_url="https://shop.example/watch/w1/confirm",
)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize("kind", list(MessageKind))
def test_the_text_part_has_its_blank_lines(kind: MessageKind, locale: str) -> None:
    text = render_message(kind, CONTEXT, locale=locale).text
    lines = text.split("\n")
    assert lines[1] == "", f"no blank line after the greeting: {lines[:3]}"
    label = translations(locale).gettext("Unsubscribe from these emails")
    for number, line in enumerate(lines):
        if label in line:
            assert line == label, f"glued to the sentence before: {line!r}"
            assert lines[number + 1].startswith("https://"), lines[number + 1]


@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_footer_carries_the_shops_postal_address(kind: MessageKind) -> None:
    rendered = render_message(kind, CONTEXT, locale="de")
    assert CONTEXT.shop_address in rendered.text.split("\n")
    assert f"{CONTEXT.shop_address}<br>" in rendered.html
