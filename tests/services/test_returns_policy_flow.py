"""Opening a return under the shop's policy: the rows, the history, the messages, the photos
on disk, the variants learnt from orders and the parcel the shopper sends back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import col, select

from shopcare.app import ShopCare
from shopcare.db.models import (
    OrderLine,
    OutboxMessage,
    ProductVariant,
    ReturnEvent,
    ReturnLine,
    ReturnPhoto,
    ReturnRequest,
    Shipment,
)
from shopcare.domain.return_policy import Problem, RequestedLine
from shopcare.services.errors import InputError
from shopcare.services.intake.by_hand import LineIn, OrderIn, create_order
from shopcare.services.orders.catalog import VariantIn, save_variants
from shopcare.services.returns.photos import PhotoUpload, sniff
from shopcare.services.returns.policy import get_policy_settings, update_policy
from shopcare.services.returns.requests import (
    ReturnAsk,
    ReturnRefused,
    request_return,
    return_options,
    returnable_lines,
)
from shopcare.services.returns.shipments import add_return_parcel
from shopcare.services.shop.profile import update_profile
from tests.conftest import FakeClock

JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 100


def order(shopcare: ShopCare, clock: FakeClock, *, tags: str = "") -> tuple[str, dict[str, int]]:
    made = create_order(
        shopcare.sessions,
        OrderIn(
            order_number="3001",
            email="ada@example.com",
            placed_at=clock(),
            lines=[
                LineIn(
                    title="Linen shirt", quantity=2, unit_price_minor=4900, sku="SHIRT-M",
                    variant="M", product_key="shirt", tags=tags,
                ),
                LineIn(title="Canvas tote", quantity=1, unit_price_minor=1900, sku="TOTE"),
            ],
        ),
        now=clock(),
        carriers=shopcare.carrier_names,
    )  # fmt: skip
    with shopcare.sessions() as session:
        lines = session.exec(select(OrderLine).where(OrderLine.order_id == made.id)).all()
        return made.public_token, {li.sku: li.id or 0 for li in lines}


def ask(token: str, *lines: RequestedLine, **kw: object) -> ReturnAsk:
    return ReturnAsk(order_token=token, lines=lines, **kw)  # type: ignore[arg-type]


def test_an_order_line_becomes_a_variant_with_its_product(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    order(shopcare, clock, tags="summer, linen")
    with shopcare.sessions() as session:
        variant = session.exec(select(ProductVariant).where(ProductVariant.sku == "SHIRT-M")).one()
        line = session.exec(select(OrderLine).where(OrderLine.sku == "SHIRT-M")).one()
    assert (variant.product_key, variant.variant, variant.price_minor) == ("shirt", "M", 4900)
    assert line.tags == "summer, linen"


def test_exchange_offers_other_available_variants_of_the_product(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    token, ids = order(shopcare, clock)
    save_variants(
        shopcare.sessions,
        [
            VariantIn("SHIRT-L", "shirt", "Linen shirt", "L"),
            VariantIn("SHIRT-XL", "shirt", "Linen shirt", "XL", available=False),
            VariantIn("SOCKS", "socks", "Socks", "One size"),
        ],
        now=clock(),
    )
    options = return_options(shopcare.sessions, token, now=clock())
    assert options is not None
    assert options.lines[ids["SHIRT-M"]].variants == [("SHIRT-L", "L")]
    assert options.lines[ids["TOTE"]].variants == []


def test_an_auto_approved_return_is_logged_and_both_messages_are_queued(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    update_policy(
        shopcare.sessions, auto_approve=True, auto_approve_reasons=["too_small"],
        auto_approve_below_minor=5000,
    )  # fmt: skip
    token, ids = order(shopcare, clock)

    request_return(
        shopcare.sessions, ask(token, RequestedLine(ids["SHIRT-M"], 1, "too_small")),
        now=clock(), photo_dir=None,
    )  # fmt: skip

    with shopcare.sessions() as session:
        request = session.exec(select(ReturnRequest)).one()
        kinds = {m.kind for m in session.exec(select(OutboxMessage)) if m.return_id}
        events = [
            (e.actor, e.action)
            for e in session.exec(select(ReturnEvent).order_by(col(ReturnEvent.id)))
        ]
    assert (request.status, request.auto_approved) == ("approved", True)
    assert kinds == {"return_requested", "return_approved"}
    assert events == [("shopper", "requested"), ("system", "auto_approved")]


def test_a_return_over_the_auto_approve_value_waits_for_the_owner(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    update_policy(shopcare.sessions, auto_approve=True, auto_approve_below_minor=5000)
    token, ids = order(shopcare, clock)
    request_return(
        shopcare.sessions, ask(token, RequestedLine(ids["SHIRT-M"], 2, "too_small")),
        now=clock(), photo_dir=None,
    )  # fmt: skip
    with shopcare.sessions() as session:
        request = session.exec(select(ReturnRequest)).one()
        kinds = {m.kind for m in session.exec(select(OutboxMessage)) if m.return_id}
    assert (request.status, request.auto_approved) == ("requested", False)
    assert kinds == {"return_requested"}


def test_the_fee_and_the_postage_payer_are_stored(shopcare: ShopCare, clock: FakeClock) -> None:
    update_policy(shopcare.sessions, restocking_percent=10, shipping_fee_minor=495)
    token, ids = order(shopcare, clock)
    request_return(
        shopcare.sessions, ask(token, RequestedLine(ids["SHIRT-M"], 1, "too_large")),
        now=clock(), photo_dir=None,
    )  # fmt: skip
    with shopcare.sessions() as session:
        request = session.exec(select(ReturnRequest)).one()
    assert (request.fee_minor, request.shipping_paid_by) == (490 + 495, "shopper")


def test_photos_are_kept_in_the_data_dir_with_a_row(
    shopcare: ShopCare, clock: FakeClock, tmp_path: Path
) -> None:
    token, ids = order(shopcare, clock)
    folder = tmp_path / "photos"
    request_return(
        shopcare.sessions,
        ask(token, RequestedLine(ids["TOTE"], 1, "damaged"), photos=[PhotoUpload("a", JPEG)]),
        now=clock(), photo_dir=folder,
    )  # fmt: skip
    with shopcare.sessions() as session:
        photo = session.exec(select(ReturnPhoto)).one()
    assert (photo.content_type, photo.size) == ("image/jpeg", len(JPEG))
    assert (folder / photo.stored_name).read_bytes() == JPEG
    assert re.fullmatch(r"[0-9a-f]{32}\.jpeg", photo.stored_name)  # random, not the upload's


def test_a_refused_return_leaves_no_photo_behind(
    shopcare: ShopCare, clock: FakeClock, tmp_path: Path
) -> None:
    token, ids = order(shopcare, clock)
    folder = tmp_path / "photos"
    with pytest.raises(ReturnRefused) as refused:
        request_return(
            shopcare.sessions,
            ask(token, RequestedLine(ids["TOTE"], 1, ""), photos=[PhotoUpload("a", JPEG)]),
            now=clock(), photo_dir=folder,
        )  # fmt: skip
    assert [p.code for p in refused.value.problems] == [Problem.NO_REASON]
    assert not folder.exists() or list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"RIFF\0\0\0\0WEBPVP8 ", "image/webp"),
        (b"\0\0\0\x18ftypheic\0\0\0\0", "image/heic"),
        (b"\0\0\0\x18ftypmif1\0\0\0\0", "image/heic"),
        (JPEG, "image/jpeg"),
        (b"GIF89a....", None),
        (b"%PDF-1.7", None),
        (b"", None),
    ],
)
def test_photos_are_recognised_by_their_bytes(data: bytes, kind: str | None) -> None:
    assert sniff(data) == kind


def test_the_window_closes_in_the_shops_zone(shopcare: ShopCare, clock: FakeClock) -> None:
    update_profile(shopcare.sessions, timezone="Pacific/Auckland")
    update_policy(shopcare.sessions, window_days=1)
    token, ids = order(shopcare, clock)  # 2 Nov 09:00 UTC = 2 Nov 22:00 in Auckland
    clock.advance(hours=25, minutes=59)  # 3 Nov 23:59 in Auckland: the last day
    assert returnable_lines(shopcare.sessions, token, now=clock()) == {
        ids["SHIRT-M"]: 2, ids["TOTE"]: 1,
    }  # fmt: skip
    clock.advance(minutes=1)
    assert returnable_lines(shopcare.sessions, token, now=clock()) == {}
    assert returnable_lines(shopcare.sessions, token) == {ids["SHIRT-M"]: 2, ids["TOTE"]: 1}


def test_the_policy_settings_refuse_nonsense(shopcare: ShopCare) -> None:
    with pytest.raises(InputError, match="whole number of days"):
        update_policy(shopcare.sessions, window_days=-1)
    with pytest.raises(InputError, match="used twice"):
        update_policy(
            shopcare.sessions,
            reasons=[{"code": "a", "label": "A"}, {"code": "a", "label": "B"}],
        )
    with pytest.raises(InputError, match="needs a value"):
        update_policy(shopcare.sessions, resolutions=["keep"], keep_below_minor=0)
    with pytest.raises(InputError, match="unknown reasons: gone"):
        update_policy(shopcare.sessions, auto_approve_reasons=["gone"])
    with pytest.raises(InputError, match="between 0 and 100"):
        update_policy(shopcare.sessions, restocking_percent=120)
    assert get_policy_settings(shopcare.sessions).window_days == 30


def test_a_return_parcel_is_a_shipment_of_the_order_logged_once(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    token, ids = order(shopcare, clock)
    return_token = request_return(
        shopcare.sessions, ask(token, RequestedLine(ids["TOTE"], 1, "too_large")),
        now=clock(), photo_dir=None,
    )  # fmt: skip
    first = add_return_parcel(
        shopcare.sessions, return_token, tracking_number="sim ok 200 001",
        carriers=shopcare.carrier_names, now=clock(),
    )  # fmt: skip
    again = add_return_parcel(
        shopcare.sessions, return_token, tracking_number="SIMOK200001",
        carriers=shopcare.carrier_names, now=clock(),
    )  # fmt: skip
    with shopcare.sessions() as session:
        shipments = session.exec(select(Shipment)).all()
        request = session.exec(select(ReturnRequest)).one()
        logged = session.exec(
            select(ReturnEvent).where(ReturnEvent.action == "tracking_added")
        ).all()
        lines = session.exec(select(ReturnLine)).all()
    assert first.id == again.id
    assert [(s.carrier, s.tracking_number, s.return_id) for s in shipments] == [
        ("simulated", "SIMOK200001", request.id)
    ]
    assert len(logged) == 1 and len(lines) == 1


def test_a_ups_number_goes_to_ups_even_before_the_account_exists(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    token, ids = order(shopcare, clock)
    return_token = request_return(
        shopcare.sessions, ask(token, RequestedLine(ids["TOTE"], 1, "too_large")),
        now=clock(), photo_dir=None,
    )  # fmt: skip
    parcel = add_return_parcel(
        shopcare.sessions, return_token, tracking_number="1Z999AA10123456784",
        carriers=shopcare.carrier_names, now=clock(),
    )  # fmt: skip
    assert (parcel.carrier, parcel.carrier_pinned) == ("ups", False)
    with pytest.raises(InputError, match="tracking number"):
        add_return_parcel(
            shopcare.sessions, return_token, tracking_number="<b>",
            carriers=shopcare.carrier_names, now=clock(),
        )  # fmt: skip
