"""Arabic slips as a shopper's printer and the shop's scanner see them: the letters joined,
the page laid out right to left, Latin parts (the RMA, SKUs, addresses) still left to
right; read back by poppler, the codes scanned by zbar."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from reportlab.lib.units import mm
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import Customer
from shopcare.pdf.fonts import visual
from shopcare.services.returns.slips import packing_slip_pdf, return_slips_pdf
from tests.conftest import PUBLIC_URL
from tests.pdf.data import Made, make_order
from tests.pdf.reading import logical_words, reads, scan_pages, text, words

JOINED_SLIP = "\ufed7\ufeb4\ufef4\ufee4\ufe94"
"""قسيمة as drawn: initial qaf, medial seen, yeh and meem, final teh marbuta."""


def arabic_shopper(shopcare: ShopCare, **order: str) -> Made:
    made = make_order(shopcare, **order)  # type: ignore[arg-type]
    with transaction(shopcare.sessions) as session:
        customer = session.exec(select(Customer)).one()
        customer.locale = "ar"
        session.add(customer)
    return made


def return_slip(shopcare: ShopCare, made: Made, size: str) -> bytes:
    pdf = return_slips_pdf(shopcare.sessions, made.return_ids, public_url=PUBLIC_URL, size=size)
    assert pdf is not None
    return pdf


@pytest.mark.parametrize("size", ["a4", "label_4x6"])
def test_an_arabic_shopper_gets_an_arabic_slip_whose_codes_still_scan(
    shopcare: ShopCare, size: str, tmp_path: Path
) -> None:
    made = arabic_shopper(shopcare)
    rma = made.rmas[0]
    pdf = return_slip(shopcare, made, size)
    printed = logical_words(pdf)
    phrases = ["قسيمة الإرجاع", "أرسل الطرد إلى", "صغير جدًا", "وصل تالفًا"]
    if size == "a4":
        phrases += ["تعليمات التغليف", f"اكتب رقم الإرجاع {rma} بوضوح على الجهة الخارجية للطرد"]
    else:
        # poppler reads this line's "اكتب" after the RMA, although it is drawn to its right
        phrases += ["ضع هذه القسيمة في الطرد", "على الجهة الخارجية", rma]
    for phrase in phrases:
        assert reads(printed, phrase), (phrase, " ".join(printed))
    assert JOINED_SLIP in text(pdf)
    assert "Return slip" not in " ".join(printed)
    if size == "a4":  # the date as written, not turned into 05-12-2026
        assert re.search(r"\b2\d{3}-\d\d-\d\d\b", text(pdf))
    [first] = scan_pages(pdf, tmp_path)
    assert ("CODE-128", rma) in first
    assert ("QR-Code", f"{PUBLIC_URL}/r/{made.tokens[0]}") in first


def test_the_arabic_page_is_laid_out_from_the_right_margin(shopcare: ShopCare) -> None:
    made = arabic_shopper(shopcare)
    sizes, found = words(return_slip(shopcare, made, "a4"))
    width, right_margin = sizes[0][0], sizes[0][0] - 16 * mm
    rma = [w for w in found if w.text == made.rmas[0]]
    assert rma and abs(rma[0].x_max - right_margin) < 1  # the title line, in large type
    returns_to = [w for w in found if w.text == "Berlin"]  # the first address column
    assert returns_to and abs(returns_to[0].x_max - right_margin) < 1
    assert all(w.x_min > 16 * mm - 1 and w.x_max < width - 16 * mm + 1 for w in found)
    # "اكتب رقم الإرجاع R-… بوضوح": the RMA between the words before and after it, read
    # leftwards; -bbox gives each word's letters in the order drawn, so reversed
    step = [w for w in found if w.y_min == rma[-1].y_min]
    write = [w for w in step if unicodedata.normalize("NFKC", w.text) == "اكتب"[::-1]]
    clearly = [w for w in step if unicodedata.normalize("NFKC", w.text) == "بوضوح"[::-1]]
    assert write and clearly and clearly[0].x_max < rma[-1].x_min < rma[-1].x_max < write[0].x_min


def test_an_arabic_name_and_address_on_an_english_slip_read_in_order(shopcare: ShopCare) -> None:
    made = make_order(shopcare, ship_name="فاطمة الزهراء", address="شارع الملك فهد", city="الرياض")
    pdf = return_slip(shopcare, made, "a4")
    printed = logical_words(pdf)
    for phrase in ("فاطمة الزهراء", "شارع الملك فهد", "الرياض", "Return slip"):
        assert reads(printed, phrase), (phrase, " ".join(printed))


def test_an_arabic_shoppers_parcel_has_an_arabic_packing_slip(
    shopcare: ShopCare, tmp_path: Path
) -> None:
    made = arabic_shopper(shopcare, number="SC-20931")
    pdf = packing_slip_pdf(shopcare.sessions, made.order_id)
    assert pdf is not None
    printed = logical_words(pdf)
    for phrase in ("قائمة محتويات الطرد", "الشحن إلى", "شكرًا لطلبك", "Ceramic mug"):
        assert reads(printed, phrase), (phrase, " ".join(printed))
    assert "Packing slip" not in " ".join(printed)
    [first] = scan_pages(pdf, tmp_path)
    assert ("CODE-128", "SC-20931") in first


def test_brackets_in_arabic_are_mirrored_so_they_enclose_the_words() -> None:
    drawn = unicodedata.normalize("NFKC", visual("قميص (أزرق)", rtl=True))
    assert drawn == "(قرزأ) صيمق"  # drawn left to right: the last word first, "(" at its left
    assert visual("Ceramic mug (blue)", rtl=False) == "Ceramic mug (blue)"
