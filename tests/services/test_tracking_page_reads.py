"""The tracking page is the busiest page: it is read with a few plain queries and writes
nothing once its feedback form exists; the cached parts of its rendering (settings, dates)
give exactly what reading and formatting afresh gives."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel import dates
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import Setting, Shipment
from shopcare.services.returns.policy import ReturnPolicySettings, load_policy_settings
from shopcare.services.shop.profile import load_profile, update_profile
from shopcare.services.shopper_site.feedback import feedback_form_for_order, record_feedback
from shopcare.services.shopper_site.tracking_page import tracking_page
from shopcare.ui.public.templating import LANGUAGE_NAMES, format_date, format_datetime
from tests.conftest import FakeClock
from tests.services.helpers import make_order


@contextmanager
def statements(app: ShopCare) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.split(None, 1)[0].upper())

    sa.event.listen(app.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(app.engine, "before_cursor_execute", note)


def deliver(app: ShopCare, clock: FakeClock) -> None:
    with transaction(app.sessions) as session:
        for shipment in session.exec(select(Shipment)):
            shipment.status, shipment.delivered_at = "delivered", clock()
            session.add(shipment)


def test_a_page_is_three_queries_and_no_write(shopcare: ShopCare, clock: FakeClock) -> None:
    order = make_order(shopcare)
    deliver(shopcare, clock)
    with statements(shopcare) as seen:
        page = tracking_page(shopcare.sessions, order.public_token, now=clock())
    assert page is not None and page.can_return and page.order.messages == []
    assert seen == ["SELECT"] * 3


def test_delivered_the_page_asks_for_feedback_without_writing_anything(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    order = make_order(shopcare)
    deliver(shopcare, clock)
    with statements(shopcare) as seen:
        first = tracking_page(shopcare.sessions, order.public_token, now=clock())
    assert first is not None and first.ask_feedback and first.feedback_token == ""
    assert "INSERT" not in seen and "UPDATE" not in seen  # a page view only reads
    form = feedback_form_for_order(shopcare.sessions, order.public_token, now=clock())
    assert form  # made when the shopper follows the prompt
    again = tracking_page(shopcare.sessions, order.public_token, now=clock())
    assert again is not None and again.ask_feedback and again.feedback_token == form
    assert feedback_form_for_order(shopcare.sessions, order.public_token, now=clock()) == form
    record_feedback(shopcare.sessions, form, score=9, now=clock())
    answered = tracking_page(shopcare.sessions, order.public_token, now=clock())
    assert answered is not None and not answered.ask_feedback
    assert feedback_form_for_order(shopcare.sessions, "no-such-order", now=clock()) is None


def test_the_return_window_closes_on_the_page_as_in_the_policy(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    order = make_order(shopcare)
    deliver(shopcare, clock)
    last_day = clock() + timedelta(days=30)
    assert tracking_page(shopcare.sessions, order.public_token, now=last_day).can_return  # type: ignore[union-attr]
    later = last_day + timedelta(days=1)
    assert not tracking_page(shopcare.sessions, order.public_token, now=later).can_return  # type: ignore[union-attr]


def test_settings_written_by_any_path_are_read_afresh(shopcare: ShopCare) -> None:
    update_profile(shopcare.sessions, name="First name")
    with shopcare.sessions() as session:
        assert load_profile(session).name == "First name"
    with transaction(shopcare.sessions) as session:  # not through update_group
        row = session.get(Setting, "shop_profile")
        assert row is not None
        row.value = json.dumps({**json.loads(row.value), "name": "Written by hand"})
        session.add(row)
    with shopcare.sessions() as session:
        assert load_profile(session).name == "Written by hand"
        assert load_profile(session) is load_profile(session)  # frozen: one copy shared


def test_a_settings_group_a_caller_could_change_is_never_shared(shopcare: ShopCare) -> None:
    with shopcare.sessions() as session:
        first = load_policy_settings(session)
        first.final_sale_skus.append("MUG")
        again = load_policy_settings(session)
    assert again is not first and again == ReturnPolicySettings()


def test_cached_dates_read_as_babel_formats_them() -> None:
    rng = random.Random(7)
    zones = [ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for _ in range(300):
        at = (start + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))).astimezone(
            rng.choice(zones)
        )
        for locale in LANGUAGE_NAMES:
            babel = {"en": "en_GB"}.get(locale, locale)
            day = dates.format_skeleton("yMMMd", at, locale=babel)
            joined = str(dates.get_datetime_format("medium", locale=babel))
            hm = dates.format_skeleton("Hm", at, locale=babel)
            assert format_date(at, locale) == day
            assert format_date(date(at.year, at.month, at.day), locale) == day
            assert format_datetime(at, locale) == joined.replace("{1}", day).replace("{0}", hm)


def test_the_page_reads_leave_the_next_session_with_its_transaction(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    """On PostgreSQL the page reads in autocommit (no BEGIN, no ROLLBACK): the connection
    goes back to the pool as it was, so a later unit of work can still be rolled back."""
    order = make_order(shopcare)
    for _ in range(3):  # the pool hands the same connection back
        assert tracking_page(shopcare.sessions, order.public_token, now=clock()) is not None
        with shopcare.sessions() as session:
            session.add(Setting(key="half_done", value="{}"))
            session.flush()
            session.rollback()
    with shopcare.sessions() as session:
        assert session.get(Setting, "half_done") is None
