"""The benchmark's year of history (``bench/dashboard.py``) on a small store: the same for the
same seed, and it gives every panel something to show."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from shopcare.app import ShopCare
from shopcare.domain.insight import Period
from shopcare.services.demo.insight_history import add_insight_history
from shopcare.services.demo.many_orders import seed_many_orders
from shopcare.services.insight.panels import PANELS, InsightContext, build_panel

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def test_a_year_of_history_fills_every_panel(shopcare: ShopCare) -> None:
    seed_many_orders(shopcare.sessions, 400, now=NOW)
    history = add_insight_history(shopcare.sessions, now=NOW, zone=BERLIN)
    assert history.delivered > 250 and history.page_views > 0
    year = Period.last_days(365, now=NOW, zone=BERLIN)
    built = {k: build_panel(shopcare.sessions, k, year, InsightContext(now=NOW)) for k in PANELS}
    delivery = {f.key: f.value for f in built["delivery"].figures}
    assert delivery["parcels"] == history.delivered
    assert 0.5 < float(delivery["on_time"] or 0) < 1
    wismo = {f.key: f.value for f in built["wismo"].figures}
    assert float(wismo["viewed_late"] or 0) > float(wismo["viewed_on_time"] or 0)
