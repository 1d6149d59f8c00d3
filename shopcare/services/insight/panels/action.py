"""Needs action now: what waits for the owner today, whatever period the page shows, each
count one click from the very orders it counts.

The parcel counts are the order list's own filters (``services.orders.listing``), counted
with its ``conditions``, so a count and the list its link opens always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from shopcare.db.models import ProblemReport, ReturnLabel, ReturnRequest, ShopOrder
from shopcare.domain.insight import Figure, Panel, Period, Table
from shopcare.domain.return_labels import LabelState
from shopcare.domain.returns import ReturnStatus
from shopcare.domain.status import ShipmentStatus
from shopcare.services.insight.panels import InsightContext
from shopcare.services.orders.listing import SAVED_VIEWS, OrderQuery, conditions
from shopcare.services.shopper_site.problem_reports import ProblemKind

KEY = "action"
UNSHIPPED = SAVED_VIEWS["unshipped"][1]


@dataclass(frozen=True)
class _Item:
    key: str
    label: str
    url: str
    orders: OrderQuery | None = None
    """Counted as the order list counts this query; None: counted by its own query."""


ITEMS = (
    _Item("delayed", "Stalled or delayed", "/admin/orders?view=delayed", OrderQuery(delayed=True)),
    _Item("exception", "Exception", "/admin/orders?status=exception",
          OrderQuery(status=ShipmentStatus.EXCEPTION.value)),
    _Item("failed_attempt", "Failed delivery attempt", "/admin/orders?status=failed_attempt",
          OrderQuery(status=ShipmentStatus.FAILED_ATTEMPT.value)),
    _Item("returned_to_sender", "Returned to sender", "/admin/orders?status=returned_to_sender",
          OrderQuery(status=ShipmentStatus.RETURNED_TO_SENDER.value)),
    _Item("unshipped", f"Not shipped after {UNSHIPPED.unshipped_days} days",
          "/admin/orders?view=unshipped", UNSHIPPED),
    _Item("problems", "Open problems", "/admin/problems?status=open"),
    _Item("returns", "Returns to handle", "/admin/returns"),
    _Item("return_labels", "Return labels not bought", "/admin/returns"),
    _Item("detractors", "Low scores not followed up", "/admin/problems?status=open"),
)  # fmt: skip


def build(session: Session, period: Period, context: InsightContext) -> Panel:
    counts = {item.key: _count(session, item, period, context) for item in ITEMS}
    return Panel(
        key=KEY,
        title="Needs action now",
        figures=tuple(
            Figure(item.key, item.label, counts[item.key], better="down") for item in ITEMS
        ),
        tables=(
            Table(
                "items",
                "Needs action now",
                ("item", "orders", "link"),
                tuple((item.label, counts[item.key], item.url) for item in ITEMS),
            ),
        ),
        links=tuple((item.label, item.url) for item in ITEMS),
        note=(
            "Counted now, whatever the period. Detractors (a score of 0 to 6) count until the "
            "owner writes a note on the order."
        ),
    )


def _count(session: Session, item: _Item, period: Period, context: InsightContext) -> int:
    if item.orders is not None:
        where = conditions(item.orders, zone=period.zone, now=context.now)
        return int(session.exec(select(func.count()).select_from(ShopOrder).where(*where)).one())
    query: Any
    if item.key == "problems":
        query = select(func.count()).select_from(ProblemReport)
        query = query.where(col(ProblemReport.status) == "open")
    elif item.key == "returns":  # new requests to decide, parcels that came back
        waiting = (ReturnStatus.REQUESTED, ReturnStatus.RECEIVED)
        query = select(func.count()).select_from(ReturnRequest)
        query = query.where(col(ReturnRequest.status).in_(waiting))
    elif item.key == "return_labels":  # a failed purchase waits for "try again"
        query = select(func.count()).select_from(ReturnLabel)
        query = query.where(col(ReturnLabel.state) == LabelState.FAILED)
    else:  # a score of 0-6 raises a problem until the owner resolves it (feedback flow)
        query = select(func.count()).select_from(ProblemReport)
        query = query.where(col(ProblemReport.status) == "open")
        query = query.where(col(ProblemReport.kind) == ProblemKind.LOW_SCORE)
    return int(session.exec(query).one())
