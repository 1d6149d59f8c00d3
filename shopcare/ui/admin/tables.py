"""What every admin table with ticked rows shares."""

from __future__ import annotations

import re

from nicegui import ui


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
