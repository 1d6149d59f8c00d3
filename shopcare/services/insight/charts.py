"""ECharts options and table cells the delivery and WISMO panels share: one look for every
chart (axis tooltip, legend, named axes), shares shown as percentages with one decimal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shopcare.domain.insight import Cell


def percent(value: float | None) -> Cell:
    """A share (0..1) as the owner reads it in a table and a spreadsheet: 70.0, or empty."""
    return None if value is None else round(value * 100, 1)


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
