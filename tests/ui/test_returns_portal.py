"""The returns portal: verify, choose items, get an RMA and a printable slip."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from pypdf import PdfReader
from sqlmodel import col, select

from shopcare.app import ShopCare
from shopcare.db.models import (
    OrderLine,
    OutboxMessage,
    ReturnLine,
    ReturnPhoto,
    ReturnRequest,
    Shipment,
)
from shopcare.services.intake.by_hand import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.services.orders.catalog import VariantIn, save_variants
from shopcare.services.orders.views import order_view_by_token
from shopcare.services.returns.admin import ReturnFilter, return_queue
from shopcare.services.returns.policy import update_policy
from shopcare.services.returns.workflow import approve_return
from tests.conftest import FakeClock
from tests.ui.forms import signed

RMA = re.compile(r"R-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")


@pytest.fixture
async def order_token(shopcare: ShopCare, clock: FakeClock) -> str:
    order = create_order(
        shopcare.sessions,
        OrderIn(
            order_number="2002",
            email="grace@example.com",
            placed_at=clock(),
            customer_name="Grace Hopper",
            ship_postcode="94105",
            lines=[
                LineIn(title="Linen shirt", quantity=2, unit_price_minor=4900),
                LineIn(title="Canvas tote", quantity=1, unit_price_minor=1900),
            ],
            shipments=[ShipmentIn(carrier="simulated", tracking_number="SIMOK100001")],
        ),
        now=clock(),
        carriers=shopcare.carrier_names,
    )
    clock.advance(hours=50)
    await shopcare.poll_once()
    return order.public_token


def line_ids(shopcare: ShopCare, token: str) -> dict[str, int]:
    order = order_view_by_token(shopcare.sessions, token)
    assert order is not None
    return {line.title: line.id for line in order.lines}


def approve(shopcare: ShopCare, clock: FakeClock, status_url: str) -> None:
    """The owner's decision, as the admin's Approve button takes it."""
    token = status_url.removeprefix("/r/")
    with shopcare.sessions() as session:
        found = session.exec(select(ReturnRequest).where(ReturnRequest.public_token == token))
        return_id = found.one().id
    assert return_id is not None
    approve_return(shopcare.sessions, return_id, now=clock())


def return_count(shopcare: ShopCare) -> int:
    with shopcare.sessions() as session:
        return len(session.exec(select(ReturnRequest)).all())


async def test_a_shopper_returns_items_and_prints_the_slip(
    shopcare: ShopCare, order_token: str, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    verified = await client.post(
        "/returns", data=signed(shopcare, {"order_number": "2002", "contact": "94105"})
    )
    assert verified.status_code == 303
    form_url = verified.headers["location"]
    assert form_url == f"/t/{order_token}/return"

    form = await client.get(form_url)
    assert form.status_code == 200
    ids = line_ids(shopcare, order_token)
    shirt, tote = ids["Linen shirt"], ids["Canvas tote"]
    assert "<legend>Linen shirt</legend>" in form.text
    assert f'<label for="qty_{shirt}">Quantity</label>' in form.text
    assert '<option value="2">2</option>' in form.text
    assert "Arrived damaged" in form.text

    sent = await client.post(
        form_url,
        data=signed(
            shopcare,
            {
                f"qty_{shirt}": "1",
                f"reason_{shirt}": "too_small",
                f"qty_{tote}": "1",
                f"reason_{tote}": "too_small",
                "comment": "Snug",
            },
        ),
    )
    assert sent.status_code == 303
    status_url = sent.headers["location"]
    assert status_url.startswith("/r/")

    status = await client.get(status_url)
    assert status.status_code == 200
    match = RMA.search(status.text)
    assert match is not None
    rma = match.group()
    assert "1 × Linen shirt" in status.text
    assert "1 × Canvas tote" in status.text
    assert "Too small" in status.text
    assert "4 Nov 2026" in status.text  # created after the parcel arrived

    approve(shopcare, clock, status_url)
    status = await client.get(status_url)
    assert f'href="{status_url}/slip.pdf"' in status.text

    slip = await client.get(f"{status_url}/slip.pdf")
    assert slip.status_code == 200
    assert slip.headers["content-type"] == "application/pdf"
    assert slip.headers["content-disposition"] == f'inline; filename="return-{rma}.pdf"'
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(slip.content)).pages)
    assert rma in text
    assert "Linen shirt" in text
    assert "Canvas tote" in text
    assert page_size(slip.content) == (595, 842)  # the owner's default: A4

    # The Printing page promises a link can ask for another size; it was always A4.
    for size, points in (("letter", (612, 792)), ("label_4x6", (288, 432)), ("bogus", (595, 842))):
        other = await client.get(f"{status_url}/slip.pdf?size={size}")
        assert other.status_code == 200 and page_size(other.content) == points, size


def page_size(pdf: bytes) -> tuple[int, int]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


async def test_returns_lookup_with_wrong_details_gives_the_neutral_message(
    order_token: str, client: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    answer = await client.post(
        "/returns", data=signed(shopcare, {"order_number": "2002", "contact": "00000"})
    )

    assert answer.status_code == 200
    assert "We could not find an order with these details." in answer.text
    assert '<form method="post" action="/returns"' in answer.text


async def test_returning_more_than_ordered_is_refused_and_creates_nothing(
    shopcare: ShopCare, order_token: str, client: httpx.AsyncClient
) -> None:
    shirt = line_ids(shopcare, order_token)["Linen shirt"]

    answer = await client.post(
        f"/t/{order_token}/return",
        data=signed(shopcare, {f"qty_{shirt}": "3", f"reason_{shirt}": "too_small"}),
    )

    assert answer.status_code == 400
    assert "At most 2 of Linen shirt can be returned." in answer.text
    assert 'role="alert"' in answer.text
    assert return_count(shopcare) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason_{shirt}": "too_small"}, "Choose at least one item to return."),
        ({"qty_{shirt}": "1"}, "Choose a reason for Linen shirt."),
        (
            {"qty_{shirt}": "lots", "reason_{shirt}": "too_small"},
            "Choose the quantities from the lists.",
        ),
    ],
)
async def test_an_incomplete_return_request_is_shown_again_with_the_reason(
    shopcare: ShopCare,
    order_token: str,
    client: httpx.AsyncClient,
    fields: dict[str, str],
    message: str,
) -> None:
    shirt = line_ids(shopcare, order_token)["Linen shirt"]
    data = {name.format(shirt=shirt): value for name, value in fields.items()}

    answer = await client.post(f"/t/{order_token}/return", data=signed(shopcare, data))

    assert answer.status_code == 400
    assert message in answer.text
    assert return_count(shopcare) == 0


async def test_returned_lines_are_not_offered_again(
    shopcare: ShopCare, order_token: str, client: httpx.AsyncClient
) -> None:
    ids = line_ids(shopcare, order_token)
    shirt, tote = ids["Linen shirt"], ids["Canvas tote"]
    first = await client.post(
        f"/t/{order_token}/return",
        data=signed(shopcare, {f"qty_{tote}": "1", f"reason_{tote}": "changed_mind"}),
    )
    assert first.status_code == 303

    form = await client.get(f"/t/{order_token}/return")
    assert f'name="qty_{tote}"' not in form.text
    assert f'name="qty_{shirt}"' in form.text

    again = await client.post(
        f"/t/{order_token}/return",
        data=signed(shopcare, {f"qty_{tote}": "1", f"reason_{tote}": "changed_mind"}),
    )
    assert again.status_code == 400
    assert "Canvas tote cannot be returned any more." in again.text
    assert return_count(shopcare) == 1


async def test_a_fully_returned_order_offers_nothing_more(
    shopcare: ShopCare, order_token: str, client: httpx.AsyncClient
) -> None:
    ids = line_ids(shopcare, order_token)
    everything = {
        f"qty_{line}": str(qty) for line, qty in ((ids["Linen shirt"], 2), (ids["Canvas tote"], 1))
    }
    await client.post(
        f"/t/{order_token}/return",
        data=signed(
            shopcare,
            {**everything, f"reason_{ids['Linen shirt']}": "too_large", "same_reason": "1"},
        ),
    )

    form = await client.get(f"/t/{order_token}/return")

    assert "All items of this order have been returned already." in form.text
    assert "<select" not in form.text
    tracking = await client.get(f"/t/{order_token}")
    assert RMA.search(tracking.text)


@pytest.mark.parametrize("path", ["/r/nope", "/r/nope/slip.pdf", "/t/nope/return"])
async def test_unknown_return_links_give_a_friendly_404(
    client: httpx.AsyncClient, path: str
) -> None:
    answer = await client.get(path)

    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "Page not found" in answer.text


async def test_posting_a_return_for_an_unknown_order_gives_404(
    client: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    answer = await client.post(
        "/t/nope/return", data=signed(shopcare, {"qty_1": "1", "reason_1": "too_small"})
    )

    assert answer.status_code == 404


# --- the policy over HTTP --------------------------------------------------------------

JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64


def outbox_kinds(shopcare: ShopCare) -> set[str]:
    with shopcare.sessions() as session:
        return {m.kind for m in session.exec(select(OutboxMessage)) if m.return_id}


def make_sku_order(shopcare: ShopCare, clock: FakeClock) -> tuple[str, dict[str, int]]:
    order = create_order(
        shopcare.sessions,
        OrderIn(
            order_number="2003",
            email="ada@example.com",
            placed_at=clock(),
            lines=[
                LineIn(title="Linen shirt", quantity=1, unit_price_minor=4900, sku="SHIRT-M",
                       variant="M", product_key="shirt"),
                LineIn(title="Gift card", quantity=1, unit_price_minor=2500, sku="GIFT",
                       tags="gift, final"),
            ],
        ),
        now=clock(),
        carriers=shopcare.carrier_names,
    )  # fmt: skip
    save_variants(
        shopcare.sessions,
        [VariantIn("SHIRT-L", "shirt", "Linen shirt", "L"), VariantIn("SHIRT-S", "shirt", "", "S")],
        now=clock(),
    )
    return order.public_token, {li.title: li.id for li in order_lines(shopcare, order.id or 0)}


def order_lines(shopcare: ShopCare, order_id: int) -> list[OrderLine]:
    with shopcare.sessions() as session:
        return list(session.exec(select(OrderLine).where(OrderLine.order_id == order_id)).all())


async def test_a_partial_return_with_a_photo_and_a_reason_per_line(
    shopcare: ShopCare, order_token: str, client: httpx.AsyncClient
) -> None:
    ids = line_ids(shopcare, order_token)
    shirt, tote = ids["Linen shirt"], ids["Canvas tote"]
    form = await client.get(f"/t/{order_token}/return")
    assert 'enctype="multipart/form-data"' in form.text
    assert f'name="reason_{shirt}"' in form.text

    sent = await client.post(
        f"/t/{order_token}/return",
        data=signed(shopcare, {
            f"qty_{shirt}": "1", f"reason_{shirt}": "damaged",
            f"qty_{tote}": "1", f"reason_{tote}": "changed_mind",
        }),
        files=[("photos", ("IMG_1.jpg", JPEG, "image/jpeg"))],
    )  # fmt: skip

    assert sent.status_code == 303, sent.text
    with shopcare.sessions() as session:
        lines = {li.order_line_id: li.reason for li in session.exec(select(ReturnLine))}
        photo = session.exec(select(ReturnPhoto)).one()
    assert lines == {shirt: "damaged", tote: "changed_mind"}
    stored = shopcare.settings.data_dir / "return-photos" / photo.stored_name
    assert stored.read_bytes() == JPEG
    page = await client.get(sent.headers["location"])
    assert "Arrived damaged" in page.text and "Changed my mind" in page.text
    assert photo.stored_name not in page.text  # never shown, never served
    assert (await client.get(f"/return-photos/{photo.stored_name}")).status_code == 404
    assert outbox_kinds(shopcare) == {"return_requested"}
    rest = await client.get(f"/t/{order_token}/return")
    assert '<option value="1">1</option>' in rest.text
    assert '<option value="2">2</option>' not in rest.text


async def test_a_final_sale_item_is_greyed_and_refused(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    update_policy(shopcare.sessions, final_sale_tags=["final"])
    token, ids = make_sku_order(shopcare, clock)

    form = await client.get(f"/t/{token}/return")
    assert f'name="qty_{ids["Gift card"]}"' not in form.text
    assert re.search(r"Gift card</span><span>final sale</span>", form.text)

    answer = await client.post(
        f"/t/{token}/return",
        data=signed(
            shopcare, {f"qty_{ids['Gift card']}": "1", f"reason_{ids['Gift card']}": "changed_mind"}
        ),
    )
    assert answer.status_code == 400
    assert "Gift card cannot be returned any more." in answer.text
    assert return_count(shopcare) == 0


async def test_after_the_window_nothing_can_be_returned(
    shopcare: ShopCare, order_token: str, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    clock.advance(days=31)
    shirt = line_ids(shopcare, order_token)["Linen shirt"]

    form = await client.get(f"/t/{order_token}/return")
    assert "return window closed on 4 Dec 2026" in form.text  # delivered on 4 Nov
    assert "None of the items of this order can be returned any more." in form.text
    answer = await client.post(
        f"/t/{order_token}/return",
        data=signed(shopcare, {f"qty_{shirt}": "1", f"reason_{shirt}": "too_small"}),
    )
    assert answer.status_code == 400
    assert return_count(shopcare) == 0


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([], "Add a photo: the reason “Arrived damaged” needs one."),
        (
            [("photos", ("IMG_1.jpg", b"GIF89a" + b"\0" * 64, "image/jpeg"))],
            "Photo 1 is not a JPEG, PNG, WebP or HEIC image.",
        ),
        (
            [("photos", ("big.jpg", JPEG + b"\0" * (8 * 1024 * 1024), "image/jpeg"))],
            "Photo 1 is larger than 8 MB.",
        ),
        (
            [("photos", (f"p{i}.jpg", JPEG, "image/jpeg")) for i in range(6)],
            "The photos could not be read: attach at most 5 photos of 8 MB each.",
        ),
    ],
)
async def test_photos_are_required_checked_and_limited(
    shopcare: ShopCare,
    order_token: str,
    client: httpx.AsyncClient,
    files: list[tuple[str, tuple[str, bytes, str]]],
    message: str,
) -> None:
    shirt = line_ids(shopcare, order_token)["Linen shirt"]
    answer = await client.post(
        f"/t/{order_token}/return",
        data=signed(shopcare, {f"qty_{shirt}": "1", f"reason_{shirt}": "damaged"}),
        files=files or None,
    )
    assert answer.status_code == 400
    assert message in answer.text
    assert return_count(shopcare) == 0
    folder = shopcare.settings.data_dir / "return-photos"
    assert not folder.exists() or list(folder.iterdir()) == []


async def test_an_exchange_names_the_wanted_variant(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token, ids = make_sku_order(shopcare, clock)
    shirt = ids["Linen shirt"]
    form = await client.get(f"/t/{token}/return")
    assert f'<select id="exchange_{shirt}" name="exchange_{shirt}">' in form.text
    assert '<option value="SHIRT-L">L</option>' in form.text
    assert 'value="SHIRT-M"' not in form.text  # not the one being returned

    sent = await client.post(
        f"/t/{token}/return",
        data=signed(shopcare, {
            f"qty_{shirt}": "1", f"reason_{shirt}": "too_small", "resolution": "exchange",
            f"exchange_{shirt}": "SHIRT-L",
        }),
    )  # fmt: skip
    assert sent.status_code == 303, sent.text
    with shopcare.sessions() as session:
        line = session.exec(select(ReturnLine)).one()
        request = session.exec(select(ReturnRequest)).one()
    assert (line.exchange_sku, request.resolution) == ("SHIRT-L", "exchange")
    page = await client.get(sent.headers["location"])
    assert "In exchange for: L" in page.text
    assert "Exchange for another variant" in page.text


async def test_an_exchange_without_a_variant_is_refused(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token, ids = make_sku_order(shopcare, clock)
    shirt = ids["Linen shirt"]
    answer = await client.post(
        f"/t/{token}/return",
        data=signed(shopcare, {
            f"qty_{shirt}": "1", f"reason_{shirt}": "too_small", "resolution": "exchange",
            f"exchange_{shirt}": "SOMETHING-ELSE",
        }),
    )  # fmt: skip
    assert answer.status_code == 400
    assert "Choose the variant you want instead of Linen shirt." in answer.text


async def test_each_item_has_its_own_reason_and_the_return_takes_the_first(
    shopcare: ShopCare, order_token: str, client: httpx.AsyncClient
) -> None:
    ids = line_ids(shopcare, order_token)
    shirt, tote = ids["Linen shirt"], ids["Canvas tote"]
    form = await client.get(f"/t/{order_token}/return")
    assert 'name="reason"' not in form.text  # no second, overall reason to fill in
    assert f'<select id="reason_{shirt}" name="reason_{shirt}">' in form.text

    sent = await client.post(
        f"/t/{order_token}/return",
        data=signed(shopcare, {
            f"qty_{shirt}": "1", f"reason_{shirt}": "too_small",
            f"qty_{tote}": "1", f"reason_{tote}": "changed_mind",
        }),
    )  # fmt: skip

    assert sent.status_code == 303, sent.text
    with shopcare.sessions() as session:
        lines = {li.order_line_id: li.reason for li in session.exec(select(ReturnLine))}
        request = session.exec(select(ReturnRequest)).one()
    assert lines == {shirt: "too_small", tote: "changed_mind"}
    assert request.reason == "too_small"  # the first line's, for the emails and the API
    queue = return_queue(shopcare.sessions, ReturnFilter(reason="changed_mind"))
    assert [row.rma for row in queue.rows] == [request.rma]  # the owner finds it by either
    assert queue.reasons == ["changed_mind", "too_small"]


async def test_same_reason_for_all_gives_every_item_the_first_chosen_reason(
    shopcare: ShopCare, order_token: str, client: httpx.AsyncClient
) -> None:
    ids = line_ids(shopcare, order_token)
    shirt, tote = ids["Linen shirt"], ids["Canvas tote"]
    form = await client.get(f"/t/{order_token}/return")
    assert re.search(r'<input type="checkbox" id="same_reason" name="same_reason"', form.text)

    sent = await client.post(
        f"/t/{order_token}/return",
        data=signed(shopcare, {
            f"qty_{shirt}": "2", f"reason_{shirt}": "too_large",
            f"qty_{tote}": "1", f"reason_{tote}": "",  # left empty: the box covers it
            "same_reason": "1",
        }),
    )  # fmt: skip

    assert sent.status_code == 303, sent.text
    with shopcare.sessions() as session:
        lines = {li.order_line_id: li.reason for li in session.exec(select(ReturnLine))}
    assert lines == {shirt: "too_large", tote: "too_large"}


async def test_a_refund_ignores_a_variant_sent_along(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    """The picker is only hidden when Refund is chosen, so a variant picked before may
    still be sent: it must not turn the refund into half an exchange."""
    token, ids = make_sku_order(shopcare, clock)
    shirt = ids["Linen shirt"]
    form = await client.get(f"/t/{token}/return")
    assert re.search(r'<div class="for-chosen for-exchange">\s*<label class="sub" for="exchange_'
                     rf'{shirt}">', form.text)  # fmt: skip

    sent = await client.post(
        f"/t/{token}/return",
        data=signed(shopcare, {
            f"qty_{shirt}": "1", f"reason_{shirt}": "too_small", "resolution": "refund",
            f"exchange_{shirt}": "SHIRT-L",
        }),
    )  # fmt: skip

    assert sent.status_code == 303, sent.text
    with shopcare.sessions() as session:
        line = session.exec(select(ReturnLine)).one()
        request = session.exec(select(ReturnRequest)).one()
    assert (line.exchange_sku, request.resolution) == ("", "refund")
    assert "In exchange for" not in (await client.get(sent.headers["location"])).text


async def test_an_exchange_without_a_variant_says_so_beside_the_item_and_keeps_the_input(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    token, ids = make_sku_order(shopcare, clock)
    shirt = ids["Linen shirt"]

    answer = await client.post(
        f"/t/{token}/return",
        data=signed(shopcare, {
            f"qty_{shirt}": "1", f"reason_{shirt}": "too_small", "resolution": "exchange",
            "comment": "A size up, please",
        }),
    )  # fmt: skip

    assert answer.status_code == 400
    assert return_count(shopcare) == 0
    error = f'<p class="field-error" id="exchange_{shirt}-error">'
    assert error + "Choose the variant you want instead of Linen shirt.</p>" in answer.text
    assert (
        f'<select id="exchange_{shirt}" name="exchange_{shirt}" aria-invalid="true" '
        f'aria-describedby="exchange_{shirt}-error">'
    ) in answer.text
    kept = answer.text.split(f'id="qty_{shirt}"')[1]
    assert '<option value="1" selected>1</option>' in kept.split("</select>")[0]
    assert '<option value="too_small" selected>' in answer.text
    assert '<input type="radio" name="resolution" value="exchange" checked>' in answer.text
    assert ">A size up, please</textarea>" in answer.text
    german = await client.post(
        f"/t/{token}/return?lang=de",
        data=signed(shopcare, {f"qty_{shirt}": "1", f"reason_{shirt}": "too_small",
                               "resolution": "exchange"}),
    )  # fmt: skip
    assert error + "Wählen Sie die Variante" in german.text
    gift = ids["Gift card"]  # nothing else to send instead: no picker, and the error says so
    nothing_else = await client.post(
        f"/t/{token}/return",
        data=signed(shopcare, {f"qty_{gift}": "1", f"reason_{gift}": "changed_mind",
                               "resolution": "exchange"}),
    )  # fmt: skip
    assert f'name="exchange_{gift}"' not in nothing_else.text
    assert (
        f'<p class="field-error" id="qty_{gift}-error">There is no other variant of Gift card'
    ) in nothing_else.text


async def test_an_auto_approved_return_says_so_and_queues_the_approval(
    shopcare: ShopCare, order_token: str, client: httpx.AsyncClient
) -> None:
    update_policy(
        shopcare.sessions, auto_approve=True, auto_approve_reasons=["changed_mind"],
        auto_approve_below_minor=3000, shipping_fee_minor=495,
    )  # fmt: skip
    tote = line_ids(shopcare, order_token)["Canvas tote"]
    form = await client.get(f"/t/{order_token}/return")
    assert "You pay the return postage. 4.95 EUR is taken off the refund." in form.text

    sent = await client.post(
        f"/t/{order_token}/return",
        data=signed(shopcare, {f"qty_{tote}": "1", f"reason_{tote}": "changed_mind"}),
    )
    page = await client.get(sent.headers["location"])

    assert outbox_kinds(shopcare) == {"return_requested", "return_approved"}
    assert re.search(r'<li class="done">Approved <span class="sr">', page.text)
    assert "4.95 EUR" in page.text and "paid by you" in page.text


async def test_the_shopper_enters_the_return_tracking_number_and_sees_it_move(
    shopcare: ShopCare, order_token: str, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    tote = line_ids(shopcare, order_token)["Canvas tote"]
    sent = await client.post(
        f"/t/{order_token}/return",
        data=signed(shopcare, {f"qty_{tote}": "1", f"reason_{tote}": "too_large"}),
    )
    status_url = sent.headers["location"]
    approve(shopcare, clock, status_url)
    page = await client.get(status_url)
    assert f'<form method="post" action="{status_url}/tracking">' in page.text

    saved = await client.post(
        f"{status_url}/tracking", data=signed(shopcare, {"tracking_number": "simok 300 001"})
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == status_url
    with shopcare.sessions() as session:
        parcel = session.exec(select(Shipment).where(col(Shipment.return_id).is_not(None))).one()
        request = session.exec(select(ReturnRequest)).one()
    assert (parcel.return_id, parcel.tracking_number) == (request.id, "SIMOK300001")
    page = await client.get(status_url)
    assert "SIMOK300001" in page.text
    assert "The carrier has not reported anything yet." in page.text

    clock.advance(hours=30)
    await shopcare.poll_once()
    page = await client.get(status_url)
    assert '<ol class="timeline">' in page.text
    assert "The carrier has not reported anything yet." not in page.text
    tracking = await client.get(f"/t/{order_token}")
    assert tracking.status_code == 200


async def test_a_wrong_tracking_number_is_explained(
    shopcare: ShopCare, order_token: str, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    tote = line_ids(shopcare, order_token)["Canvas tote"]
    sent = await client.post(
        f"/t/{order_token}/return",
        data=signed(shopcare, {f"qty_{tote}": "1", f"reason_{tote}": "too_large"}),
    )
    status_url = sent.headers["location"]
    approve(shopcare, clock, status_url)
    answer = await client.post(
        f"{status_url}/tracking", data=signed(shopcare, {"tracking_number": "<b>x</b>"})
    )
    assert answer.status_code == 400
    assert "Enter the tracking number as the carrier printed it." in answer.text
    assert 'value="&lt;b&gt;x&lt;/b&gt;"' in answer.text
    outgoing = await client.post(
        f"{status_url}/tracking", data=signed(shopcare, {"tracking_number": "SIMOK100001"})
    )
    assert "This is the number of the parcel we sent you, not yours." in outgoing.text


async def test_posts_without_the_csrf_token_change_nothing(
    shopcare: ShopCare, order_token: str, client: httpx.AsyncClient
) -> None:
    tote = line_ids(shopcare, order_token)["Canvas tote"]
    refused = await client.post(
        f"/t/{order_token}/return",
        data={f"qty_{tote}": "1", f"reason_{tote}": "too_large"},
        files=[("photos", ("a.jpg", JPEG, "image/jpeg"))],
    )
    assert refused.status_code == 403
    assert return_count(shopcare) == 0
    sent = await client.post(
        f"/t/{order_token}/return",
        data=signed(shopcare, {f"qty_{tote}": "1", f"reason_{tote}": "too_large"}),
    )
    tracking = await client.post(
        f"{sent.headers['location']}/tracking", data={"tracking_number": "SIMOK300001"}
    )
    assert tracking.status_code == 403
    with shopcare.sessions() as session:
        assert (
            session.exec(select(Shipment).where(col(Shipment.return_id).is_not(None))).all() == []
        )


async def test_a_hostile_comment_is_shown_as_text(
    shopcare: ShopCare, order_token: str, client: httpx.AsyncClient
) -> None:
    tote = line_ids(shopcare, order_token)["Canvas tote"]
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    sent = await client.post(
        f"/t/{order_token}/return",
        data=signed(
            shopcare, {f"qty_{tote}": "1", f"reason_{tote}": "too_large", "comment": hostile}
        ),
    )
    page = await client.get(sent.headers["location"])
    assert "<script" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
