"""Any dashboard panel, drawn the same way: its figures as cards with the previous period's
value and the change (green when it went the good way), each chart with its numbers in an
expansion below, and a CSV link per table. Panels know nothing of NiceGUI; this module knows
nothing of any one panel."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from nicegui import ui

from shopcare.domain.insight import Figure, Panel, Period, Table
from shopcare.services.insight.ranges import range_params


def draw_panel(panel: Panel, period: Period) -> None:
    with ui.card().classes("w-full").mark(f"panel-{panel.key}"):
        ui.label(panel.title).classes("text-xl font-bold")
        if panel.note:
            ui.label(panel.note).classes("text-sm text-gray-600")
        links = dict(panel.links)
        with ui.row().classes("w-full gap-3"):
            for figure in panel.figures:
                _figure_card(panel.key, figure, link=links.get(figure.label))
        charted = {chart.table for chart in panel.charts}
        for chart in panel.charts:
            table = panel.table(chart.table)
            ui.label(table.title).classes("text-base font-medium mt-2")
            ui.echart(dict(chart.options)).classes("w-full h-72").mark(
                f"chart-{panel.key}-{table.key}"
            )
            _numbers(panel.key, table, period)
        for table in panel.tables:
            if table.key not in charted:
                _numbers(panel.key, table, period)


def csv_url(panel: str, table: str, period: Period) -> str:
    return f"/admin/insight/{panel}/{table}.csv?{urlencode(range_params(period))}"


def shown(value: float | None, unit: str) -> str:
    """A figure as the owner reads it: 70.0 %, 3 days, 1.4, or a dash when there is none."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{value * 100:.1f} %"
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}" if unit else text


def change(figure: Figure) -> tuple[str, str]:
    """The change since the previous period and its colour ("positive", "negative", "")."""
    if figure.value is None or figure.previous is None:
        return "", ""
    delta = figure.value - figure.previous
    if figure.unit == "%":
        text = f"{delta * 100:+.1f} pts"
    elif isinstance(delta, int):
        text = f"{delta:+,}"
    else:
        text = f"{delta:+,.2f}"
    if abs(delta) < 1e-9:
        return "±0", ""
    good = (delta > 0) == (figure.better == "up")
    return text, "positive" if good else "negative"


def _figure_card(panel: str, figure: Figure, *, link: str | None) -> None:
    marker = f"{panel}-{figure.key}"
    card = ui.card().classes("min-w-40 gap-1").mark(marker)
    with card:
        ui.label(shown(figure.value, figure.unit)).classes("text-2xl font-bold").mark(
            f"{marker}-value"
        )
        if link:
            ui.link(figure.label, link).classes("text-sm").mark(f"{marker}-link")
        else:
            ui.label(figure.label).classes("text-sm text-gray-600")
        if figure.previous is not None:
            text, colour = change(figure)
            with ui.row().classes("gap-2 items-baseline"):
                ui.label(f"before: {shown(figure.previous, figure.unit)}").classes(
                    "text-xs text-gray-500"
                ).mark(f"{marker}-previous")
                if text:
                    ui.label(text).classes(
                        f"text-xs {f'text-{colour}' if colour else 'text-gray-600'}"
                    ).mark(f"{marker}-change")


def _numbers(panel: str, table: Table, period: Period) -> None:
    marker = f"{panel}-{table.key}"
    with ui.expansion(f"Numbers: {table.title}").classes("w-full").mark(f"numbers-{marker}"):
        ui.link("CSV", csv_url(panel, table.key, period)).props("download").mark(f"csv-{marker}")
        columns: list[dict[str, Any]] = [
            {
                "name": f"c{i}",
                "label": name,
                "field": f"c{i}",
                "align": "left" if i == 0 else "right",
            }
            for i, name in enumerate(table.columns)
        ]
        rows = [
            {"id": n, **{f"c{i}": ("" if v is None else v) for i, v in enumerate(row)}}
            for n, row in enumerate(table.rows)
        ]
        ui.table(columns=columns, rows=rows, row_key="id").classes("w-full").props(
            "dense flat hide-pagination :pagination='{rowsPerPage: 0}'"
        ).mark(f"table-{marker}")
