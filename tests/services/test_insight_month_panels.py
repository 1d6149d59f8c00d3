"""The messages, returns, feedback and customers panels read settled months from
``day_chunks.by_month``: the figures stay those of one query over the period, the shop's day
is found in SQL on either store (SQLite and PostgreSQL), and the messages panel shows what
the review and reorder reminders achieved."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import OutboxMessage, PageView
from shopcare.domain.insight import Period
from shopcare.services.insight import day_chunks
from shopcare.services.insight.panels import PANELS, build_panel
from tests.services.insight_builders import CONTEXT, PERIOD, Parcel, Store, day, figures

BERLIN = ZoneInfo("Europe/Berlin")


def message(
    session: object, key: str, kind: str, order: int, at: datetime, status: str = "sent"
) -> None:
    session.add(  # type: ignore[attr-defined]
        OutboxMessage(
            idempotency_key=key, kind=kind, order_id=order, recipient="a@example.com",
            status=status, next_attempt_at=at, created_at=at,
            sent_at=at if status == "sent" else None,
        )
    )  # fmt: skip


def test_reminder_results_show_in_the_messages_panel_beside_the_period_before(
    shopcare: ShopCare,
) -> None:
    store = Store(shopcare)
    anna = store.order("anna@example.com", day(1))
    ben = store.order("ben@example.com", day(1))
    old = store.order("old@example.com", day(1, month=9))
    with transaction(shopcare.sessions) as session:
        message(session, "r1", "review_reminder", anna, day(2))
        message(session, "r2", "reorder_reminder", anna, day(3))
        message(session, "r3", "reorder_reminder", ben, day(3))
        message(session, "r4", "reorder_reminder", ben, day(4), status="failed")
        message(session, "r5", "review_reminder", old, day(20, month=9))  # the period before
        session.add(PageView(at=day(4), kind="tracking_view", order_id=anna))
    store.order("anna@example.com", day(10))  # Anna orders again a week after her reminder

    panel = build_panel(shopcare.sessions, "messages", PERIOD, CONTEXT)

    found = figures(panel)
    assert found["reminders-sent"] == (3, 1)
    assert found["reminders-viewed"] == (2 / 3, 0.0)
    assert found["reordered"] == (1, 0)
    assert found["reorder-rate"] == (0.5, None)
    assert panel.table("reminders").rows == (
        ("Review request", 1, 0, 1, 100.0, None, None, 1, 0.0, None),
        ("Reorder reminder", 2, 1, 1, 50.0, 1, 50.0, 0, None, None),
    )
    assert panel.table("reminders").csv().splitlines()[2] == (
        "Reorder reminder,2,1,1,50.0,1,50.0,0,,"
    )


def test_feedback_weeks_follow_the_shops_day_on_this_store(shopcare: ShopCare) -> None:
    """23:30 UTC on the 7th is already the 8th in Berlin: the second week's answer (the
    week is found per day in SQL, on SQLite and on PostgreSQL alike)."""
    store = Store(shopcare)
    order = store.order("a@example.com", day(1), parcels=[Parcel(delivered=day(3))])
    store.feedback(order, 10, datetime(2026, 10, 7, 23, 30, tzinfo=ZoneInfo("UTC")))
    berlin = Period(date(2026, 10, 1), date(2026, 10, 14), BERLIN)

    panel = build_panel(shopcare.sessions, "feedback", berlin, CONTEXT)

    assert [row[:2] for row in panel.table("weekly").rows] == [
        ("2026-10-01", 0),
        ("2026-10-08", 1),
    ]


def test_settled_months_give_the_figures_one_query_gives(shopcare: ShopCare) -> None:
    """A period across three months, built with every month live and with the settled ones
    kept: every panel's figures and tables are the same, in the shop's zone, on this store."""
    store = Store(shopcare)
    for i, placed in enumerate([day(20, month=8), day(30, month=9), day(2), day(25, month=10)]):
        order = store.order(f"s{i % 2}@example.com", placed, parcels=[Parcel(delivered=placed)])
        store.feedback(order, 3 * i, placed + timedelta(days=2))
    period = Period(date(2026, 8, 15), date(2026, 10, 31), BERLIN)
    live = replace(CONTEXT, now=datetime(2026, 11, 2, 9, 0, tzinfo=BERLIN))
    later = replace(live, now=live.now + timedelta(days=40))  # every month settled, kept

    day_chunks.forget()
    first = {key: build_panel(shopcare.sessions, key, period, live) for key in PANELS}
    kept = {key: build_panel(shopcare.sessions, key, period, later) for key in PANELS}
    again = {key: build_panel(shopcare.sessions, key, period, later) for key in PANELS}

    for key in ("messages", "returns", "feedback", "customers"):
        assert kept[key].figures == first[key].figures == again[key].figures, key
        assert kept[key].tables == first[key].tables == again[key].tables, key
    assert figures(first["customers"])["new"] == (2, 0)
    assert figures(first["feedback"])["answers"] == (4, 0)
