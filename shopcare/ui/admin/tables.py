"""What the admin's tables share: named checkboxes, and pages asked of the server."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from nicegui import events, ui


def name_the_checkboxes(table: ui.table, *, row_field: str) -> None:
    """Quasar's selection checkboxes have no accessible name (axe: aria-toggle-field-name):
    a screen reader hears "checkbox, not checked" on every row. Name each after its row."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", row_field):
        raise ValueError(f"not a row field name: {row_field!r}")
    table.add_slot(
        "header-selection",
        '<q-checkbox v-model="props.selected" aria-label="Select all rows" />',
    )
    table.add_slot(
        "body-selection",
        '<q-checkbox v-model="props.selected"'
        f" :aria-label=\"'Select ' + props.row.{row_field}\" />",
    )


def server_paged_table(
    columns: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    *,
    page: int,
    per_page: int,
    total: int,
    address: Callable[[int, int], str],
) -> ui.table:
    """A table showing one page the server read; Quasar's pager asks for another by going to
    ``address(page, per_page)``, so the page is in the address like every filter."""
    table = ui.table(
        columns=columns,
        rows=rows,
        row_key="id",
        pagination={"rowsPerPage": per_page, "page": page, "rowsNumber": total},
    ).classes("w-full cursor-pointer")

    def request_page(event: events.GenericEventArguments) -> None:
        wanted = event.args.get("pagination", {}) if isinstance(event.args, dict) else {}
        asked = int(wanted.get("page") or 1), int(wanted.get("rowsPerPage") or per_page)
        ui.navigate.to(address(*asked))

    table.on("request", request_page)
    return table
