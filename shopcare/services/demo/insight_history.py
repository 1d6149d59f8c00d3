"""A year of what happened after the orders of ``seed_many_orders``: parcels delivered (most of
them, each carrier at its own pace, some late against the first estimate, some after a failed
attempt or an exception), their scans, shoppers' tracking page views (more for late parcels),
lookups, problem reports and feedback, for measuring the dashboard at size
(``bench/dashboard.py``). Bulk writes, the same for the same ``seed``."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Feedback, PageView, ProblemReport, Shipment, TrackingEvent
from shopcare.domain.calendar import add_business_days
from shopcare.domain.utc import as_utc

PACE = {"dhl": (1, 2, 3), "ups": (1, 2, 4), "fedex": (2, 3, 5), "usps": (2, 4, 7)}
"""Per carrier: (fastest, usual, promised) business days."""
CHUNK = 5_000


@dataclass(frozen=True)
class History:
    delivered: int
    page_views: int


def add_insight_history(
    sessions: SessionFactory, *, now: datetime, zone: ZoneInfo, seed: int = 11
) -> History:
    """Rewrites every parcel shipped more than a week before ``now`` as delivered (88 %),
    returned to sender (3 %) or stuck in an exception (2 %), with the scans that say so."""
    rng = random.Random(seed)  # noqa: S311 - made-up data, the same for the same seed
    s = Shipment.__table__  # type: ignore[attr-defined]
    with transaction(sessions) as session:
        parcels = session.execute(
            sa.select(s.c.id, s.c.order_id, s.c.carrier, s.c.shipped_at).where(
                s.c.shipped_at < now - timedelta(days=7), s.c.return_id.is_(None)
            )
        ).all()
        delivered = views = 0
        for start in range(0, len(parcels), CHUNK):
            batch = _Batch()
            for parcel in parcels[start : start + CHUNK]:
                delivered += _parcel(batch, rng, parcel, zone=zone, now=now)
            ids = [p.id for p in parcels[start : start + CHUNK]]
            session.execute(sa.delete(TrackingEvent).where(TrackingEvent.shipment_id.in_(ids)))  # type: ignore[attr-defined]
            session.execute(sa.update(Shipment), batch.shipments)
            for table, rows in (
                (TrackingEvent, batch.events),
                (PageView, batch.views),
                (ProblemReport, batch.reports),
                (Feedback, batch.feedback),
            ):
                if rows:
                    session.execute(sa.insert(table), rows)
            views += len(batch.views)
    return History(delivered, views)


@dataclass
class _Batch:
    """The rows of one chunk of parcels, written together."""

    shipments: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    views: list[dict[str, Any]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)


def _parcel(
    batch: _Batch, rng: random.Random, parcel: Any, *, zone: ZoneInfo, now: datetime
) -> int:
    n, order_id, carrier, shipped = (
        parcel.id,
        parcel.order_id,
        parcel.carrier,
        as_utc(parcel.shipped_at),
    )
    fastest, usual, promised = PACE.get(carrier, (2, 3, 5))
    day = shipped.astimezone(zone).date()
    estimate = _end_of(add_business_days(day, promised), zone)
    events = [_event(n, "t1", "in_transit", shipped + timedelta(hours=6))]
    roll = rng.random()
    row = {"id": n, "first_estimate": estimate, "estimated_delivery": estimate, "delayed": False,
           "next_poll_at": None, "stall_key": "", "stall_reason": ""}  # fmt: skip
    if roll < 0.05:
        status = "returned_to_sender" if roll < 0.03 else "exception"
        events.append(_event(n, "t2", status, shipped + timedelta(days=usual)))
        batch.shipments.append(row | {"status": status, "delivered_at": None})
        batch.events += events
        return 0
    transit = max(fastest, usual + round(rng.gauss(0, 1)) + (rng.random() < 0.08) * 3)
    arrived = _end_of(add_business_days(day, transit), zone) - timedelta(hours=rng.uniform(5, 14))
    late = arrived >= estimate
    if rng.random() < 0.06:
        events.append(_event(n, "t3", "failed_attempt", arrived - timedelta(days=1)))
    if rng.random() < 0.02:
        events.append(_event(n, "t4", "exception", shipped + timedelta(days=1)))
    events.append(_event(n, "t9", "delivered", arrived))
    batch.events += events
    batch.shipments.append(
        row | {"status": "delivered", "delivered_at": arrived, "last_event_at": arrived}
    )
    asks = rng.choice((0, 0, 0, 1, 1, 2)) + (rng.randint(1, 4) if late else 0)
    for _ in range(asks):
        at = shipped + (arrived - shipped) * rng.random()
        batch.views.append({"at": at, "kind": "tracking_view", "order_id": order_id})
    if rng.random() < 0.15:
        kind = "lookup" if rng.random() < 0.8 else "lookup_failed"
        batch.views.append({"at": shipped + timedelta(hours=30), "kind": kind,
                            "order_id": order_id if kind == "lookup" else None})  # fmt: skip
    if rng.random() < (0.08 if late else 0.01):
        batch.reports.append(
            {"order_id": order_id, "shipment_id": n, "kind": rng.choice(("not_arrived", "damaged",
             "wrong_item", "other")), "message": "", "status": "resolved",
             "created_at": arrived - timedelta(hours=20), "resolved_at": arrived}
        )  # fmt: skip
    if rng.random() < 0.25 and arrived + timedelta(days=2) < now:
        low = 3 if late else 6
        batch.feedback.append(
            {"order_id": order_id, "public_token": f"bench-feedback-{order_id:010d}",
             "score": rng.randint(low, 10), "comment": "", "created_at": arrived,
             "answered_at": arrived + timedelta(days=2)}
        )  # fmt: skip
    return 1


def _event(n: int, key: str, status: str, at: datetime) -> dict[str, Any]:
    return {"shipment_id": n, "event_key": key, "occurred_at": at, "status": status,
            "description": status.replace("_", " "), "location": "", "recorded_at": at}  # fmt: skip


def _end_of(day: date, zone: ZoneInfo) -> datetime:
    """The end of ``day`` in the shop's zone, as the store keeps it (UTC)."""
    moment = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
    return moment.astimezone(ZoneInfo("UTC"))
