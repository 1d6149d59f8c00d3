"""The demo's six months of history: the same for the same seed, the figures a dashboard
needs (several hundred orders, three carriers, late and damaged parcels, returns, feedback,
page views, sent messages), the story (late or damaged parcels score lower), and none of
it polled or messaged again while today's demo parcels move."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import mean
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import SQLModel, col, select

from shopcare.app import ShopCare, build
from shopcare.config import Settings
from shopcare.db.engine import SessionFactory, make_engine, session_factory, transaction
from shopcare.db.migrate import upgrade
from shopcare.db.models import (
    Feedback,
    OutboxMessage,
    PageView,
    ReturnRequest,
    Shipment,
    ShopOrder,
    TrackingEvent,
)
from shopcare.domain.insight import Period
from shopcare.domain.messages import MessageKind
from shopcare.domain.utc import as_utc
from shopcare.services.demo.history import seed_demo_history
from shopcare.services.insight.panels import InsightContext, build_panel
from shopcare.services.messages.rules import set_kind_rule, set_reminder_tags
from tests.conftest import FakeClock
from tests.services.helpers import make_order

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
RANDOM_TOKENS = {"public_token", "unsubscribe_token"}
"""Shopper links stay unguessable: the only columns the seed does not decide."""


def history_store(path: Path, *, seed: int = 2026) -> SessionFactory:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        seed_demo_history(session, now=NOW, seed=seed)
    return sessions


def dump(sessions: SessionFactory) -> dict[str, list[tuple[Any, ...]]]:
    tables = {}
    with sessions() as session:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name not in RANDOM_TOKENS]
            tables[table.name] = list(session.execute(sa.select(*columns).order_by(*columns)))
    return tables


def test_the_same_seed_gives_the_same_history(tmp_path: Path) -> None:
    first = dump(history_store(tmp_path / "a.db"))
    assert first == dump(history_store(tmp_path / "b.db"))
    assert first != dump(history_store(tmp_path / "c.db", seed=7))
    assert len(first["shop_order"]) > 300


def test_the_history_holds_what_the_dashboard_shows(tmp_path: Path) -> None:
    sessions = history_store(tmp_path / "h.db")
    with sessions() as session:
        orders = session.exec(select(ShopOrder)).all()
        parcels = session.exec(select(Shipment)).all()
        scans = session.exec(select(TrackingEvent)).all()
        returns = session.exec(select(ReturnRequest)).all()
        answers = session.exec(select(Feedback).where(Feedback.score != None)).all()  # noqa: E711
        views = Counter(session.exec(select(PageView.kind)).all())
        messages = session.exec(select(OutboxMessage)).all()
    assert 300 <= len(orders) <= 500
    placed = [as_utc(o.placed_at) for o in orders]
    assert NOW - timedelta(days=183) < min(placed) and max(placed) < NOW - timedelta(days=2)
    carriers = Counter(p.carrier for p in parcels)
    assert set(carriers) == {"dhl", "ups", "dpd"} and min(carriers.values()) > 60
    late = [p for p in parcels if p.delivered_at and p.delivered_at > p.estimated_delivery]  # type: ignore[operator]
    assert 0.05 * len(parcels) < len(late) < 0.3 * len(parcels)
    damaged = {s.shipment_id for s in scans if s.status == "exception"}
    assert 5 <= len(damaged) < 0.1 * len(parcels)
    assert {r.reason for r in returns} >= {"damaged", "changed_mind"} and len(returns) >= 15
    assert {r.resolution for r in returns} == {"refund", "exchange", "store_credit"}
    assert len(answers) > 150 and sum(1 for a in answers if a.comment) > 80
    assert {"é", "ü", "í"} <= set("".join(a.comment for a in answers))  # fr, de, es shoppers
    assert views["tracking_view"] > len(orders) and views["lookup"] and views["lookup_failed"]
    assert {m.status for m in messages} == {"sent", "failed"}
    assert Counter(m.status for m in messages)["failed"] < 0.05 * len(messages)
    assert all(as_utc(m.created_at) < NOW for m in messages)


def test_late_or_damaged_parcels_score_lower(tmp_path: Path) -> None:
    sessions = history_store(tmp_path / "h.db")
    with sessions() as session:
        rows = session.execute(
            sa.select(Feedback.score, Shipment.delivered_at, Shipment.estimated_delivery,
                      Shipment.id)
            .join(Shipment, Shipment.order_id == Feedback.order_id)  # type: ignore[arg-type]
            .where(Feedback.score != None)  # noqa: E711
        ).all()  # fmt: skip
        damaged = set(session.scalars(sa.select(TrackingEvent.shipment_id).where(
            TrackingEvent.status == "exception")))  # fmt: skip
    on_time = [s for s, got, promised, p in rows if got <= promised and p not in damaged]
    late = [s for s, got, promised, p in rows if got > promised and p not in damaged]
    broken = [s for s, _, _, p in rows if p in damaged]
    assert mean(on_time) - mean(late) > 2 and mean(late) > mean(broken)

    def nps(scores: list[int]) -> float:
        return 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)

    assert nps(on_time) > 40 and nps(late) < 0


async def test_history_is_neither_polled_nor_messaged_while_todays_parcels_move(
    settings: Settings, clock: FakeClock
) -> None:
    app = build(settings, demo=True, clock=clock)
    for kind in (MessageKind.REVIEW_REMINDER, MessageKind.REORDER_REMINDER):
        set_kind_rule(app.sessions, kind, enabled=True, delay_minutes=0, channels=["email"])
    set_reminder_tags(app.sessions, MessageKind.REORDER_REMINDER, {"consumable": 30})
    before = history(app)
    for _ in range(8):  # two simulated days of the demo carrier
        await app.poll_once()
        await app.queue_reminders()
        clock.advance(seconds=15)
    after = history(app)
    await app.http.aclose()
    assert after == before
    with app.sessions() as session:
        live = session.exec(select(Shipment.status).where(Shipment.carrier == "simulated")).all()
    assert len(live) == 6 and "pending" not in live  # today's demo parcels moved


def history(app: ShopCare) -> dict[str, Any]:
    """What a poll or a queued message would change about the history's orders."""
    old_parcels = select(Shipment.id).where(col(Shipment.silent))
    old_orders = select(Shipment.order_id).where(col(Shipment.silent))
    with app.sessions() as session:
        parcels = select(
            Shipment.id, Shipment.status, Shipment.last_polled_at, Shipment.next_poll_at
        ).where(col(Shipment.silent))
        scans = select(sa.func.count()).where(col(TrackingEvent.shipment_id).in_(old_parcels))
        messages = select(OutboxMessage.id, OutboxMessage.status).where(
            col(OutboxMessage.order_id).in_(old_orders)
        )
        return {
            "parcels": session.exec(parcels).all(),
            "scans": session.exec(scans).one(),
            "messages": session.exec(messages).all(),
        }


async def test_run_adds_the_history_once_the_server_has_started(
    settings: Settings, clock: FakeClock
) -> None:
    app = build(settings, demo=True, history_later=True, clock=clock)

    def orders() -> int:
        with app.sessions() as session:
            return int(session.scalar(sa.select(sa.func.count()).select_from(ShopOrder)) or 0)

    assert orders() == 6  # today's demo orders: the first page does not wait for the rest
    await app.add_demo_history()
    assert orders() > 300
    await app.add_demo_history()  # once only
    again = build(settings, demo=True, history_later=True, clock=clock)  # a restart
    assert again.demo_history_at is None
    assert orders() > 300
    app.engine.dispose()
    again.engine.dispose()


def test_the_demo_dashboard_measures_on_time_against_the_first_estimate(
    settings: Settings, clock: FakeClock
) -> None:
    app = build(settings, demo=True, clock=clock)
    period = Period.last_days(180, now=clock(), zone=ZoneInfo("Europe/Berlin"))
    panel = build_panel(app.sessions, "delivery", period, InsightContext(now=clock()))
    on_time = {f.key: f.value for f in panel.figures}["on_time"]
    assert on_time is not None and 0.6 < on_time < 0.95  # some parcels late, most not
    app.engine.dispose()


def test_rows_added_after_the_history_get_ids_of_their_own(
    settings: Settings, clock: FakeClock
) -> None:
    """The history is inserted with its ids given: on PostgreSQL the id sequences must be
    moved past them, or the shop's next order or return collides with a demo row."""
    app = build(settings, demo=True, clock=clock)
    order = make_order(app, number="9001", tracking="SIMOK900001")  # order, parcel, message
    with app.sessions() as session:
        session.add(Feedback(order_id=order.id, public_token="after-history", created_at=clock()))
        session.commit()
        ids = session.exec(select(ShopOrder.id).where(ShopOrder.order_number == "9001")).all()
    assert len(ids) == 1 and ids[0] == order.id
    app.engine.dispose()
