"""Offers against real orders in a real SQLite file: which one an order sees, the counters,
the owner's changes, and the engagement figures of the dashboard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import Offer, OrderLine, PageView, Shipment
from shopcare.domain.segments import Segment, segment_from_rules
from shopcare.services.errors import InputError
from shopcare.services.insight.dashboard import engagement
from shopcare.services.offers.admin import (
    OfferIn,
    create_offer,
    delete_offer,
    get_offer,
    list_offers,
    move_offer,
    update_offer,
)
from shopcare.services.offers.placement import follow_offer, offer_for_order
from shopcare.services.orders.views import order_view_by_token
from shopcare.services.shopper_site.page_views import PageKind, record_page_view
from shopcare.services.shopper_site.view_counts import flush_views
from tests.conftest import FakeClock
from tests.services.helpers import make_order


def offer(name: str = "Autumn", **values: Any) -> OfferIn:
    rules = values.pop("rules", {})
    return OfferIn(
        name=name,
        title=values.pop("title", f"{name} title"),
        link_url=values.pop("link_url", "https://shop.example/autumn"),
        segment=segment_from_rules(rules),
        **values,
    )


def add(app: ShopCare, name: str = "Autumn", **values: Any) -> int:
    return create_offer(app.sessions, offer(name, **values), now=app.clock())


def shown(app: ShopCare, token: str) -> str | None:
    view = offer_for_order(app.sessions, token, now=app.clock())
    return None if view is None else view.title


def page_views(app: ShopCare) -> list[tuple[str, int | None, int | None]]:
    flush_views(app.sessions)  # views are counted in memory and written in batches
    with app.sessions() as session:
        rows = session.exec(select(PageView).order_by(col(PageView.id))).all()
    return [(r.kind, r.order_id, r.offer_id) for r in rows]


def set_line_tags(app: ShopCare, order_id: int, tags: str) -> None:
    with transaction(app.sessions) as session:
        for line in session.exec(select(OrderLine).where(OrderLine.order_id == order_id)):
            line.tags = tags
            session.add(line)


def set_status(app: ShopCare, order_id: int, status: str) -> None:
    with transaction(app.sessions) as session:
        for shipment in session.exec(select(Shipment).where(Shipment.order_id == order_id)):
            shipment.status = status
            session.add(shipment)


def test_no_offer_no_banner_and_nothing_counted(shopcare: ShopCare) -> None:
    order = make_order(shopcare)
    assert offer_for_order(shopcare.sessions, order.public_token, now=shopcare.clock()) is None
    assert page_views(shopcare) == []


def test_a_banner_for_everyone_is_shown_and_its_view_counted(shopcare: ShopCare) -> None:
    order = make_order(shopcare)
    offer_id = add(shopcare, body="10% off", button="Shop the sale")
    view = offer_for_order(shopcare.sessions, order.public_token, now=shopcare.clock())
    assert view is not None
    assert (view.title, view.body, view.button, view.kind) == (
        "Autumn title",
        "10% off",
        "Shop the sale",
        "banner",
    )
    assert view.click_path == f"/o/{offer_id}/{order.public_token}"
    offer_for_order(shopcare.sessions, order.public_token, now=shopcare.clock())
    row = get_offer(shopcare.sessions, offer_id)
    assert row is not None and (row.views, row.clicks) == (2, 0)
    assert page_views(shopcare) == [("offer_view", order.id, offer_id)] * 2


def test_an_unknown_token_gets_no_offer(shopcare: ShopCare) -> None:
    add(shopcare)
    assert offer_for_order(shopcare.sessions, "nope", now=shopcare.clock()) is None
    assert page_views(shopcare) == []


def test_rules_pick_the_offer_for_each_order(shopcare: ShopCare) -> None:
    mugs = make_order(shopcare, number="1", tracking="SIMOK100001")
    other = make_order(shopcare, number="2", tracking="SIMOK100002", email="b@example.com")
    set_line_tags(shopcare, mugs.id or 0, "Kitchen, gift")
    set_status(shopcare, other.id or 0, "delivered")
    add(shopcare, "Tagged", rules={"tags": ["kitchen"]})
    add(shopcare, "Delivered", rules={"statuses": ["delivered"]})
    add(shopcare, "Big", rules={"total_min": 10_000, "currency": "EUR"})
    assert shown(shopcare, mugs.public_token) == "Tagged title"
    assert shown(shopcare, other.public_token) == "Delivered title"
    set_status(shopcare, other.id or 0, "in_transit")
    assert shown(shopcare, other.public_token) is None


def test_sku_total_and_country_rules(shopcare: ShopCare) -> None:
    order = make_order(shopcare)  # MUG x2 + TOWEL = 48.50 EUR, no country
    add(shopcare, "French", rules={"countries": ["FR"]})
    add(shopcare, "Dollars", rules={"total_min": 1, "currency": "USD"})
    add(shopcare, "Cheap", rules={"total_max": 4849, "currency": "EUR"})
    assert shown(shopcare, order.public_token) is None
    add(shopcare, "Mug", rules={"skus": ["mug"], "total_min": 4850, "currency": "EUR"})
    assert shown(shopcare, order.public_token) == "Mug title"


def test_first_and_repeat_customers(shopcare: ShopCare, clock: FakeClock) -> None:
    first = make_order(shopcare, number="1", tracking="SIMOK100001")
    clock.advance(days=3)
    again = make_order(shopcare, number="2", tracking="SIMOK100002")  # same email
    stranger = make_order(shopcare, number="3", tracking="", email="new@example.com")
    add(shopcare, "Welcome back", rules={"customer": "repeat"})
    add(shopcare, "First", rules={"customer": "first"})
    assert shown(shopcare, first.public_token) == "First title"
    assert shown(shopcare, again.public_token) == "Welcome back title"
    assert shown(shopcare, stranger.public_token) == "First title"


def test_the_page_can_pass_the_order_it_already_has(shopcare: ShopCare, clock: FakeClock) -> None:
    make_order(shopcare, number="1", tracking="SIMOK100001")
    clock.advance(days=1)
    again = make_order(shopcare, number="2", tracking="SIMOK100002")
    set_line_tags(shopcare, again.id or 0, "coffee")
    add(shopcare, "Coffee fans", rules={"tags": ["COFFEE"], "customer": "repeat"})
    view = order_view_by_token(shopcare.sessions, again.public_token)
    chosen = offer_for_order(shopcare.sessions, again.public_token, now=clock(), order=view)
    assert chosen is not None and chosen.title == "Coffee fans title"


def test_the_schedule_starts_at_start_and_ends_at_end(shopcare: ShopCare, clock: FakeClock) -> None:
    order = make_order(shopcare)
    start = clock() + timedelta(hours=1)
    add(shopcare, starts_at=start, ends_at=start + timedelta(days=1))
    assert shown(shopcare, order.public_token) is None
    clock.advance(hours=1)
    assert shown(shopcare, order.public_token) == "Autumn title"
    clock.advance(days=1)
    assert shown(shopcare, order.public_token) is None


def test_position_decides_and_the_owner_reorders(shopcare: ShopCare) -> None:
    order = make_order(shopcare)
    first = add(shopcare, "One")
    second = add(shopcare, "Two")
    assert shown(shopcare, order.public_token) == "One title"
    move_offer(shopcare.sessions, second, step=-1)
    assert shown(shopcare, order.public_token) == "Two title"
    assert [r.id for r in list_offers(shopcare.sessions)] == [second, first]
    move_offer(shopcare.sessions, second, step=-1)  # already first: stays
    assert [r.position for r in list_offers(shopcare.sessions)] == [0, 1]


def test_a_change_by_the_owner_shows_on_the_next_view(shopcare: ShopCare) -> None:
    order = make_order(shopcare)
    offer_id = add(shopcare)
    assert shown(shopcare, order.public_token) == "Autumn title"
    update_offer(shopcare.sessions, offer_id, offer(title="Winter is here"))
    assert shown(shopcare, order.public_token) == "Winter is here"
    update_offer(shopcare.sessions, offer_id, offer(active=False))
    assert shown(shopcare, order.public_token) is None
    row = get_offer(shopcare.sessions, offer_id)
    assert row is not None and row.views == 2  # counters survive an edit


def test_a_click_is_counted_and_leads_to_the_stored_link(shopcare: ShopCare) -> None:
    order = make_order(shopcare)
    offer_id = add(shopcare, link_url="https://shop.example/sale?from=tracking")
    link = follow_offer(shopcare.sessions, offer_id, order.public_token, now=shopcare.clock())
    assert link == "https://shop.example/sale?from=tracking"
    assert follow_offer(shopcare.sessions, offer_id, "unknown", now=shopcare.clock()) is None
    assert follow_offer(shopcare.sessions, 999, order.public_token, now=shopcare.clock()) is None
    row = get_offer(shopcare.sessions, offer_id)
    assert row is not None and (row.clicks, row.ctr) == (1, None)
    assert page_views(shopcare) == [("offer_click", order.id, offer_id)]


def test_deleting_an_offer_keeps_its_views_in_the_figures(shopcare: ShopCare) -> None:
    order = make_order(shopcare)
    offer_id = add(shopcare)
    shown(shopcare, order.public_token)
    follow_offer(shopcare.sessions, offer_id, order.public_token, now=shopcare.clock())
    delete_offer(shopcare.sessions, offer_id)
    assert list_offers(shopcare.sessions) == []
    assert shown(shopcare, order.public_token) is None
    assert page_views(shopcare) == [("offer_view", order.id, None), ("offer_click", order.id, None)]
    figures = engagement(shopcare.sessions, now=shopcare.clock())
    assert (figures.offer_views, figures.offer_clicks, figures.offer_ctr) == (1, 1, 1.0)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"name": " "}, "give the offer a name"),
        ({"title": ""}, "title is missing"),
        ({"kind": "popup"}, "kind must be one of banner, product"),
        ({"link_url": "javascript:alert(1)"}, "full http:// or https:// address"),
        ({"link_url": "//evil.example/x"}, "full http:// or https:// address"),
        ({"link_url": "https://"}, "full http:// or https:// address"),
        ({"link_url": "https://shop.example/a b"}, "full http:// or https:// address"),
        ({"image_url": "http://shop.example/a.png"}, "image must be an https://"),
        ({"button": "x" * 101}, "button is longer than 100 characters"),
    ],
)
def test_the_owner_gets_a_reason_for_a_bad_offer(
    shopcare: ShopCare, values: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        add(shopcare, **values)
    assert list_offers(shopcare.sessions) == []


def test_the_end_must_come_after_the_start(shopcare: ShopCare, clock: FakeClock) -> None:
    with pytest.raises(InputError, match="end must come after the start"):
        add(shopcare, starts_at=clock(), ends_at=clock())


def test_a_hand_edited_bad_rule_hides_the_offer_instead_of_failing(shopcare: ShopCare) -> None:
    order = make_order(shopcare)
    offer_id = add(shopcare, "Broken")
    add(shopcare, "Fine")
    with transaction(shopcare.sessions) as session:
        row = session.get(Offer, offer_id)
        assert row is not None
        row.rules = '{"sku": "oops"}'
        session.add(row)
    update_offer(shopcare.sessions, offer_id + 1, offer("Fine"))  # any change reloads
    assert shown(shopcare, order.public_token) == "Fine title"
    listed = get_offer(shopcare.sessions, offer_id)
    assert listed is not None and listed.offer.segment == Segment()


def test_engagement_counts_the_last_30_days(shopcare: ShopCare, clock: FakeClock) -> None:
    one = make_order(shopcare, number="1", tracking="SIMOK100001")
    two = make_order(shopcare, number="2", tracking="SIMOK100002")
    now = clock()
    old = now - timedelta(days=31)
    views = [
        (PageKind.TRACKING_VIEW, one.id, old),  # too old
        (PageKind.TRACKING_VIEW, one.id, now - timedelta(days=2)),
        (PageKind.TRACKING_VIEW, one.id, now - timedelta(days=1)),
        (PageKind.TRACKING_VIEW, one.id, now),
        (PageKind.TRACKING_VIEW, two.id, now),
        (PageKind.LOOKUP, one.id, now),
        (PageKind.LOOKUP_FAILED, None, now),
        (PageKind.LOOKUP_FAILED, None, now),
        (PageKind.NUMBER_LOOKUP, None, now),
        (PageKind.THANKS_VIEW, two.id, now),
    ]
    for kind, order_id, at in views:
        record_page_view(shopcare.sessions, kind, now=at, order_id=order_id)
    offer_id = add(shopcare)
    for _ in range(4):
        shown(shopcare, one.public_token)
    follow_offer(shopcare.sessions, offer_id, one.public_token, now=now)

    figures = engagement(shopcare.sessions, now=now)
    assert figures.days == 30
    assert (figures.tracking_views, figures.orders_viewed, figures.views_per_order) == (4, 2, 2.0)
    assert (figures.lookups_found, figures.lookups_failed, figures.number_lookups) == (1, 2, 1)
    assert (figures.offer_views, figures.offer_clicks, figures.offer_ctr) == (4, 1, 0.25)
    assert figures.thanks_views == 1
    empty = engagement(shopcare.sessions, now=old - timedelta(days=1))
    assert (empty.tracking_views, empty.views_per_order, empty.offer_ctr) == (0, None, None)
