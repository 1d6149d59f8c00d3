"""Six months of the demo shop's past, so the dashboard tells a story on the first run:
several hundred orders over three carriers, some late, some with exceptions, the messages
they caused, the shoppers' page views, returns with reasons and resolutions, and feedback
in the shoppers' languages. Late or damaged parcels score lower: that is the story.

Everything is finished (parcels delivered or back at the shop, messages sent) and marked as
history: the parcels are ``silent`` with no next poll, so nothing polls them and nothing
queues a message about them. The same ``seed`` and ``now`` give the same rows (but for the
random tokens of the shopper links, which stay unguessable). Rows are written with a few
bulk inserts in the caller's transaction.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from shopcare.db.engine import follow_given_ids
from shopcare.db.models import (
    Customer,
    Feedback,
    OrderLine,
    OutboxMessage,
    PageView,
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
    Shipment,
    ShopOrder,
    TrackingEvent,
)
from shopcare.domain.messages import MessageKind as K
from shopcare.domain.messages import idempotency_key
from shopcare.domain.status import ShipmentStatus as S
from shopcare.domain.tokens import public_token
from shopcare.services.demo.catalogue import PRODUCTS, swatch
from shopcare.services.demo.history_parcels import Parcel, make_parcel
from shopcare.services.demo.history_returns import return_rows
from shopcare.services.demo.history_texts import COMMENTS, PLACES, SCANS, STREETS, SUBJECTS
from shopcare.services.shopper_site.page_views import PageKind

DAYS = 182
ORDERS = 420
FIRST_NUMBER = 1001 - ORDERS
"""History numbers run up to today's demo orders (1001…): the shop's numbering goes on."""
SEED = 2026
REPEAT = 0.28
"""Share of orders from a shopper who ordered before."""
FEEDBACK_AFTER = timedelta(days=3)
ANSWERED = 0.55
FAILED_SEND = 0.015
_TABLES = (
    Customer, ShopOrder, OrderLine, Shipment, TrackingEvent, ReturnRequest, ReturnLine,
    ReturnEvent, OutboxMessage, Feedback, PageView,
)  # fmt: skip
"""In the order the foreign keys need."""


@dataclass(frozen=True)
class HistorySummary:
    orders: int
    rows: dict[str, int]


@dataclass
class _Shopper:
    id: int
    email: str
    name: str
    place: tuple[Any, ...]
    happy: bool = True


@dataclass
class _Build:
    rng: random.Random
    now: datetime
    ids: dict[type, int]
    rows: dict[type, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    shoppers: list[_Shopper] = field(default_factory=list)
    rmas: set[str] = field(default_factory=set)

    def next_id(self, table: type) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def add(self, table: type, **row: Any) -> None:
        self.rows[table].append(row)

    def message(
        self,
        kind: K,
        order: dict[str, Any],
        at: datetime,
        *,
        return_id: int | None = None,
        **key: Any,
    ) -> None:
        """One sent email (a few bounced, as in life), keyed like the live ones."""
        if at >= self.now:
            return
        failed = self.rng.random() < FAILED_SEND
        self.add(
            OutboxMessage,
            idempotency_key=idempotency_key(kind, order_id=order["id"], **key),
            kind=kind.value, order_id=order["id"], shipment_id=key.get("shipment_id"),
            return_id=return_id, channel="email", recipient=order["email"],
            status="failed" if failed else "sent",
            attempts=8 if failed else 1, next_attempt_at=at, sent_at=None if failed else at,
            last_error="mail server refused the recipient (550)" if failed else "",
            message_id=f"<history-{len(self.rows[OutboxMessage])}@demo-coffee.example>",
            subject=SUBJECTS.get(kind.value, "").format(n=order["order_number"]),
            created_at=at,
        )  # fmt: skip


def seed_demo_history(
    session: Session, *, now: datetime, seed: int = SEED, orders: int = ORDERS
) -> HistorySummary:
    """Add the history to the caller's transaction (the store holds today's demo orders,
    or nothing: ids go on from the largest there). Plain Core inserts, one executemany per
    table: about 0.2 s for the whole history where row objects would take seconds."""
    ids = {t: session.scalar(sa.select(sa.func.max(t.id))) or 0 for t in _TABLES}  # type: ignore[attr-defined]
    build = _Build(random.Random(seed), now, ids)  # noqa: S311 - made-up data, seeded
    start = now - timedelta(days=DAYS)
    span = (DAYS - 3) * 86400
    made = 0
    for i in range(orders):
        placed = start + timedelta(seconds=span * (i + build.rng.random()) / orders)
        made += _order(build, FIRST_NUMBER + i, placed)
    for table in _TABLES:
        if build.rows[table]:
            session.execute(sa.insert(table.__table__), build.rows[table])  # type: ignore[attr-defined]
    follow_given_ids(session, _TABLES)
    return HistorySummary(made, {t.__tablename__: len(build.rows[t]) for t in _TABLES})  # type: ignore[attr-defined]


def _order(build: _Build, number: int, placed: datetime) -> int:
    rng = build.rng
    parcel = make_parcel(rng, number=number, placed=placed)
    shopper = _shopper(build, placed)
    lines = _lines(rng)
    if parcel.ended_at >= build.now - timedelta(hours=1):
        return 0  # still on its way: history holds finished parcels only
    order = {
        "id": build.next_id(ShopOrder), "order_number": str(number), "customer_id": shopper.id,
        "email": shopper.email, "placed_at": placed, "currency": "EUR",
        "total_minor": sum(p[5] * q for p, q in lines), "ship_name": shopper.name,
        "ship_address1": f"{rng.choice(STREETS)} {rng.randint(1, 90)}",
        "ship_city": shopper.place[3], "ship_postcode": shopper.place[2],
        "ship_country": shopper.place[0], "source": "demo", "public_token": public_token(),
        "created_at": placed,
    }  # fmt: skip
    build.add(ShopOrder, **order)
    line_ids = []
    for product, quantity in lines:
        title, sku, variant, key, tags, price, colour, _ = product
        line_ids.append(build.next_id(OrderLine))
        build.add(
            OrderLine, id=line_ids[-1], order_id=order["id"], sku=sku, title=title,
            quantity=quantity, unit_price_minor=price, variant=variant, product_key=key,
            tags=tags, image_url=_picture(colour),
        )  # fmt: skip
    shipment_id = _shipment(build, order, parcel)
    _views(build, order, parcel)
    if parcel.delivered_at is not None:
        score = _feedback(build, order, parcel, shopper, shipment_id)
        shopper.happy = not parcel.late and (score is None or score >= 7)
        return_rows(build, order, parcel, list(zip(line_ids, lines, strict=True)))
    else:
        shopper.happy = False
    return 1


@cache
def _picture(colour: str) -> str:
    return swatch(colour)


def _shopper(build: _Build, placed: datetime) -> _Shopper:
    """A new shopper, or (``REPEAT``) one who came back: more likely one whose last parcel
    went well, so repeat purchases follow the delivery experience too."""
    rng = build.rng
    if build.shoppers and rng.random() < REPEAT:
        weights = [3 if s.happy else 1 for s in build.shoppers]
        return rng.choices(build.shoppers, weights=weights)[0]
    place = rng.choices(PLACES, weights=[p[4] for p in PLACES])[0]
    first, last = rng.choice(place[5]), rng.choice(place[6])
    shopper = _Shopper(
        id=build.next_id(Customer),
        email=f"{first.lower()}.{last.lower()}.{len(build.shoppers) + 1}@example.net",
        name=f"{first} {last}",
        place=place,
    )
    build.shoppers.append(shopper)
    build.add(
        Customer, id=shopper.id, email=shopper.email, name=shopper.name, locale=place[1],
        created_at=placed,
    )  # fmt: skip
    return shopper


def _lines(rng: random.Random) -> list[tuple[tuple[Any, ...], int]]:
    count = rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
    picked = {p[1]: p for p in rng.choices(PRODUCTS, weights=[p[7] for p in PRODUCTS], k=count)}
    return [(p, rng.choice((1, 1, 1, 2))) for p in picked.values()]


def _shipment(build: _Build, order: dict[str, Any], parcel: Parcel) -> int:
    shipment_id = build.next_id(Shipment)
    build.add(
        Shipment, id=shipment_id, order_id=order["id"], carrier=parcel.carrier,
        tracking_number=parcel.tracking_number, status=parcel.status.value,
        shipped_at=parcel.shipped_at, last_event_at=parcel.ended_at,
        delivered_at=parcel.delivered_at, last_polled_at=parcel.ended_at, next_poll_at=None,
        created_at=order["placed_at"], carrier_code=parcel.carrier, carrier_pinned=True,
        estimated_delivery=parcel.estimated_delivery, first_estimate=parcel.estimated_delivery,
        estimate_source="rule", delayed=False,
        silent=True,
    )  # fmt: skip
    for k, (status, at) in enumerate(parcel.scans):
        build.add(
            TrackingEvent, shipment_id=shipment_id, event_key=f"history-{k}", occurred_at=at,
            status=status.value, description=SCANS[status.value],
            location=order["ship_city"] if status is S.DELIVERED else "Hub",
            provider=parcel.carrier, recorded_at=at,
        )  # fmt: skip
    build.message(K.ORDER_CONFIRMED, order, order["placed_at"] + timedelta(minutes=1))
    parcel_key = {"shipment_id": shipment_id}
    build.message(K.SHIPPED, order, parcel.shipped_at, **parcel_key)
    news = {S.EXCEPTION: K.EXCEPTION, S.FAILED_ATTEMPT: K.FAILED_ATTEMPT,
            S.DELIVERED: K.DELIVERED, S.RETURNED_TO_SENDER: K.RETURNED_TO_SENDER}  # fmt: skip
    for status, at in parcel.scans:
        if status in news:
            build.message(news[status], order, at + timedelta(minutes=2), **parcel_key)
    if parcel.late and parcel.status is S.DELIVERED:
        build.message(
            K.DELAYED, order, parcel.estimated_delivery + timedelta(hours=14),
            occurrence="history", **parcel_key,
        )  # fmt: skip
    return shipment_id


def _views(build: _Build, order: dict[str, Any], parcel: Parcel) -> None:
    """Shoppers look more often when the parcel is late or stuck: "where is my order?"."""
    rng = build.rng
    views = rng.choice((0, 1, 1, 2, 2, 3))
    views += rng.randint(2, 5) if parcel.late else 0
    views += rng.randint(1, 3) if parcel.had_exception else 0
    for _ in range(views):
        build.add(PageView, at=parcel.in_transit_at(rng), kind=PageKind.TRACKING_VIEW.value,
                  order_id=order["id"])  # fmt: skip
    if rng.random() < 0.2:
        build.add(PageView, at=parcel.in_transit_at(rng), kind=PageKind.LOOKUP.value,
                  order_id=order["id"])  # fmt: skip
    if rng.random() < 0.12:  # someone mistyped an order number or postcode
        build.add(PageView, at=parcel.in_transit_at(rng), kind=PageKind.LOOKUP_FAILED.value,
                  order_id=None)  # fmt: skip


_SCORES = {  # experience -> weights of the scores 0..10
    "on_time": (0, 0, 0, 0, 1, 2, 4, 9, 20, 30, 34),
    "late": (2, 3, 5, 8, 12, 15, 16, 15, 12, 7, 5),
    "exception": (6, 8, 12, 14, 14, 13, 11, 9, 7, 4, 2),
}


def _feedback(
    build: _Build, order: dict[str, Any], parcel: Parcel, shopper: _Shopper, shipment_id: int
) -> int | None:
    rng = build.rng
    asked = parcel.ended_at + FEEDBACK_AFTER
    if asked >= build.now:
        return None
    build.message(K.FEEDBACK_REQUEST, order, asked, shipment_id=shipment_id)
    answered = asked + timedelta(hours=rng.uniform(1, 96))
    experience = "exception" if parcel.had_exception else "late" if parcel.late else "on_time"
    score = rng.choices(range(11), weights=_SCORES[experience])[0]
    if rng.random() >= ANSWERED or answered >= build.now:
        build.add(Feedback, order_id=order["id"], public_token=public_token(), score=None,
                  comment="", created_at=asked, answered_at=None)  # fmt: skip
        return None
    mood = "happy" if score >= 9 else "meh" if score >= 7 else "late"
    mood = "broken" if parcel.had_exception and score < 7 else mood
    words = COMMENTS.get(shopper.place[1], COMMENTS["en"])[mood]
    comment = rng.choice(words) if rng.random() < 0.6 else ""
    build.add(Feedback, order_id=order["id"], public_token=public_token(), score=score,
              comment=comment, created_at=asked, answered_at=answered)  # fmt: skip
    return score
