"""Numbers posted to the shopper's forms (a parcel in a problem report, a feedback score,
return quantities): anything that is not a plain number in range is answered with the
form's message, never with a 500."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import Feedback, ProblemReport
from shopcare.services.intake.by_hand import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.services.orders.views import order_view_by_token
from shopcare.services.shopper_site.feedback import feedback_token_after_delivery
from shopcare.ui.public import mount_public
from shopcare.ui.public.csrf import COOKIE
from tests.conftest import PUBLIC_URL, FakeClock
from tests.ui.forms import BROWSER_COOKIE, signed

HOSTILE_NUMBERS = ["²", "9" * 20, "9" * 5000, "٣", "-1", "1_0", "0x10", "1e3", "\x00"]


async def delivered_order(shopcare: ShopCare, clock: FakeClock) -> tuple[str, int, str]:
    """An order of 2 shirts in two parcels, delivered and within the return window: its
    token, the shirts' line id and its feedback form's token."""
    order = create_order(
        shopcare.sessions,
        OrderIn(
            order_number="2002", email="grace@example.com", placed_at=clock(),
            ship_postcode="94105", lines=[LineIn(title="Shirt", quantity=2)],
            shipments=[ShipmentIn(carrier="simulated", tracking_number=n)
                       for n in ("SIMOK100001", "SIMOK100002")],
        ),
        now=clock(), carriers=shopcare.carrier_names,
    )  # fmt: skip
    clock.advance(hours=50)
    await shopcare.poll_once()
    view = order_view_by_token(shopcare.sessions, order.public_token)
    assert order.id is not None and view is not None
    feedback = feedback_token_after_delivery(shopcare.sessions, order.id, now=clock())
    return order.public_token, view.lines[0].id, feedback


async def post_numbers(
    shopcare: ShopCare, clock: FakeClock, forms: dict[str, dict[str, str]]
) -> dict[str, httpx.Response]:
    """Each form posted with the browser's CSRF token, on a public site built afresh (so
    the per-order report limit starts over)."""
    app = FastAPI()
    mount_public(app, shopcare)
    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    answers = {}
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        client.cookies.set(COOKIE, BROWSER_COOKIE)
        for path, fields in forms.items():
            clock.advance(seconds=1)
            answers[path] = await client.post(path, data=signed(shopcare, fields))
    return answers


@pytest.mark.parametrize("number", HOSTILE_NUMBERS)
async def test_a_parcel_that_is_not_a_number_is_answered_with_the_reason(
    shopcare: ShopCare, clock: FakeClock, number: str
) -> None:
    token, _, _ = await delivered_order(shopcare, clock)
    answer = (
        await post_numbers(
            shopcare, clock, {f"/t/{token}/problem": {"kind": "damaged", "shipment": number}}
        )
    )[f"/t/{token}/problem"]
    assert answer.status_code == 400
    assert "Please choose one of this order's parcels." in answer.text
    with shopcare.sessions() as session:
        assert session.exec(select(ProblemReport)).all() == []


@pytest.mark.parametrize("number", [*HOSTILE_NUMBERS, "11"])
async def test_a_score_that_is_not_0_to_10_is_answered_with_the_reason(
    shopcare: ShopCare, clock: FakeClock, number: str
) -> None:
    _, _, feedback = await delivered_order(shopcare, clock)
    path = f"/feedback/{feedback}"
    answer = (await post_numbers(shopcare, clock, {path: {"score": number}}))[path]
    assert answer.status_code == 400
    assert "Choose a score from 0 to 10." in answer.text
    with shopcare.sessions() as session:
        assert session.exec(select(Feedback.score)).one() is None


def test_any_text_in_a_public_number_field_never_gives_500(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    """The parcel of a problem report, the feedback score and a return quantity (and the
    line id in its field name) get arbitrary text; every answer is a page, never a 500."""
    token, line, feedback = asyncio.run(delivered_order(shopcare, clock))

    @settings(max_examples=60, deadline=None)
    @given(
        number=st.one_of(st.text(max_size=30), st.sampled_from(HOSTILE_NUMBERS)),
        line_suffix=st.one_of(st.none(), st.text(max_size=25)),
    )
    @example(number="9" * 5000, line_suffix="9" * 30)
    def post_anything(number: str, line_suffix: str | None) -> None:
        quantity_field = f"qty_{line if line_suffix is None else line_suffix}"
        forms = {
            f"/t/{token}/problem": {"kind": "damaged", "shipment": number},
            f"/feedback/{feedback}": {"score": number},
            f"/t/{token}/return": {quantity_field: number, "reason": "too_small"},
        }
        answers = asyncio.run(post_numbers(shopcare, clock, forms))
        for path, answer in answers.items():
            assert answer.status_code < 500, (path, answer.status_code, number, line_suffix)

    post_anything()
