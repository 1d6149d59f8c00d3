"""Packing slips: the order number scans, the shopper's address and every item are printed,
in every page size."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import ShopOrder
from shopcare.services.returns.slips import packing_slip_pdf
from shopcare.services.shop.profile import update_profile
from tests.pdf.data import make_order
from tests.pdf.reading import overlaps, scan_pages, text, words


@pytest.mark.parametrize("size", ["a4", "letter", "label_4x6"])
def test_the_barcode_decodes_to_the_order_number_and_the_items_are_listed(
    shopcare: ShopCare, size: str, tmp_path: Path
) -> None:
    made = make_order(shopcare, number="SC-20931", titles=("Ceramic mug", "Linen apron"))
    pdf = packing_slip_pdf(shopcare.sessions, made.order_id, size=size)
    assert pdf is not None
    [first] = scan_pages(pdf, tmp_path)
    assert ("CODE-128", "SC-20931") in first
    printed = text(pdf)
    for expected in ("SC-20931", "Ceramic mug", "Linen apron", "Size S", "Иван Петров", "Москва"):
        assert expected in printed, expected
    sizes, found = words(pdf)
    assert len(sizes) == 1
    assert [(a.text, b.text) for i, a in enumerate(found) for b in found[i + 1 :]
            if overlaps(a, b)] == []  # fmt: skip


def test_the_date_is_the_day_in_the_shops_time_zone(shopcare: ShopCare) -> None:
    made = make_order(shopcare)
    with transaction(shopcare.sessions) as session:
        order = session.get(ShopOrder, made.order_id)
        assert order is not None
        order.placed_at = datetime(2026, 11, 2, 23, 30, tzinfo=UTC)  # 3 Nov in Tokyo
        session.add(order)
    update_profile(shopcare.sessions, timezone="Asia/Tokyo")
    pdf = packing_slip_pdf(shopcare.sessions, made.order_id, size="a4")
    assert pdf is not None and "2026-11-03" in text(pdf) and "2026-11-02" not in text(pdf)


def test_an_unknown_order_makes_no_pdf(shopcare: ShopCare) -> None:
    assert packing_slip_pdf(shopcare.sessions, 4242) is None


def test_the_header_is_the_shops_postal_address_not_its_returns_desk(shopcare: ShopCare) -> None:
    update_profile(
        shopcare.sessions,
        return_address="Bean Shop\nReturns desk\nLagerweg 9\n04109 Leipzig",
        postal_address="Bean Shop GmbH\nMusterstraße 1\n10115 Berlin",
    )
    made = make_order(shopcare)
    printed = text(packing_slip_pdf(shopcare.sessions, made.order_id, size="a4") or b"")
    assert "Musterstraße 1" in printed
    assert "Returns desk" not in printed and "Lagerweg 9" not in printed
