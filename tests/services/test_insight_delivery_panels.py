"""The delivery and WISMO panels' SQL on a real store: the shop's own day across daylight
saving time and west of UTC, failed attempts and exceptions before delivery, parcels sent
back by shoppers left out, the cache following new data, and the first estimate kept."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.carriers.base import TrackingResult
from shopcare.db.engine import transaction
from shopcare.db.models import (
    Customer,
    PageView,
    ProblemReport,
    ReturnRequest,
    Shipment,
    ShopOrder,
    TrackingEvent,
)
from shopcare.domain.insight import Period
from shopcare.services.insight import cache, day_chunks
from shopcare.services.insight.panels import InsightContext, build_panel
from shopcare.services.insight.panels.delivery import delivered_groups
from shopcare.services.insight.ranges import period_from
from shopcare.services.tracking.recording import record_tracking
from shopcare.services.tracking.settings import update_tracking_settings
from tests.conftest import FakeClock
from tests.services.helpers import make_order

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


def parcel(app: ShopCare, n: int, *, shipped: datetime, delivered: datetime, **extra: Any) -> int:
    with transaction(app.sessions) as session:
        customer = Customer(email=f"p{n}@example.com", created_at=shipped)
        session.add(customer)
        session.flush()
        order = ShopOrder(
            order_number=f"P{n}", customer_id=customer.id or 0, email=f"p{n}@example.com",
            placed_at=shipped, public_token=f"p-{n}", created_at=shipped,
        )  # fmt: skip
        session.add(order)
        session.flush()
        shipment = Shipment(
            order_id=order.id or 0, carrier="dhl", tracking_number=f"P{n:06d}",
            status="delivered", shipped_at=shipped, delivered_at=delivered, created_at=shipped,
            **extra,
        )  # fmt: skip
        session.add(shipment)
        session.flush()
        return shipment.id or 0


def days_of(app: ShopCare, period: Period) -> list[tuple[date, date, int]]:
    with app.sessions() as session:
        groups = delivered_groups(session, period)
    return sorted((g.shipped, g.delivered, g.parcels) for g in groups)


def test_parcels_count_on_the_shops_own_day_in_winter_and_summer(shopcare: ShopCare) -> None:
    # 23:30 UTC is already the next day in Berlin (+1 in March, +2 in July)
    parcel(
        shopcare,
        1,
        shipped=datetime(2026, 3, 27, 10, tzinfo=UTC),
        delivered=datetime(2026, 3, 28, 23, 30, tzinfo=UTC),
    )
    parcel(
        shopcare,
        2,
        shipped=datetime(2026, 6, 30, 22, 30, tzinfo=UTC),
        delivered=datetime(2026, 7, 1, 21, 30, tzinfo=UTC),
    )
    parcel(shopcare, 3, shipped=datetime(2026, 7, 1, 21, 59, tzinfo=UTC),
           delivered=datetime(2026, 7, 2, 10, tzinfo=UTC))  # fmt: skip
    berlin = Period(date(2026, 3, 1), date(2026, 7, 31), BERLIN)
    assert days_of(shopcare, berlin) == [
        (date(2026, 3, 27), date(2026, 3, 29), 1),
        (date(2026, 7, 1), date(2026, 7, 1), 1),
        (date(2026, 7, 1), date(2026, 7, 2), 1),
    ]
    new_york = Period(date(2026, 3, 1), date(2026, 7, 31), NEW_YORK)  # 03:00 UTC: yesterday
    assert days_of(shopcare, new_york)[0] == (date(2026, 3, 27), date(2026, 3, 28), 1)
    utc = Period(date(2026, 3, 29), date(2026, 7, 31), ZoneInfo("UTC"))
    assert days_of(shopcare, utc) == [
        (date(2026, 6, 30), date(2026, 7, 1), 1),
        (date(2026, 7, 1), date(2026, 7, 2), 1),
    ]


def test_failed_attempts_and_exceptions_before_delivery_count_once_per_parcel(
    shopcare: ShopCare,
) -> None:
    shipped = datetime(2026, 5, 4, 9, tzinfo=UTC)
    delivered = shipped + timedelta(days=2)
    twice = parcel(shopcare, 1, shipped=shipped, delivered=delivered)
    after = parcel(shopcare, 2, shipped=shipped, delivered=delivered)
    parcel(shopcare, 3, shipped=shipped, delivered=delivered)
    with transaction(shopcare.sessions) as session:
        for key, shipment, status, at in (
            ("a", twice, "failed_attempt", shipped + timedelta(days=1)),
            ("b", twice, "failed_attempt", shipped + timedelta(days=1, hours=3)),
            ("c", twice, "exception", shipped + timedelta(hours=5)),
            ("d", after, "exception", delivered + timedelta(hours=1)),  # after: not counted
        ):
            session.add(TrackingEvent(shipment_id=shipment, event_key=key, occurred_at=at,
                                      status=status, recorded_at=at))  # fmt: skip
        returned = ReturnRequest(order_id=1, rma="R-1", public_token="r-1", created_at=shipped)
        session.add(returned)
        session.flush()
        back = parcel_row(returned.id or 0, shipped, delivered)
        session.add(back)
    panel = build_panel(
        shopcare.sessions, "delivery", Period(date(2026, 5, 1), date(2026, 5, 31), BERLIN),
        InsightContext(now=datetime(2026, 6, 1, tzinfo=UTC)),
    )  # fmt: skip
    figures = {f.key: f.value for f in panel.figures}
    assert figures["parcels"] == 3  # the shopper's parcel back is no delivery
    assert figures["first_attempt"] == 2 / 3
    assert figures["exceptions"] == 1 / 3


def parcel_row(return_id: int, shipped: datetime, delivered: datetime) -> Shipment:
    return Shipment(
        order_id=1, carrier="dhl", tracking_number="BACK1", status="delivered",
        shipped_at=shipped, delivered_at=delivered, created_at=shipped, return_id=return_id,
    )  # fmt: skip


def test_wismo_counts_views_before_delivery_lookups_and_reports(shopcare: ShopCare) -> None:
    shipped = datetime(2026, 5, 4, 9, tzinfo=UTC)
    promised = datetime(2026, 5, 6, 22, tzinfo=UTC)
    on_time = parcel(
        shopcare, 1, shipped=shipped, delivered=shipped + timedelta(days=1), first_estimate=promised
    )
    late = parcel(shopcare, 2, shipped=shipped, delivered=shipped + timedelta(days=5),
                  first_estimate=promised)  # fmt: skip
    with transaction(shopcare.sessions) as session:
        orders = {s.id: s.order_id for s in session.exec(select(Shipment))}
        for hours in (1, 30, 50, 200):  # the last after delivery: not a question
            session.add(PageView(at=shipped + timedelta(hours=hours), kind="tracking_view",
                                 order_id=orders[late]))  # fmt: skip
        session.add(PageView(at=shipped, kind="lookup_failed"))
        session.add(ProblemReport(order_id=orders[on_time], kind="damaged",
                                  created_at=shipped + timedelta(days=2)))  # fmt: skip
    panel = build_panel(
        shopcare.sessions, "wismo", Period(date(2026, 5, 1), date(2026, 5, 31), BERLIN),
        InsightContext(now=datetime(2026, 6, 1, tzinfo=UTC)),
    )  # fmt: skip
    figures = {f.key: f.value for f in panel.figures}
    assert (figures["viewed_on_time"], figures["viewed_late"], figures["viewed"]) == (0, 1, 0.5)
    assert (figures["views_per_order"], figures["lookups_failed"], figures["problems"]) == (4, 1, 1)
    assert panel.table("weekly").rows == (("2026-05-04", 1, 0.0, 0.0, 1, 100.0, 3.0, 0, 1, 1),)
    assert panel.table("reasons").rows[1] == ("Damaged", 1, 0)


def test_the_cache_serves_a_built_panel_until_new_data_arrives(shopcare: ShopCare) -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    may = Period(date(2026, 5, 1), date(2026, 5, 31), BERLIN)
    first = cache.panels(shopcare.sessions, may, now=now, keys=("delivery",))[0]
    assert cache.panels(shopcare.sessions, may, now=now, keys=("delivery",))[0] is first
    parcel(shopcare, 1, shipped=datetime(2026, 5, 4, 9, tzinfo=UTC),
           delivered=datetime(2026, 5, 5, 9, tzinfo=UTC))  # fmt: skip
    with transaction(shopcare.sessions) as session:  # the scan that said "delivered"
        session.add(TrackingEvent(shipment_id=1, event_key="d", status="delivered",
                                  occurred_at=now, recorded_at=now))  # fmt: skip
    again = cache.panels(shopcare.sessions, may, now=now, keys=("delivery",))[0]
    assert again is not first and again.figures[0].value == 1
    later = now + cache.MAX_AGE + timedelta(seconds=1)  # what adds no row is caught by age
    assert cache.panels(shopcare.sessions, may, now=later, keys=("delivery",))[0] is not again


async def test_the_first_estimate_shown_is_kept_when_the_carrier_revises_it(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare)
    with shopcare.sessions() as session:
        shipment_id = session.exec(select(Shipment.id)).one()
    first = datetime(2026, 11, 5, 12, tzinfo=UTC)
    record_tracking(shopcare.sessions, shipment_id, TrackingResult(estimated_delivery=first),
                    now=clock())  # fmt: skip
    clock.advance(days=1)
    record_tracking(
        shopcare.sessions,
        shipment_id,
        TrackingResult(estimated_delivery=first + timedelta(days=3)),
        now=clock(),
    )
    with shopcare.sessions() as session:
        row = session.execute(sa.select(Shipment.first_estimate, Shipment.estimated_delivery)).one()
    kept, current = (m.replace(tzinfo=UTC) if m.tzinfo is None else m for m in row)
    assert kept < current
    assert kept.date() == date(2026, 11, 6)  # the end of the first promised day


def test_settled_months_are_kept_and_recent_ones_read_live(shopcare: ShopCare) -> None:
    now = datetime(2026, 6, 10, 12, tzinfo=UTC)
    spring = Period(date(2026, 3, 15), date(2026, 6, 10), BERLIN)
    assert [(m.first, m.last) for m in day_chunks.months(spring)] == [
        (date(2026, 3, 15), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 4, 30)),
        (date(2026, 5, 1), date(2026, 5, 31)),
        (date(2026, 6, 1), date(2026, 6, 10)),
    ]

    def parcels(at: datetime) -> int:
        panel = build_panel(shopcare.sessions, "delivery", spring, InsightContext(now=at))
        return int(panel.figures[0].value or 0)

    parcel(shopcare, 1, shipped=datetime(2026, 3, 20, 9, tzinfo=UTC),
           delivered=datetime(2026, 3, 23, 9, tzinfo=UTC))  # fmt: skip
    assert parcels(now) == 1
    parcel(
        shopcare,
        2,
        shipped=datetime(2026, 3, 20, 9, tzinfo=UTC),
        delivered=datetime(2026, 3, 24, 9, tzinfo=UTC),
    )  # a late backfill of March
    parcel(shopcare, 3, shipped=datetime(2026, 6, 1, 9, tzinfo=UTC),
           delivered=datetime(2026, 6, 2, 9, tzinfo=UTC))  # fmt: skip
    assert parcels(now) == 2  # June is read live; March as kept
    assert parcels(now + day_chunks.SETTLED_AGE + timedelta(minutes=1)) == 3


def test_the_period_is_read_from_the_address_and_falls_back_to_30_days() -> None:
    now = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)  # already the 6th in Berlin

    def read(**params: str) -> tuple[date, date]:
        period = period_from(params, now=now, zone=BERLIN)
        return period.first, period.last

    assert read(days="7") == (date(2026, 11, 30), date(2026, 12, 6))
    assert read() == read(days="13") == read(days="x") == (date(2026, 11, 7), date(2026, 12, 6))
    assert read(**{"from": "2025-03-01", "to": "2025-03-31"}) == (
        date(2025, 3, 1),
        date(2025, 3, 31),
    )
    assert read(**{"from": "2025-03-31", "to": "2025-03-01"})[1] == date(2026, 12, 6)
    longest = read(**{"from": "2000-01-01", "to": "2025-03-31"})  # cut to 3 × 366 days
    assert (longest[1] - longest[0]).days + 1 == 3 * 366


def test_another_calendar_builds_the_panel_again(shopcare: ShopCare) -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    may = Period(date(2026, 5, 1), date(2026, 5, 31), BERLIN)
    first = cache.panels(shopcare.sessions, may, now=now, keys=("delivery",))[0]
    update_tracking_settings(shopcare.sessions, holidays=["2026-05-14"])
    assert cache.panels(shopcare.sessions, may, now=now, keys=("delivery",))[0] is not first
