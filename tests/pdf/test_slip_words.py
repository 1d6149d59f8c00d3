"""The return slip speaks the shopper's language, as the emails and pages do."""

from __future__ import annotations

from dataclasses import fields

import pytest
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.catalogs import read_catalog
from shopcare.db.engine import transaction
from shopcare.db.models import Customer
from shopcare.pdf.packing_slip import PackingWords
from shopcare.pdf.return_slip import SlipWords
from shopcare.services.returns.slip_words import (
    PRINTABLE_LOCALES,
    RESOLUTION_WORDS,
    prints_right_to_left,
    slip_words,
)
from shopcare.services.returns.slips import packing_slip_pdf, return_slips_pdf
from tests.conftest import PUBLIC_URL
from tests.pdf.data import make_order
from tests.pdf.reading import text


def english_words() -> set[str]:
    found: set[str] = set(RESOLUTION_WORDS.values())
    for words in (SlipWords(), PackingWords()):
        for f in fields(words):
            value = getattr(words, f.name)
            found.update(value if isinstance(value, tuple) else [value])
    return found


@pytest.mark.parametrize("locale", sorted(PRINTABLE_LOCALES - {"en"}))
def test_every_slip_word_is_translated_with_its_placeholders(locale: str) -> None:
    catalog = read_catalog(locale)
    for msgid in english_words():
        assert msgid in catalog and catalog[msgid].string, (locale, msgid)
        assert ("{rma}" in msgid) == ("{rma}" in str(catalog[msgid].string)), msgid


def test_a_german_shopper_gets_a_german_slip(shopcare: ShopCare) -> None:
    made = make_order(shopcare, reason="too_small")
    with transaction(shopcare.sessions) as session:
        customer = session.exec(select(Customer)).one()
        customer.locale = "de"
        session.add(customer)
    pdf = return_slips_pdf(shopcare.sessions, made.return_ids, public_url=PUBLIC_URL)
    assert pdf is not None
    printed = text(pdf)
    assert "Rücksendeschein" in printed and "Verpackungshinweise" in printed
    assert made.rmas[0] in printed  # the {rma} placeholder is filled in German too
    assert "Return slip" not in printed and "Packing instructions" not in printed


def test_arabic_prints_right_to_left_and_a_language_without_a_catalog_prints_english() -> None:
    assert slip_words("ar").title == "قسيمة الإرجاع" and prints_right_to_left("ar")
    assert slip_words("he") == SlipWords() and not prints_right_to_left("he")
    assert slip_words("de").title == "Rücksendeschein" and not prints_right_to_left("de")


def test_a_german_shoppers_parcel_has_a_german_packing_slip(shopcare: ShopCare) -> None:
    made = make_order(shopcare)
    with transaction(shopcare.sessions) as session:
        customer = session.exec(select(Customer)).one()
        customer.locale = "de"
        session.add(customer)
    pdf = packing_slip_pdf(shopcare.sessions, made.order_id)
    assert pdf is not None
    printed = text(pdf)
    assert "Lieferschein" in printed and "Vielen Dank für Ihre Bestellung." in printed
    assert "Packing slip" not in printed
