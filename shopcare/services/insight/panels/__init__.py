"""Every dashboard panel, in the order the owner reads them.

A panel module exposes ``build(session, period, context) -> domain.insight.Panel``: it runs
SQL aggregates (indexed, grouped in the database, never every row into Python) for ``period``
and for ``period.previous()``, and hands the plain rows to the pure metrics in
``domain.metrics``. The admin page, the CSV downloads and ``bench/dashboard.py`` all go
through ``build_panel``, so what is measured is what the owner sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from shopcare.db.engine import SessionFactory
from shopcare.domain.insight import Panel, Period


@dataclass(frozen=True)
class InsightContext:
    """What every panel needs besides the period: the shop's clock, its business calendar
    (transit counted in working days) and its currency (money shown in its minor units)."""

    now: datetime
    holidays: frozenset[date] = frozenset()
    currency: str = "EUR"


PanelBuilder = Callable[[Session, Period, InsightContext], Panel]

PANELS: dict[str, PanelBuilder] = {}
"""Panel key -> builder, in reading order. Each panel module registers itself here."""


def build_panel(
    sessions: SessionFactory, key: str, period: Period, context: InsightContext
) -> Panel:
    with sessions() as session:
        return PANELS[key](session, period, context)


# --- Panel registration, in reading order: what needs doing, then how it went. ----------
from shopcare.services.insight.panels import (  # noqa: E402  (they import InsightContext)
    action,
    customers,
    delivery,
    feedback,
    messages,
    returns,
    wismo,
)

for _panel in (action, delivery, wismo, messages, returns, feedback, customers):
    PANELS[_panel.KEY] = _panel.build
