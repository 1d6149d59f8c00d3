"""The owner sees on the order page what a carrier's answer needed a choice for (a number
that carried several parcels, an error beside the scans) as a note, not as an error; a
failed poll stays an error. Same set-up as ``test_admin.py``: a demo shop, a signed-in owner."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import col, select

from shopcare.app import ShopCare, build
from shopcare.carriers.base import CarrierError, ErrorKind, TrackingResult
from shopcare.config import load_settings
from shopcare.db.models import Shipment
from shopcare.services.tracking.recording import record_results
from tests.ui.admin_support import only, sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")
NOTE = "FedEx has 2 parcels under 794612345678; following the one shipped 2026-10-29, to 75063"


@contextmanager
def store() -> Iterator[ShopCare]:
    app = build(load_settings())
    try:
        yield app
    finally:
        app.engine.dispose()


def record(outcome: TrackingResult | CarrierError) -> tuple[int, int]:
    """The answer stored for the first shipment of the demo shop: (order id, shipment id)."""
    with store() as app:
        with app.sessions() as session:
            shipment = session.exec(select(Shipment).order_by(col(Shipment.id))).first()
        assert shipment is not None and shipment.id is not None
        record_results(app.sessions, {shipment.id: outcome}, now=app.clock())
        return shipment.order_id, shipment.id


async def test_a_carrier_note_shows_on_the_order_page_as_a_note(user: User) -> None:
    order, shipment = record(TrackingResult(note=NOTE))

    await sign_in(user)
    await user.open(f"/admin/orders/{order}")

    assert only(user, ui.label, f"carrier-note-{shipment}").text == f"Carrier note: {NOTE}"
    await user.should_not_see("Last error")


async def test_a_failed_poll_still_shows_as_the_last_error(user: User) -> None:
    error = CarrierError("fedex: 503 from FedEx", permanent=False, kind=ErrorKind.UNAVAILABLE)
    order, _ = record(error)

    await sign_in(user)
    await user.open(f"/admin/orders/{order}")

    await user.should_see("Last error: fedex: 503 from FedEx")
