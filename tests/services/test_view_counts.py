"""Page and offer views are counted in memory and written in batches: nothing is written per
view, a flush writes them all, every read of the figures sees them, each store keeps its
own, and the scheduler and the app's stop write them."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import col, select

from shopcare.app import ShopCare, build
from shopcare.config import load_settings
from shopcare.db.models import Offer, PageView
from shopcare.domain.segments import Segment
from shopcare.jobs import FLUSH_VIEWS_EVERY_S, make_scheduler
from shopcare.services.insight.dashboard import engagement
from shopcare.services.offers.admin import OfferIn, create_offer, delete_offer, list_offers
from shopcare.services.offers.placement import offer_for_order
from shopcare.services.shopper_site.page_views import PageKind, record_page_view
from shopcare.services.shopper_site.view_counts import count_view, flush_views
from tests.conftest import FakeClock
from tests.services.helpers import make_order
from tests.store import postgres_only


def stored(app: ShopCare) -> list[tuple[str, int | None, int | None]]:
    """The rows as they are in the store, without flushing."""
    with app.sessions() as session:
        rows = session.exec(select(PageView).order_by(col(PageView.id))).all()
    return [(r.kind, r.order_id, r.offer_id) for r in rows]


def offer_views(app: ShopCare, offer_id: int) -> int:
    with app.sessions() as session:
        offer = session.get(Offer, offer_id)
        assert offer is not None
        return offer.views


def banner(app: ShopCare) -> int:
    data = OfferIn(
        name="Autumn", title="Autumn", link_url="https://shop.example", segment=Segment()
    )
    return create_offer(app.sessions, data, now=app.clock())


def test_views_wait_in_memory_and_a_flush_writes_them_in_order(shopcare: ShopCare) -> None:
    order = make_order(shopcare)
    offer_id = banner(shopcare)
    now = shopcare.clock()
    record_page_view(shopcare.sessions, PageKind.TRACKING_VIEW, now=now, order_id=order.id)
    offer_for_order(shopcare.sessions, order.public_token, now=now)
    offer_for_order(shopcare.sessions, order.public_token, now=now)
    record_page_view(shopcare.sessions, PageKind.LOOKUP_FAILED, now=now)
    assert stored(shopcare) == []
    assert offer_views(shopcare, offer_id) == 0

    assert flush_views(shopcare.sessions) == 4
    assert stored(shopcare) == [
        ("tracking_view", order.id, None),
        ("offer_view", order.id, offer_id),
        ("offer_view", order.id, offer_id),
        ("lookup_failed", None, None),
    ]
    assert offer_views(shopcare, offer_id) == 2
    assert flush_views(shopcare.sessions) == 0  # nothing is written twice
    assert len(stored(shopcare)) == 4


def test_every_read_of_the_figures_sees_what_was_counted(shopcare: ShopCare) -> None:
    order = make_order(shopcare)
    offer_id = banner(shopcare)
    now = shopcare.clock()
    record_page_view(shopcare.sessions, PageKind.TRACKING_VIEW, now=now, order_id=order.id)
    offer_for_order(shopcare.sessions, order.public_token, now=now)
    figures = engagement(shopcare.sessions, now=now)
    assert (figures.tracking_views, figures.orders_viewed, figures.offer_views) == (1, 1, 1)
    offer_for_order(shopcare.sessions, order.public_token, now=now)
    assert [(r.id, r.views) for r in list_offers(shopcare.sessions)] == [(offer_id, 2)]


def test_a_view_of_an_offer_deleted_before_the_flush_stays_in_the_figures(
    shopcare: ShopCare,
) -> None:
    order = make_order(shopcare)
    offer_id = banner(shopcare)
    offer_for_order(shopcare.sessions, order.public_token, now=shopcare.clock())
    delete_offer(shopcare.sessions, offer_id)
    assert flush_views(shopcare.sessions) == 1
    assert stored(shopcare) == [("offer_view", order.id, None)]


def test_each_store_keeps_its_own_views(
    shopcare: ShopCare, tmp_path: Path, clock: FakeClock
) -> None:
    other = build(load_settings({}, data_dir=str(tmp_path / "other")), clock=clock)
    try:
        record_page_view(other.sessions, PageKind.ACCOUNT_VIEW, now=clock())
        assert flush_views(shopcare.sessions) == 0
        assert stored(other) == []
        assert flush_views(other.sessions) == 1
        assert stored(other) == [("account_view", None, None)]
        assert stored(shopcare) == []
    finally:
        other.engine.dispose()


def test_a_second_app_on_the_same_store_writes_the_same_views(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    again = build(shopcare.settings, clock=clock)
    try:
        record_page_view(shopcare.sessions, PageKind.ACCOUNT_VIEW, now=clock())
        assert flush_views(again.sessions) == 1
        assert stored(shopcare) == [("account_view", None, None)]
    finally:
        again.engine.dispose()


async def test_stopping_the_app_writes_the_views_counted(shopcare: ShopCare) -> None:
    record_page_view(shopcare.sessions, PageKind.ACCOUNT_VIEW, now=shopcare.clock())
    await shopcare.stop()
    assert stored(shopcare) == [("account_view", None, None)]


async def test_the_scheduler_writes_the_views_every_few_seconds() -> None:
    async def nothing() -> None:
        return None

    scheduler = make_scheduler(poll=nothing, dispatch=nothing, flush_views=nothing)
    job = scheduler.get_job("flush_views")
    assert job is not None
    assert job.trigger.interval.total_seconds() == FLUSH_VIEWS_EVERY_S <= 5


@postgres_only
def test_flushes_of_two_processes_bump_offers_in_one_order_so_neither_deadlocks(
    shopcare: ShopCare,
) -> None:
    """Each process adds its offers' views in one transaction; taken in the order they were
    viewed, two flushes could each hold the offer the other waits for, and PostgreSQL would
    abort one. Another process's flush holds offer ``first`` and then wants ``second``;
    ours, which counted ``second`` before ``first``, must wait for it, not deadlock."""
    first, second = banner(shopcare), banner(shopcare)
    now = shopcare.clock()
    for offer_id in (second, first):
        count_view(shopcare.sessions, PageKind.OFFER_VIEW, now=now, offer_id=offer_id,
                   offer_view=True)  # fmt: skip
    other = shopcare.engine.connect()
    bump = sa.text("UPDATE offer SET views = views + 1 WHERE id = :id")
    other.execute(bump, {"id": first})
    failed: list[BaseException] = []

    def flush() -> None:
        try:
            flush_views(shopcare.sessions)
        except BaseException as exc:  # reported below
            failed.append(exc)

    ours = threading.Thread(target=flush)
    ours.start()
    time.sleep(0.5)  # ours is waiting for ``first`` now (and, unsorted, holds ``second``)
    other.execute(bump, {"id": second})
    other.commit()
    other.close()
    ours.join(timeout=20)

    assert failed == []
    assert (offer_views(shopcare, first), offer_views(shopcare, second)) == (2, 2)
