"""An order's timeline: everything that happened to it, from every table, newest first."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event as sa_event
from sqlmodel import delete, select

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import (
    AdminUser,
    Feedback,
    OrderNote,
    OutboxMessage,
    PageView,
    ProblemReport,
    ReturnRequest,
    Shipment,
    TrackingEvent,
)
from shopcare.services.accounts.auth import set_password
from shopcare.services.errors import InputError
from shopcare.services.orders.changes import add_parcel, cancel, order_edit, update_order
from shopcare.services.orders.notes import NOTE_MAX, add_note
from shopcare.services.orders.timeline import EntryKind, TimelineEntry, order_timeline
from shopcare.services.returns.history import log_return_event
from tests.conftest import FakeClock
from tests.services.helpers import make_order
from tests.services.return_builders import open_return_rows

BERLIN = ZoneInfo("Europe/Berlin")


def _history(app: ShopCare, clock: FakeClock) -> int:
    """An order with a bit of everything, each step an hour or more after the last."""
    t0 = clock()
    order = make_order(app)
    assert order.id is not None
    h = timedelta(hours=1)
    with transaction(app.sessions) as session:
        session.exec(delete(OutboxMessage))
        shipment = session.exec(select(Shipment).where(Shipment.order_id == order.id)).one()
        assert shipment.id is not None
        for n, (status, text, where) in enumerate(
            [("info_received", "Label created", ""), ("in_transit", "Departed hub", "Leipzig")]
        ):
            session.add(
                TrackingEvent(
                    shipment_id=shipment.id,
                    event_key=f"e{n}",
                    occurred_at=t0 + (1 + 5 * n) * h,
                    status=status,
                    description=text,
                    location=where,
                    recorded_at=t0 + 7 * h,
                )
            )
        session.add(
            OutboxMessage(
                idempotency_key="k1",
                kind="shipped",
                recipient="anna@example.com",
                status="sent",
                subject="Your order is on its way",
                sent_at=t0 + 2 * h,
                created_at=t0 + 2 * h - timedelta(minutes=1),
                order_id=order.id,
                next_attempt_at=t0,
            )
        )
        session.add(
            OutboxMessage(
                idempotency_key="k2",
                kind="out_for_delivery",
                channel="sms",
                recipient="+4915112345678",
                status="failed",
                last_error="550 number not reachable",
                created_at=t0 + 3 * h,
                order_id=order.id,
                next_attempt_at=t0,
            )
        )
        for hours in (4, 5):
            session.add(PageView(at=t0 + hours * h, kind="tracking_view", order_id=order.id))
        session.add(PageView(at=t0 + 4 * h, kind="lookup", order_id=order.id))
        session.add(
            Feedback(
                order_id=order.id,
                public_token="fb",
                score=4,
                comment="Lovely mug",
                created_at=t0 + 30 * h,
                answered_at=t0 + 48 * h,
            )
        )
        session.add(
            ProblemReport(
                order_id=order.id,
                kind="damaged",
                message="Handle broken",
                created_at=t0 + 49 * h,
            )
        )
    return_id = open_return_rows(app.sessions, "1001", now=t0 + 24 * h, quantities={"MUG": 1})
    with transaction(app.sessions) as session:
        log_return_event(
            session, return_id, actor="owner", action="approved", now=t0 + 25 * h, detail="Send it"
        )
    set_password(app.sessions, username="mia", password="a long enough pass", now=t0)
    with app.sessions() as session:
        mia = session.exec(select(AdminUser).where(AdminUser.username == "mia")).one()
    add_note(app.sessions, order.id, text="  Called Anna  ", author_id=mia.id, now=t0 + 72 * h)
    return order.id


def test_it_gathers_everything_newest_first_in_the_shop_zone(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    order_id = _history(shopcare, clock)
    return_link = "/admin/returns/" + str(_return_id(shopcare))
    got = order_timeline(shopcare.sessions, order_id, zone=BERLIN)
    t0 = clock().astimezone(BERLIN)

    def at(hours: int) -> datetime:
        return t0 + timedelta(hours=hours)

    K = EntryKind
    assert got == [
        TimelineEntry(at(72), K.NOTE, "Note", "Called Anna", actor="mia"),
        TimelineEntry(
            at(49), K.PROBLEM, "Problem reported: damaged", "Handle broken", "open", actor="shopper"
        ),
        TimelineEntry(at(48), K.FEEDBACK, "Feedback: 4/10", "Lovely mug", actor="shopper"),
        TimelineEntry(
            at(25),
            K.RETURN,
            "Return R-TEST-0001: approved",
            "Send it",
            link=return_link,
            actor="owner",
        ),
        TimelineEntry(
            at(24), K.RETURN, "Return R-TEST-0001: requested", link=return_link, actor="shopper"
        ),
        TimelineEntry(at(6), K.CARRIER_EVENT, "In transit", "Departed hub · Leipzig (SIMOK100001)"),
        TimelineEntry(at(5), K.PAGE_VIEW, "2 tracking page views", actor="shopper"),
        TimelineEntry(
            at(3),
            K.MESSAGE,
            "Out for delivery SMS to +4915112345678",
            "550 number not reachable",
            "failed",
        ),
        TimelineEntry(
            at(2),
            K.MESSAGE,
            "Shipped email to anna@example.com",
            "Your order is on its way",
            "sent",
        ),
        TimelineEntry(at(1), K.CARRIER_EVENT, "Info received", "Label created (SIMOK100001)"),
        TimelineEntry(at(0), K.STATUS, "Parcel shipped", "Simulated carrier SIMOK100001"),
        TimelineEntry(at(0), K.ORDER, "Order placed", "from manual"),
    ]
    assert all(entry.at.tzinfo == BERLIN for entry in got)


def _return_id(app: ShopCare) -> int:
    with app.sessions() as session:
        found = session.exec(select(ReturnRequest)).one()
        assert found.id is not None
        return found.id


def test_a_note_must_say_something_and_not_too_much(shopcare: ShopCare, clock: FakeClock) -> None:
    order = make_order(shopcare)
    assert order.id is not None
    for text in ("", "   ", "x" * (NOTE_MAX + 1)):
        with pytest.raises(InputError):
            add_note(shopcare.sessions, order.id, text=text, author_id=None, now=clock())
    with pytest.raises(InputError, match="no longer exists"):
        add_note(shopcare.sessions, 999, text="hello", author_id=None, now=clock())
    with shopcare.sessions() as session:
        assert session.exec(select(OrderNote)).all() == []


def test_an_unknown_order_has_no_timeline(shopcare: ShopCare) -> None:
    assert order_timeline(shopcare.sessions, 999, zone=BERLIN) == []


def test_a_busy_order_takes_as_many_queries_as_a_quiet_one(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    """One query per source, never one per entry: 60 scans cost what one costs."""
    quiet = make_order(shopcare, number="1", tracking="SIMOK100001")
    busy = make_order(shopcare, number="2", tracking="SIMOK100002")
    with transaction(shopcare.sessions) as session:
        for order, count in ((quiet, 1), (busy, 60)):
            shipment = session.exec(select(Shipment).where(Shipment.order_id == order.id)).one()
            for n in range(count):
                session.add(
                    TrackingEvent(
                        shipment_id=shipment.id or 0,
                        event_key=f"e{n}",
                        occurred_at=clock() + timedelta(minutes=n),
                        status="in_transit",
                        recorded_at=clock(),
                    )
                )
                session.add(
                    PageView(
                        at=clock() + timedelta(days=n), kind="tracking_view", order_id=order.id
                    )
                )

    def queries(order_id: int) -> tuple[int, int]:
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        sa_event.listen(shopcare.engine, "before_cursor_execute", count)
        try:
            entries = order_timeline(shopcare.sessions, order_id, zone=BERLIN)
        finally:
            sa_event.remove(shopcare.engine, "before_cursor_execute", count)
        return len(seen), len(entries)

    assert quiet.id is not None and busy.id is not None
    quiet_queries, quiet_entries = queries(quiet.id)
    busy_queries, busy_entries = queries(busy.id)
    assert busy_entries - quiet_entries == 59 * 2  # the scans, and a day of views each
    assert busy_queries == quiet_queries <= 10


def test_a_cancelled_order_and_a_resolved_problem_say_so(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    order = make_order(shopcare, tracking="")
    assert order.id is not None
    t0 = clock()
    with transaction(shopcare.sessions) as session:
        session.add(
            ProblemReport(
                order_id=order.id,
                kind="not_arrived",
                status="resolved",
                created_at=t0 + timedelta(hours=1),
                resolved_at=t0 + timedelta(hours=2),
            )
        )
    clock.advance(hours=3)
    assert cancel(shopcare.sessions, order.id, now=clock())
    got = order_timeline(shopcare.sessions, order.id, zone=BERLIN)
    assert [(e.kind, e.title, e.state) for e in got] == [
        (EntryKind.ORDER, "Order cancelled", ""),
        (EntryKind.PROBLEM, "Problem resolved: not arrived", ""),
        (EntryKind.PROBLEM, "Problem reported: not arrived", "resolved"),
        (EntryKind.MESSAGE, "Order confirmed email to anna@example.com", "skipped"),
        (EntryKind.ORDER, "Order placed", ""),
    ]


def test_what_an_admin_did_says_who_did_it(shopcare: ShopCare, clock: FakeClock) -> None:
    order = make_order(shopcare, tracking="")
    assert order.id is not None
    zone = ZoneInfo("UTC")
    edit = order_edit(shopcare.sessions, order.id)
    assert edit is not None
    clock.advance(minutes=1)
    unchanged = update_order(shopcare.sessions, order.id, edit, now=clock(), by="ada")
    assert unchanged == ""
    clock.advance(minutes=1)
    changed = replace(edit, email="anna.new@example.com", ship_city="Potsdam")
    update_order(shopcare.sessions, order.id, changed, now=clock(), by="ada")
    clock.advance(minutes=1)
    add_parcel(
        shopcare.sessions, order.id, tracking_number="SIMOK100777", carrier="simulated",
        shipped_at=None, lines={}, now=clock(), carriers=shopcare.carrier_names, by="bo",
    )  # fmt: skip
    clock.advance(minutes=1)
    cancel(shopcare.sessions, order.id, now=clock(), by="ada")
    done = [
        (e.title, e.detail, e.actor)
        for e in order_timeline(shopcare.sessions, order.id, zone=zone)
        if e.kind is EntryKind.ORDER
    ]
    assert done == [
        ("Order cancelled", "", "ada"),  # once: the admin's, not also the order's own
        ("Parcel added", "simulated SIMOK100777", "bo"),
        ("Order edited", "email, address", "ada"),  # an edit that changed nothing is not one
        ("Order placed", "from manual", ""),
    ]
