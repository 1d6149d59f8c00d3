"""Feedback panel: NPS (and CSAT) week by week, aspect averages, and NPS split by what
happened to the shopper's parcels: on time or late against the first estimate shown, with
or without an exception, and by carrier. Answers count in the week they were given.

Every figure comes from one shape of query: a column of answers grouped by its value (and
by a week, a carrier or an order's delivery flags), handed to ``domain.metrics.feedback`` as
histograms."""

from __future__ import annotations

from datetime import date
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
from shopcare.services.insight.day_chunks import by_month
from shopcare.services.insight.experience import flag_columns, flag_names, flags, parcels_of
from shopcare.services.insight.local_day import as_local, local_day
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
    now = _Answers(session, period, context)
    before = _Answers(session, period.previous(), context)
    scores = now.weekly("score")
    ratings = now.weekly("csat") if CSAT is not None else {}
    timing, exception = nps_by_delivery(now.rows("delivery"))
    before_timing, _ = nps_by_delivery(before.rows("delivery"))
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
            for r in nps_by(sorted(now.rows("carrier"), key=lambda row: str(row[0])))
        ),
    )
    tables = [weekly, delivery, carriers]
    charts: list[Chart] = [
        line(weekly, series=(2, 3) if CSAT is not None else (2,)),
        bar(delivery, series=(2,)),
        bar(carriers, series=(2,)),
    ]
    if ASPECTS:
        aspects = _aspects_table(now)
        tables.append(aspects)
        charts.append(bar(aspects, series=(2,)))
    figures = [
        Figure("nps", "NPS", _nps(now.overall("score")), _nps(before.overall("score")),
               unit=""),
        Figure("answers", "Answers", sum(merged(scores.values()).values()),
               sum(before.overall("score").values())),
        Figure("nps-on-time", "NPS when on time", one_decimal(late[Timing.ON_TIME]),
               one_decimal(was_late[Timing.ON_TIME])),
        Figure("nps-late", "NPS when late", one_decimal(late[Timing.LATE]),
               one_decimal(was_late[Timing.LATE])),
    ]  # fmt: skip
    if CSAT is not None:
        figures.append(
            Figure("csat", "CSAT", csat(merged(ratings.values())),
                   csat(before.overall("csat")), unit="%")
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


class _Answers:
    """One period's answers as ``(what, group, value, n)`` rows, counted per month
    (``by_month``: an answer belongs to the day it was given). ``what`` is "score" or
    "csat" (group: the shop's day), "delivery" (group: the order's ``DeliveryFlags``),
    "carrier" (group: a carrier that brought a parcel of the order) or "aspect:<name>"
    (no group)."""

    def __init__(self, session: Session, period: Period, context: InsightContext) -> None:
        self.period = period
        self._rows = by_month(session, period, name=KEY, now=context.now, compute=_month_rows)

    def rows(self, what: str) -> list[tuple[Any, int, int]]:
        return [(group, value, n) for w, group, value, n in self._rows if w == what]

    def overall(self, what: str) -> Histogram:
        return dict(merged(grouped(self.rows(what)).values()))

    def weekly(self, what: str) -> dict[int, Histogram]:
        """Week number (0 = the period's first seven days) -> histogram."""
        first = self.period.first
        return dict(grouped(((d - first).days // 7, v, n) for d, v, n in self.rows(what)))


def _month_rows(session: Session, period: Period) -> list[tuple[str, Any, int, int]]:
    found: list[tuple[str, Any, int, int]] = []
    columns = {"score": SCORE, **({"csat": CSAT} if CSAT is not None else {})}
    for what, column in columns.items():
        found += [(what, d, v, n) for d, v, n in _daily(session, period, column)]
    for name, column in ASPECTS.items():
        found += [
            (f"aspect:{name}", None, v, n) for v, n in _overall(session, period, column).items()
        ]
    found += [("delivery", f, v, n) for f, v, n in _by_delivery(session, period)]
    found += [("carrier", c, v, n) for c, v, n in _by_carrier(session, period)]
    return found


def _answered(period: Period, column: Any) -> list[sa.ColumnElement[bool]]:
    start, end = period.utc_bounds()
    answered = col(Feedback.answered_at)
    return [answered >= start, answered < end, column.is_not(None)]


def _overall(session: Session, period: Period, column: Any) -> Histogram:
    rows = session.execute(
        sa.select(column, sa.func.count()).where(*_answered(period, column)).group_by(column)
    ).all()
    return {int(value): int(n) for value, n in rows}


def _nps(scores: Histogram) -> float | None:
    found = nps(scores)
    return None if found is None else round(found, 1)


def _daily(session: Session, period: Period, column: Any) -> list[tuple[date, int, int]]:
    """``(the shop's day, value, n)`` of ``column``'s answers in ``period``."""
    start, end = period.start, period.end
    day, shift = local_day(col(Feedback.answered_at), period.zone, start=start, end=end)
    rows = session.execute(
        sa.select(day, shift, column, sa.func.count())
        .where(*_answered(period, column))
        .group_by(day, shift, column)
    ).all()
    return [(as_local(d, s), int(v), int(n)) for d, s, v, n in rows]


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


def _aspects_table(answers: _Answers) -> Table:
    found = {name: answers.overall(f"aspect:{name}") for name in ASPECTS}
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
