"""Feedback panel: NPS (and CSAT) week by week, aspect averages, and NPS split by what
happened to the shopper's parcels: on time or late against the first estimate shown, with
or without an exception, and by carrier. Answers count in the week they were given.

Every figure comes from one shape of query: a column of answers grouped by its value (and
by a week, a carrier or an order's delivery flags), handed to ``domain.metrics.feedback`` as
histograms."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from shopcare.carriers.registry import carrier_label
from shopcare.db.models import Feedback, Shipment
from shopcare.domain.insight import Chart, Figure, Panel, Period, Table
from shopcare.domain.metrics.counts import Histogram, grouped, merged
from shopcare.domain.metrics.experience import LABELS, DeliveryFlags, Timing
from shopcare.domain.metrics.feedback import averages, csat, nps, nps_by, nps_by_delivery
from shopcare.services.insight.charts import bar, line, one_decimal, percent
from shopcare.services.insight.experience import flag_columns, flag_names, flags, parcels_of
from shopcare.services.insight.panels import InsightContext

KEY = "feedback"

SCORE: Any = col(Feedback.score)
"""The 0-10 recommendation score: NPS."""
CSAT: Any = col(Feedback.csat)
"""The 1-5 satisfaction answer: the CSAT figure and its weekly line."""
ASPECTS: dict[str, Any] = {
    "product": col(Feedback.rating_product),
    "delivery": col(Feedback.rating_delivery),
    "packaging": col(Feedback.rating_packaging),
    "communication": col(Feedback.rating_communication),
}
"""Aspect -> its 1-5 column; each gets its average."""

_EXCEPTION_LABELS = {"with_exception": "With exception", "without_exception": "No exception"}


def build(session: Session, period: Period, context: InsightContext) -> Panel:
    weeks = period.weeks()
    scores = _weekly(session, period, SCORE)
    ratings = _weekly(session, period, CSAT) if CSAT is not None else {}
    timing, exception = nps_by_delivery(_by_delivery(session, period))
    before = period.previous()
    before_timing, _ = nps_by_delivery(_by_delivery(session, before))
    late = {r.group: r.nps for r in timing}
    was_late = {r.group: r.nps for r in before_timing}
    weekly = Table(
        "weekly",
        "NPS and CSAT by week" if CSAT is not None else "NPS by week",
        ("Week from", "Answers", "NPS", *(("CSAT %",) if CSAT is not None else ())),
        tuple(
            (week.first.isoformat(), sum(scores.get(i, {}).values()),
             one_decimal(nps(scores.get(i, {}))),
             *((percent(csat(ratings.get(i, {}))),) if CSAT is not None else ()))
            for i, week in enumerate(weeks)
        ),
    )  # fmt: skip
    delivery = Table(
        "by-delivery",
        "NPS by delivery experience",
        ("Delivery", "Answers", "NPS"),
        tuple((LABELS[r.group], r.answers, one_decimal(r.nps)) for r in timing)
        + tuple((_EXCEPTION_LABELS[r.group], r.answers, one_decimal(r.nps)) for r in exception),
    )
    carriers = Table(
        "by-carrier",
        "NPS by carrier",
        ("Carrier", "Answers", "NPS"),
        tuple(
            (carrier_label(r.group), r.answers, one_decimal(r.nps))
            for r in nps_by(_by_carrier(session, period))
        ),
    )
    tables = [weekly, delivery, carriers]
    charts: list[Chart] = [
        line(weekly, series=(2, 3) if CSAT is not None else (2,)),
        bar(delivery, series=(2,)),
        bar(carriers, series=(2,)),
    ]
    if ASPECTS:
        aspects = _aspects_table(session, period)
        tables.append(aspects)
        charts.append(bar(aspects, series=(2,)))
    figures = [
        Figure("nps", "NPS", _nps(session, period, SCORE), _nps(session, before, SCORE),
               unit=""),
        Figure("answers", "Answers", sum(merged(scores.values()).values()),
               sum(_overall(session, before, SCORE).values())),
        Figure("nps-on-time", "NPS when on time", one_decimal(late[Timing.ON_TIME]),
               one_decimal(was_late[Timing.ON_TIME])),
        Figure("nps-late", "NPS when late", one_decimal(late[Timing.LATE]),
               one_decimal(was_late[Timing.LATE])),
    ]  # fmt: skip
    if CSAT is not None:
        figures.append(
            Figure("csat", "CSAT", csat(merged(ratings.values())),
                   csat(_overall(session, before, CSAT)), unit="%")
        )  # fmt: skip
    return Panel(
        key=KEY,
        title="Feedback",
        figures=tuple(figures),
        charts=tuple(charts),
        tables=tuple(tables),
        note="On time: delivered by the first estimate the shopper was shown; unknown: no "
        "estimate or not delivered. NPS = % promoters (9-10) - % detractors (0-6).",
    )


def _answered(period: Period, column: Any) -> list[sa.ColumnElement[bool]]:
    start, end = period.utc_bounds()
    answered = col(Feedback.answered_at)
    return [answered >= start, answered < end, column.is_not(None)]


def _overall(session: Session, period: Period, column: Any) -> Histogram:
    rows = session.execute(
        sa.select(column, sa.func.count()).where(*_answered(period, column)).group_by(column)
    ).all()
    return {int(value): int(n) for value, n in rows}


def _nps(session: Session, period: Period, column: Any) -> float | None:
    found = nps(_overall(session, period, column))
    return None if found is None else round(found, 1)


def _weekly(session: Session, period: Period, column: Any) -> dict[int, Histogram]:
    """Week number (0 = the period's first seven days) -> histogram of ``column``; the week
    is found by the database from the weeks' UTC bounds, which follow the shop's zone."""
    answered = col(Feedback.answered_at)
    week = sa.case(
        *((answered < w.utc_bounds()[1], i) for i, w in enumerate(period.weeks())), else_=-1
    ).label("week")
    rows = session.execute(
        sa.select(week, column, sa.func.count())
        .where(*_answered(period, column))
        .group_by(week, column)
    ).all()
    return dict(grouped((int(w), int(v), int(n)) for w, v, n in rows))


def _by_delivery(session: Session, period: Period) -> list[tuple[DeliveryFlags, int, int]]:
    """One row per answer and its order's parcels' flags, then grouped by flags and score."""
    per_answer = (
        sa.select(col(Feedback.id), SCORE.label("answer"), *flag_columns())
        .select_from(Feedback)
        .outerjoin(Shipment, parcels_of(col(Feedback.order_id)))
        .where(*_answered(period, SCORE))
        .group_by(col(Feedback.id), SCORE)
        .subquery()
    )
    names = flag_names(per_answer)
    rows = session.execute(
        sa.select(*names, per_answer.c.answer, sa.func.count()).group_by(
            *names, per_answer.c.answer
        )
    ).all()
    return [(flags(late, judged, exc), int(a), int(n)) for late, judged, exc, a, n in rows]


def _by_carrier(session: Session, period: Period) -> list[tuple[str, int, int]]:
    """Each answer once per carrier that brought a parcel of its order."""
    per_answer = (
        sa.select(col(Feedback.id), col(Shipment.carrier), SCORE.label("answer"))
        .join(Shipment, parcels_of(col(Feedback.order_id)))
        .where(*_answered(period, SCORE))
        .distinct()
        .subquery()
    )
    rows = session.execute(
        sa.select(per_answer.c.carrier, per_answer.c.answer, sa.func.count())
        .group_by(per_answer.c.carrier, per_answer.c.answer)
        .order_by(per_answer.c.carrier)
    ).all()
    return [(str(c), int(a), int(n)) for c, a, n in rows]


def _aspects_table(session: Session, period: Period) -> Table:
    found = {name: _overall(session, period, column) for name, column in ASPECTS.items()}
    means = averages(found)
    return Table(
        "aspects",
        "Aspect ratings",
        ("Aspect", "Answers", "Average (1-5)"),
        tuple(
            (name.capitalize(), sum(found[name].values()), None if m is None else round(m, 2))
            for name, m in means.items()
        ),
    )
