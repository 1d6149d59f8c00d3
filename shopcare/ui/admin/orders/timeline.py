"""The order page's timeline: everything that happened to the order, newest first, one
icon per kind, a message's delivery state in colour with the reason it failed, a link to
the return a step belongs to; and the "Add note" dialog for the owner's own notes.

The dialog is built once per page, outside the re-rendered detail, so a note being typed
survives the page's redraws. Every value goes through labels and props, which NiceGUI
escapes: shoppers' words (a problem report, feedback) are never HTML here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.services.errors import InputError
from shopcare.services.orders.notes import NOTE_MAX, add_note
from shopcare.services.orders.timeline import EntryKind, TimelineEntry
from shopcare.ui.admin.layout import status_label, when

if TYPE_CHECKING:
    from shopcare.app import ShopCare

ICONS = {
    EntryKind.CARRIER_EVENT: "local_shipping",
    EntryKind.STATUS: "inventory_2",
    EntryKind.MESSAGE: "mail",
    EntryKind.PAGE_VIEW: "visibility",
    EntryKind.RETURN: "assignment_return",
    EntryKind.FEEDBACK: "star",
    EntryKind.PROBLEM: "report_problem",
    EntryKind.NOTE: "sticky_note_2",
    EntryKind.ORDER: "shopping_cart",
}
STATE_COLOURS = {
    "sent": "positive",
    "failed": "negative",
    "queued": "warning",
    "sending": "warning",
    "skipped": "grey",
    "open": "negative",
}


def timeline(entries: list[TimelineEntry], *, add_note: Callable[[], object]) -> None:
    """Entry ``i`` (0 = newest) is marked ``timeline-<i>`` for tests and scripts."""
    with ui.row().classes("items-center gap-2 mt-2"):
        ui.label("Timeline").classes("text-lg font-semibold")
        ui.button("Add note", icon="edit_note", on_click=add_note).props("flat dense").mark(
            "add-note"
        )
    if not entries:
        ui.label("Nothing has happened yet.")
        return
    with ui.timeline(side="right").classes("w-full").mark("order-timeline"):
        for i, entry in enumerate(entries):
            _entry(entry, i)


def _entry(entry: TimelineEntry, i: int) -> None:
    by = f"by {entry.actor}" if entry.actor else ""
    subtitle = " · ".join(filter(None, (when(entry.at), by)))
    colour = STATE_COLOURS.get(entry.state, "primary")
    with ui.timeline_entry(subtitle=subtitle, icon=ICONS[entry.kind], color=colour).mark(
        f"timeline-entry-{i}"
    ):
        with ui.row().classes("items-center gap-2"):
            ui.label(entry.title).classes("font-medium").mark(f"timeline-{i}")
            if entry.state:
                ui.badge(status_label(entry.state), color=colour).mark(f"timeline-state-{i}")
        if entry.detail:
            failed = entry.state == "failed"
            ui.label(entry.detail).classes(
                "text-negative whitespace-pre-wrap" if failed else "whitespace-pre-wrap"
            ).mark(f"timeline-detail-{i}")
        if entry.link:
            ui.link("Open", entry.link).mark(f"timeline-link-{i}")


class NoteDialog:
    """Writes the note as the signed-in account (``author_id``), then redraws the page."""

    def __init__(
        self,
        shopcare: ShopCare,
        *,
        order_id: int,
        author_id: int | None,
        on_change: Callable[[], object],
    ) -> None:
        self.shopcare = shopcare
        self.order_id = order_id
        self.author_id = author_id
        self.on_change = on_change
        with ui.dialog() as self.dialog, ui.card().classes("w-[32rem] max-w-full"):
            ui.label("Add a note").classes("text-lg font-semibold")
            ui.label("Only you and other admins see it, in this order's timeline.").classes(
                "text-sm text-gray-600"
            )
            self.text = (
                ui.textarea("Note", validation={"Too long": lambda v: len(v or "") <= NOTE_MAX})
                .props(f"maxlength={NOTE_MAX} counter")
                .classes("w-full")
                .mark("note-text")
            )
            with ui.row():
                ui.button("Save note", on_click=self.save).mark("save-note")
                ui.button("Close", on_click=self.dialog.close).props("flat")

    def open(self) -> None:
        self.text.value = ""
        self.dialog.open()

    def save(self) -> None:
        try:
            add_note(
                self.shopcare.sessions,
                self.order_id,
                text=self.text.value or "",
                author_id=self.author_id,
                now=self.shopcare.clock(),
            )
        except InputError as exc:
            ui.notify(f"Not saved: {exc}", type="negative")
            return
        self.dialog.close()
        ui.notify("Note added", type="positive")
        self.on_change()
