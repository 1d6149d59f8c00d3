"""ECharts options for the dashboard's panels: plain dicts, so the page hands them to
``ui.echart`` as they are and the numbers a chart shows are the table's, nothing else;
shares shown as percentages with one decimal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shopcare.domain.insight import Cell, Chart, Table


def bar(table: Table, *, series: Sequence[int], x: int = 0, stack: bool = False) -> Chart:
    """Bars of the ``series`` columns for each row, labelled by column ``x``."""
    return _chart(table, "bar", series=series, x=x, stack=stack)


def line(table: Table, *, series: Sequence[int], x: int = 0) -> Chart:
    """A line per ``series`` column over the rows (weeks), gaps where a value is None."""
    return _chart(table, "line", series=series, x=x, stack=False)


def _chart(table: Table, kind: str, *, series: Sequence[int], x: int, stack: bool) -> Chart:
    drawn: list[dict[str, Any]] = []
    for index in series:
        one: dict[str, Any] = {
            "name": table.columns[index],
            "type": kind,
            "data": [row[index] for row in table.rows],
        }
        if stack:
            one["stack"] = "total"
        if kind == "line":
            one["connectNulls"] = False
        drawn.append(one)
    return Chart(
        table=table.key,
        options={
            "tooltip": {"trigger": "axis"},
            "legend": {"data": [table.columns[i] for i in series]},
            "xAxis": {"type": "category", "data": [row[x] for row in table.rows]},
            "yAxis": {"type": "value"},
            "series": drawn,
        },
    )


def percent(value: float | None) -> float | None:
    """A share (0..1) as the percent a table shows and a CSV keeps, to one decimal."""
    return None if value is None else round(100 * value, 1)


def one_decimal(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def series_chart(
    kind: str,
    *,
    categories: Sequence[Cell],
    series: dict[str, Sequence[Cell]],
    x_name: str = "",
    y_name: str = "",
) -> dict[str, Any]:
    """Bars (``kind="bar"``) or lines, one series per name, over shared categories."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll"},
        "grid": {"left": 48, "right": 16, "bottom": 32, "containLabel": True},
        "xAxis": {"type": "category", "name": x_name, "data": list(categories)},
        "yAxis": {"type": "value", "name": y_name},
        "series": [
            {"name": name, "type": kind, "data": list(values), "connectNulls": True}
            for name, values in series.items()
        ],
    }
