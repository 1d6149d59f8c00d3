"""A parcel's fields: tracking number with what will follow it said as it is typed, the
carrier (or "detect"), and the day it left. Shared by the Add order form and the order
page's Add parcel dialog.

A number no account can follow is not an error: the hint says so and the parcel is saved
to wait for one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from nicegui import ui

from shopcare.services.tracking.provider_views import carrier_choices
from shopcare.services.tracking.waiting_parcels import follow_hint

DETECT = ""
"""The carrier select's value for "let ShopCare choose from the number"."""


class ParcelFields:
    def __init__(self, *, carriers: list[str], prefix: str = "") -> None:
        self.carriers = carriers
        with ui.row().classes("w-full items-start"):
            self.tracking = ui.input("Tracking number").classes("grow").mark(f"{prefix}tracking")
            choices = {DETECT: "Detect from the number", **carrier_choices(carriers)}
            self.carrier = ui.select(choices, value=DETECT, label="Carrier").mark(
                f"{prefix}carrier"
            )
            with ui.input("Shipped on (optional)", placeholder="YYYY-MM-DD").mark(
                f"{prefix}shipped-on"
            ) as self.shipped_on:
                with ui.menu().props("no-parent-event") as menu:
                    ui.date(mask="YYYY-MM-DD").bind_value(self.shipped_on)
                with self.shipped_on.add_slot("append"):
                    ui.icon("edit_calendar").on("click", menu.open).classes("cursor-pointer")
        self.hint = ui.label().classes("text-sm text-gray-700").mark(f"{prefix}carrier-hint")
        self.tracking.on_value_change(self.show_hint)
        self.carrier.on_value_change(self.show_hint)

    def show_hint(self) -> None:
        self.hint.set_text(
            follow_hint(self.number(), carrier=self.carrier_name(), carriers=self.carriers)
        )

    def number(self) -> str:
        return (self.tracking.value or "").strip()

    def carrier_name(self) -> str:
        return str(self.carrier.value or DETECT)

    def shipped_at(self, zone: ZoneInfo, now: Callable[[], datetime]) -> datetime | None:
        """Noon of the day in the shop's zone (the hour is unknown); today is now; None when
        left empty. ValueError for a date that is not one."""
        text = (self.shipped_on.value or "").strip()
        if not text:
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"shipped date {text!r} is not a date like 2026-05-31") from None
        moment = now()
        if day == moment.astimezone(zone).date():
            return moment
        return datetime.combine(day, time(12), tzinfo=zone)

    def clear(self) -> None:
        self.tracking.value = ""
        self.carrier.value = DETECT
        self.shipped_on.value = ""
