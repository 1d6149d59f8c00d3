"""The order list at size: pages that never skip or repeat, search by each key, each filter
and saved view, on a generated store of 2,000 orders (``bench/admin.py`` times 100,000)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import OutboxMessage, ReturnRequest, Shipment, ShopOrder
from shopcare.services.demo.many_orders import seed_many_orders
from shopcare.services.orders.listing import (
    SAVED_VIEWS,
    OrderQuery,
    export_rows,
    find_orders,
)
from shopcare.ui.admin.orders.listing import orders_csv

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
COUNT = 2_000


@pytest.fixture
def store(shopcare: ShopCare) -> ShopCare:
    seed_many_orders(shopcare.sessions, COUNT, now=NOW)
    return shopcare


def numbers(app: ShopCare, **query: object) -> list[str]:
    page = find_orders(app.sessions, OrderQuery(per_page=100, **query), now=NOW)  # type: ignore[arg-type]
    return [r.order_number for r in page.rows]


def test_pages_cover_every_order_once_newest_first(store: ShopCare) -> None:
    seen: list[str] = []
    for n in range(1, 21):
        page = find_orders(store.sessions, OrderQuery(page=n, per_page=100), now=NOW)
        assert (page.total, page.pages) == (COUNT, 20)
        seen += [r.order_number for r in page.rows]
    assert seen == [f"B{n:07d}" for n in range(COUNT, 0, -1)]
    past_the_end = find_orders(store.sessions, OrderQuery(page=99, per_page=100), now=NOW)
    assert past_the_end.page == 20  # the last page, not an empty one
    assert numbers(store, sort="oldest")[:2] == ["B0000001", "B0000002"]


def test_one_box_finds_an_order_by_each_key(store: ShopCare) -> None:
    with store.sessions() as session:
        parcel = session.exec(select(Shipment).where(Shipment.order_id >= 1234)).first()
        returned = session.exec(select(ReturnRequest)).first()
        order = session.get(ShopOrder, 777)
    assert parcel is not None and returned is not None and order is not None
    assert numbers(store, search="B0000777") == ["B0000777"]
    assert numbers(store, search="#B0000777") == ["B0000777"]
    assert numbers(store, search=order.email.upper()) == ["B0000777"]
    start = order.ship_name[:7]  # a first name and the start of the last, in any case
    with store.sessions() as session:
        named = {o.id for o in session.exec(select(ShopOrder)) if o.ship_name.startswith(start)}
    found = find_orders(store.sessions, OrderQuery(search=start.upper()), now=NOW)
    assert found.total == len(named) and 777 in named
    spaced = " ".join(parcel.tracking_number[i : i + 4] for i in range(0, 18, 4))
    assert numbers(store, search=spaced.lower()) == [f"B{parcel.order_id:07d}"]
    assert numbers(store, search=returned.rma.lower()) == [f"B{returned.order_id:07d}"]
    assert numbers(store, search="nothing-like-this") == []


def test_each_filter_and_saved_view_keeps_only_what_it_says(store: ShopCare) -> None:
    with store.sessions() as session:
        parcels = session.exec(select(Shipment)).all()
        failed = {
            m.order_id
            for m in session.exec(select(OutboxMessage).where(OutboxMessage.status == "failed"))
        }
        with_return = {r.order_id for r in session.exec(select(ReturnRequest))}
    expect = {
        "delayed": {p.order_id for p in parcels if p.delayed},
        "exception": {
            p.order_id
            for p in parcels
            if p.status in ("exception", "failed_attempt", "returned_to_sender")
        },
        "has_return": with_return,
        "message_failed": failed,
    }
    for flag, wanted in expect.items():
        page = find_orders(store.sessions, OrderQuery(per_page=100, **{flag: True}), now=NOW)
        assert page.total == len(wanted) > 0, flag
        assert {r.id for r in page.rows} <= wanted, flag
    dhl = find_orders(store.sessions, OrderQuery(carrier="dhl"), now=NOW)
    assert dhl.total == sum(p.carrier == "dhl" for p in parcels)
    not_shipped = find_orders(store.sessions, OrderQuery(status="not_shipped"), now=NOW)
    assert not_shipped.total == COUNT - len({p.order_id for p in parcels})
    late = SAVED_VIEWS["unshipped"][1]
    assert all(r.status == "not_shipped" for r in find_orders(store.sessions, late, now=NOW).rows)
    day = find_orders(
        store.sessions, OrderQuery(since=date(2026, 11, 30), until=date(2026, 11, 30)), now=NOW
    )
    assert day.total and all(r.placed_at.date() == date(2026, 11, 30) for r in day.rows)


def test_the_csv_export_is_what_the_list_shows_and_runs_no_formula(store: ShopCare) -> None:
    with store.sessions() as session:
        order = session.get(ShopOrder, 5)
        assert order is not None
        order.ship_name = '=HYPERLINK("http://evil.example")'
        session.add(order)
        session.commit()
    rows = export_rows(store.sessions, OrderQuery(), now=NOW, ids=[5, 6])
    text = orders_csv(rows).splitlines()
    assert text[0] == "order,placed,customer,email,status,carriers,tracking"
    assert [line.split(",")[0] for line in text[1:]] == ["B0000005", "B0000006"]
    assert all(not cell.startswith("=") for line in text for cell in line.split(","))
    every = export_rows(store.sessions, OrderQuery(delayed=True), now=NOW)
    assert len(every) == find_orders(store.sessions, OrderQuery(delayed=True), now=NOW).total
