"""The dashboard's messages, returns, feedback and customers panels over a small real SQLite
store: each figure and its previous-period figure, from hand-made rows with known answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import col, select

from shopcare.app import ShopCare, build
from shopcare.config import Settings, SmtpConfig
from shopcare.db.engine import transaction
from shopcare.db.intervals import whole_days_between
from shopcare.db.models import (
    Customer,
    OrderLine,
    OutboxMessage,
    PageView,
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
    Shipment,
    ShopOrder,
    StoreCredit,
)
from shopcare.domain.insight import Period
from shopcare.services.insight.panels import PANELS, build_panel
from tests.conftest import FakeClock, SmtpInbox, set_up_shop
from tests.services.helpers import make_order
from tests.services.insight_builders import CONTEXT, PERIOD, Line, Parcel, Store, day, figures


def test_the_four_panels_are_registered_in_reading_order() -> None:
    keys = list(PANELS)
    assert [k for k in keys if k in ("messages", "returns", "feedback", "customers")] == [
        "messages", "returns", "feedback", "customers",
    ]  # fmt: skip


# --- feedback -------------------------------------------------------------------------------


def test_feedback_nps_by_week_by_delivery_experience_and_by_carrier(shopcare: ShopCare) -> None:
    store = Store(shopcare)
    promised = day(4, hour=23)  # the end of the estimated day
    answers = [  # (parcel, score, answered)
        (Parcel("dhl", delivered=day(3), promised=promised), 10, day(5)),
        (Parcel("dhl", delivered=day(4, hour=22), promised=promised), 9, day(6)),
        (Parcel("ups", delivered=day(6), promised=promised), 2, day(9)),
        (Parcel("ups", delivered=day(7), promised=promised, exception=True), 0, day(10)),
        (Parcel("dhl", delivered=day(5)), 8, day(12)),  # no estimate: unknown
    ]
    ratings = {0: (5, 5), 2: (2, 1), 4: (4, None)}  # answer -> (CSAT, delivery rating)
    for i, (parcel, score, answered) in enumerate(answers):
        order = store.order(f"s{i}@example.com", day(1), parcels=[parcel])
        csat, delivery = ratings.get(i, (None, None))
        store.feedback(order, score, answered, csat=csat, delivery=delivery)
    before = store.order(
        "old@example.com", day(15, 9), parcels=[Parcel(delivered=day(18, 9), promised=promised)]
    )
    store.feedback(before, 10, day(20, 9))
    outside = store.order("later@example.com", day(15), parcels=[Parcel(delivered=day(16))])
    store.feedback(outside, 0, day(20))

    panel = build_panel(shopcare.sessions, "feedback", PERIOD, CONTEXT)

    found = figures(panel)
    assert found["nps"] == (0, 100)  # two promoters, two detractors, a passive
    assert found["answers"] == (5, 1)
    assert found["nps-on-time"] == (100, 100)
    assert found["nps-late"] == (-100, None)
    assert found["csat"][0] == 2 / 3  # 5 and 4 of 5, 2 is not satisfied
    assert panel.table("weekly").rows == (
        ("2026-10-01", 2, 100, 100.0),  # one CSAT answer, a 5
        ("2026-10-08", 3, -66.7, 50.0),  # a 2 and a 4
    )
    assert panel.table("aspects").rows == (
        ("Product", 0, None),
        ("Delivery", 2, 3.0),
        ("Packaging", 0, None),
        ("Communication", 0, None),
    )
    assert panel.table("by-delivery").rows == (
        ("On time", 2, 100),
        ("Late", 2, -100),
        ("Unknown", 1, 0),
        ("With exception", 1, -100),
        ("No exception", 4, 25),
    )
    assert panel.table("by-carrier").rows == (("DHL", 3, 66.7), ("UPS", 2, -100))
    assert [c.table for c in panel.charts] == ["weekly", "by-delivery", "by-carrier", "aspects"]
    weekly = panel.charts[0].options
    assert weekly["xAxis"]["data"] == ["2026-10-01", "2026-10-08"]
    assert weekly["series"][0]["data"] == [100, -66.7]


def test_a_parcel_sent_back_for_a_return_does_not_make_the_order_late(
    shopcare: ShopCare,
) -> None:
    store = Store(shopcare)
    order = store.order(
        "a@example.com", day(1), parcels=[Parcel(delivered=day(2), promised=day(3))]
    )
    store.feedback(order, 10, day(5))
    request = add_return(shopcare, order, requested=day(6), status="requested", rma="R-BACK")
    with transaction(shopcare.sessions) as session:
        session.add(
            Shipment(order_id=order, carrier="dhl", tracking_number="BACK1", status="delivered",
                     shipped_at=day(7), delivered_at=day(12), first_estimate=day(8),
                     created_at=day(7), return_id=request)
        )  # fmt: skip

    panel = build_panel(shopcare.sessions, "feedback", PERIOD, CONTEXT)

    assert panel.table("by-delivery").rows[:2] == (("On time", 1, 100), ("Late", 0, None))


# --- customers ------------------------------------------------------------------------------


def test_repeat_purchases_of_new_customers_by_their_first_delivery(shopcare: ShopCare) -> None:
    store = Store(shopcare)
    on_time = Parcel(delivered=day(4), promised=day(5))
    late = Parcel(delivered=day(9), promised=day(5))
    store.order("c1@example.com", day(2), parcels=[on_time])
    store.order("c1@example.com", day(12))  # back after 10 days
    store.order("c2@example.com", day(3), parcels=[late])
    store.order("c3@example.com", day(4), parcels=[replace(late, exception=True)])
    store.order("c3@example.com", day(1, 11))  # back after 28 days, after the period
    store.order("c4@example.com", day(20, 9), parcels=[on_time])  # new the period before
    store.order("c4@example.com", day(5))
    store.order("c5@example.com", day(6))  # no parcel: unknown
    store.order("c5@example.com", day(8), source="exchange")  # not a purchase
    store.order("c5@example.com", day(9), cancelled=True)  # nor this
    store.order("c6@example.com", day(25, 9), cancelled=True)
    store.order("c6@example.com", day(7), parcels=[on_time])  # first purchase in the period

    panel = build_panel(shopcare.sessions, "customers", PERIOD, CONTEXT)

    found = figures(panel)
    assert found["new"] == (5, 1)
    assert found["repeat-rate"] == (0.4, 1.0)
    assert found["days-p50"] == (10, 15)
    assert found["repeat-on-time"] == (0.5, 1.0)
    assert found["repeat-late"] == (0.0, None)
    assert found["repeat-exception"] == (1.0, None)
    assert panel.table("by-first-delivery").rows == (
        ("All", 5, 2, 40.0, 10),
        ("On time", 2, 1, 50.0, 10),
        ("Late", 1, 0, 0.0, None),
        ("Exception", 1, 1, 100.0, 28),
        ("Unknown", 1, 0, 0.0, None),
    )


# --- returns --------------------------------------------------------------------------------


def add_return(
    app: ShopCare,
    order_id: int,
    *,
    requested: object,
    status: str,
    rma: str,
    lines: dict[str, tuple[int, str]] | None = None,
    resolution: str = "refund",
    refund: int | None = None,
    credit: int | None = None,
    settled: object = None,
) -> int:
    """``lines``: SKU -> (quantity, reason)."""
    with transaction(app.sessions) as session:
        request = ReturnRequest(
            order_id=order_id, rma=rma, public_token=f"tok-{rma}", status=status,
            created_at=requested, resolution=resolution, refund_minor=refund,
        )  # fmt: skip
        session.add(request)
        session.flush()
        assert request.id is not None
        by_sku = {
            line.sku: line.id
            for line in session.exec(select(OrderLine).where(OrderLine.order_id == order_id))
        }
        for sku, (quantity, reason) in (lines or {}).items():
            session.add(
                ReturnLine(return_id=request.id, order_line_id=by_sku[sku] or 0,
                           quantity=quantity, reason=reason)
            )  # fmt: skip
        session.add(ReturnEvent(return_id=request.id, at=requested, actor="shopper",
                                action="requested"))  # fmt: skip
        if settled is not None:
            session.add(ReturnEvent(return_id=request.id, at=settled, actor="owner",
                                    action=status))  # fmt: skip
        if credit is not None:
            session.add(StoreCredit(code=f"C-{rma}", return_id=request.id, amount_minor=credit,
                                    created_at=settled))  # fmt: skip
        return request.id


def test_returns_rates_products_reasons_value_and_days(shopcare: ShopCare) -> None:
    store = Store(shopcare)
    mug, towel = Line("MUG", "Ceramic mug", 2, 1800), Line("TOWEL", "Tea towel", 1, 1250, "towel")
    o1 = store.order(
        "a@example.com", day(2), lines=[mug, towel], parcels=[Parcel(delivered=day(4))]
    )
    o2 = store.order("b@example.com", day(3), lines=[replace(mug, quantity=1)],
                     parcels=[Parcel(delivered=day(5))])  # fmt: skip
    o3 = store.order("c@example.com", day(4), lines=[replace(towel, quantity=2)],
                     parcels=[Parcel(delivered=day(6))])  # fmt: skip
    store.order("d@example.com", day(5), lines=[Line("SOCK", "Socks", 1, 900, "sock")])
    store.order("c@example.com", day(11), lines=[mug], source="exchange")  # not counted
    add_return(
        shopcare,
        o1,
        requested=day(6),
        status="refunded",
        rma="R1",
        lines={"MUG": (1, "too_small")},
        refund=1800,
        settled=day(9),
    )
    add_return(
        shopcare,
        o2,
        requested=day(10),
        status="credited",
        rma="R2",
        lines={"MUG": (1, "damaged")},
        resolution="store_credit",
        credit=1800,
        settled=day(11),
    )
    add_return(
        shopcare,
        o3,
        requested=day(7),
        status="exchanged",
        rma="R3",
        lines={"TOWEL": (1, "too_small")},
        resolution="exchange",
        settled=day(8),
    )
    o5 = store.order("e@example.com", day(20, 9), lines=[replace(mug, quantity=1)])
    add_return(shopcare, o5, requested=day(25, 9), status="rejected", rma="R5",
               lines={"MUG": (1, "changed_mind")})  # fmt: skip

    panel = build_panel(shopcare.sessions, "returns", PERIOD, CONTEXT)

    found = figures(panel)
    assert found["order-rate"] == (0.75, 1.0)
    assert found["item-rate"] == (3 / 7, 1.0)
    assert found["returns"] == (3, 1)
    assert found["refunded"] == (1800, 0)
    assert found["kept"] == (3050, 0)
    assert found["kept-share"] == (3050 / 4850, None)
    assert found["to-request-p50"] == (2, None)
    assert found["to-refund-p50"] == (1, None) and found["to-refund-p90"] == (3, None)
    assert {f.key: f.currency for f in panel.figures}["refunded"] == "EUR"
    assert panel.table("skus").rows == (
        ("MUG", "Ceramic mug", 3, 2, 66.7),
        ("TOWEL", "Tea towel", 3, 1, 33.3),
    )
    assert panel.table("products").rows[0][:4] == ("mug", "Ceramic mug", 3, 2)
    assert panel.table("reasons").rows == (("Too small", 2, 66.7), ("Arrived damaged", 1, 33.3))
    assert {r[0]: r[1] for r in panel.table("resolutions").rows} == {
        "Refund": 1, "Store credit": 1, "Exchange": 1,
    }  # fmt: skip
    assert panel.table("value").rows == (
        ("Refunded", "EUR", "18.00 EUR", 1800),
        ("Exchanged", "EUR", "12.50 EUR", 1250),
        ("Store credit", "EUR", "18.00 EUR", 1800),
    )
    assert panel.table("days").rows == (
        ("Delivery to request", 2, 5, 3),
        ("Request to refund or credit", 1, 3, 2),
    )
    assert "Orders" not in panel.table("value").csv()
    assert panel.table("skus").csv().splitlines()[1] == "MUG,Ceramic mug,3,2,66.7"


# --- messages -------------------------------------------------------------------------------


def test_messages_by_kind_with_bounces_unsubscribes_and_link_views(shopcare: ShopCare) -> None:
    store = Store(shopcare)
    order = store.order("a@example.com", day(1))
    rows = [  # (kind, status, created, error)
        *[("shipped", "sent", day(2), "")] * 3,
        ("shipped", "failed", day(2), "mail server refused the recipient (550 5.1.1 no user)"),
        ("shipped", "failed", day(3), "mail server answered 554: spam"),
        ("delivered", "sent", day(4), ""),
        ("delivered", "sent", day(4, hour=13), ""),
        ("delivered", "queued", day(4), ""),
        ("shipped", "sent", day(20, 9), ""),  # the period before
    ]
    with transaction(shopcare.sessions) as session:
        for i, (kind, status, created, error) in enumerate(rows):
            session.add(
                OutboxMessage(
                    idempotency_key=f"k{i}", kind=kind, order_id=order, recipient="a@example.com",
                    status=status, next_attempt_at=created, created_at=created,
                    sent_at=created if status == "sent" else None, last_error=error,
                )
            )  # fmt: skip
        customer = session.exec(select(Customer)).one()
        customer.unsubscribed_at = day(5)  # after "delivered" on the 4th
        session.add(customer)
        for kind, at in [("shipped", day(2)), ("shipped", day(3)), ("delivered", day(5)),
                         (None, day(5)), ("shipped", day(21, 9))]:  # fmt: skip
            session.add(PageView(at=at, kind="tracking_view", order_id=order, message_kind=kind))

    panel = build_panel(shopcare.sessions, "messages", PERIOD, CONTEXT)

    found = figures(panel)
    assert found["sent"] == (5, 1)
    assert found["failed"] == (1, 0) and found["bounced"] == (1, 0)
    assert found["unsubscribed"] == (1, 0)
    assert found["views"] == (3, 1)
    assert found["view-rate"] == (0.6, 1.0)
    assert found["bounce-rate"] == (1 / 7, 0.0)
    assert panel.table("by-kind").rows == (
        ("Delivered", 2, 0, 0, 1, 1, 50.0),
        ("Shipped", 3, 1, 1, 0, 2, 66.7),
    )
    assert {c.table for c in panel.charts} == {"by-kind"}


async def test_an_address_the_mail_server_refuses_counts_as_a_bounce(
    settings: Settings, clock: FakeClock, smtp_inbox: SmtpInbox
) -> None:
    smtp = SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port, security="plain")
    app = build(replace(settings, smtp=smtp), clock=clock, simulated=True)
    set_up_shop(app)
    smtp_inbox.refuse.add("gone@example.com")
    make_order(app, number="1001", email="gone@example.com")
    make_order(app, number="1002", email="here@example.com", tracking="SIMOK100002")
    await app.dispatch_once()
    today = clock().date()
    period = Period(today - timedelta(days=6), today, PERIOD.zone)

    panel = build_panel(app.sessions, "messages", period, replace(CONTEXT, now=clock()))

    assert panel.table("by-kind").rows == (("Order confirmed", 1, 0, 1, 0, 0, 0.0),)
    app.engine.dispose()


def test_whole_days_between_counts_full_days_in_sqlite_and_compiles_for_postgresql(
    shopcare: ShopCare,
) -> None:
    start, end = sa.literal(day(1, hour=12)), sa.literal(day(3, hour=11))  # 1 day 23 hours
    with shopcare.sessions() as session:
        assert session.execute(sa.select(whole_days_between(start, end))).scalar_one() == 1
    sql = str(
        sa.select(whole_days_between(col(ShopOrder.placed_at), col(ShopOrder.created_at))).compile(
            dialect=postgresql.dialect()
        )
    )
    assert "EXTRACT(EPOCH FROM (shop_order.created_at) - (shop_order.placed_at))" in sql
