"""Long work the owner starts and leaves: progress in the store, and a bulk refresh that
asks the carriers about every chosen parcel and says how it went."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import ImportRun, Shipment
from shopcare.services.runtime.long_work import (
    advance_work,
    finish_work,
    start_work,
    work_in_view,
)
from tests.conftest import FakeClock
from tests.services.helpers import make_order


def test_work_shows_while_it_runs_and_ten_minutes_after(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    run = start_work(
        shopcare.sessions, kind="refresh", title="Refreshing 4 parcels", total=4, now=clock()
    )
    with shopcare.sessions() as session:  # the scheduler's own runs stay out of the header
        session.add(ImportRun(kind="reconcile", source="shopify", started_at=clock()))
        session.commit()
    advance_work(shopcare.sessions, run, done=1)
    (shown,) = work_in_view(shopcare.sessions, now=clock())
    assert (shown.title, shown.status, shown.fraction) == ("Refreshing 4 parcels", "running", 0.25)
    finish_work(shopcare.sessions, run, now=clock(), message="4 asked, 1 changed, 0 errors")
    (shown,) = work_in_view(shopcare.sessions, now=clock() + timedelta(minutes=9))
    assert (shown.status, shown.fraction, shown.message) == (
        "done",
        1.0,
        "4 asked, 1 changed, 0 errors",
    )
    assert work_in_view(shopcare.sessions, now=clock() + timedelta(minutes=11)) == []


async def test_a_bulk_refresh_asks_about_every_parcel_and_reports(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    for n in range(12):
        make_order(shopcare, number=f"10{n:02}", tracking=f"SIMOK1000{n:02}")
    clock.advance(hours=30)
    with shopcare.sessions() as session:
        ids = [s.id or 0 for s in session.exec(select(Shipment)).all()]
    run = shopcare.refresh_in_background(ids)
    await asyncio.gather(*shopcare.background)
    (shown,) = work_in_view(shopcare.sessions, now=clock())
    assert shown.id == run
    assert (shown.title, shown.status, shown.fraction) == ("Refreshing 12 parcels", "done", 1.0)
    assert shown.message == "12 asked, 12 changed, 0 errors"
    with shopcare.sessions() as session:
        assert all(s.status != "info_received" for s in session.exec(select(Shipment)).all())
