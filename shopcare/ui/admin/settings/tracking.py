"""Tracking settings: how often each status is polled, when a parcel counts as delayed or
lost, the days carriers rest, and the shop's own delivery estimate.

A plain form, not re-read by a timer; the service checks every value and its message
(an ``InputError``) is shown as it is.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from nicegui import ui

from shopcare.domain.polling import MORNING_FROM, MORNING_TO, NEAR_EVERY, NIGHT_FROM
from shopcare.domain.status import ShipmentStatus
from shopcare.services.errors import InputError
from shopcare.services.tracking.settings import (
    TrackingSettings,
    get_tracking_settings,
    update_tracking_settings,
)
from shopcare.ui.admin.layout import frame, status_label

if TYPE_CHECKING:
    from shopcare.app import ShopCare

WHOLE_DAYS: tuple[tuple[str, str, str], ...] = (
    ("expire_days", "Stop following after (days)", "A parcel without a final status by then"),
    ("stall_label_days", "Label without a scan (business days)", "Then it counts as delayed"),
    ("stall_transit_days", "In transit without a scan (business days)", "Then it is delayed"),
    ("processing_days", "Days to hand parcels over", "From the order to the carrier"),
    ("transit_days_min", "Fastest transit (days)", "The shop's own estimate"),
    ("transit_days_max", "Slowest transit (days)", "The shop's own estimate"),
    ("provider_concurrency", "Calls at once per provider", "Lower it if a provider complains"),
)

NEAR_DELIVERY = (
    "In transit, these hours hold while delivery is far. From the business day before the "
    "estimated delivery (and after it, while the parcel still moves), a parcel in transit is "
    f"asked every {NEAR_EVERY.seconds // 60} minutes between {MORNING_FROM:%H:%M} and "
    f'{MORNING_TO:%H:%M}, when vans are loaded and "out for delivery" scans appear. No '
    f"parcel in transit is asked between {NIGHT_FROM:%H:%M} and {MORNING_FROM:%H:%M}: that "
    "question waits for the morning. Times are in the shop's time zone."
)


def register_tracking_settings(shopcare: ShopCare) -> None:
    @ui.page("/admin/tracking")
    def tracking_page() -> None:
        with frame("Tracking"):
            TrackingForm(shopcare)


class TrackingForm:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        current = get_tracking_settings(shopcare.sessions)
        ui.label("Polling: hours between two questions to the carrier").classes("text-lg")
        self.cadence: dict[str, ui.number] = {}
        with ui.card().classes("w-full"), ui.grid(columns=4).classes("w-full"):
            for status in ShipmentStatus:
                if status.value in current.cadence_hours:
                    self.cadence[status.value] = ui.number(
                        status_label(status), min=0, max=168, step=0.5
                    ).mark(f"cadence-{status.value}")
        ui.label(NEAR_DELIVERY).classes("text-sm text-gray-600").mark("cadence-near")
        ui.label("Delays, expiry and the shop's estimate").classes("text-lg")
        self.days: dict[str, ui.number] = {}
        with ui.card().classes("w-full"), ui.grid(columns=3).classes("w-full"):
            for name, label, hint in WHOLE_DAYS:
                field = ui.number(label, min=0, precision=0).mark(name.replace("_", "-"))
                field.props["hint"] = hint
                self.days[name] = field
        ui.label("Holidays").classes("text-lg")
        self.holidays = (
            ui.textarea(
                "Days carriers do not deliver, one date a line",
                placeholder="2026-12-25",
            )
            .classes("w-full max-w-sm")
            .mark("holidays")
        )
        ui.button("Save", on_click=self.save).mark("save-tracking")
        self.show(current)

    def show(self, settings: TrackingSettings) -> None:
        for status, field in self.cadence.items():
            field.value = settings.cadence_hours[status]
        for name, field in self.days.items():
            field.value = getattr(settings, name)
        self.holidays.value = "\n".join(settings.holidays)

    def save(self) -> None:
        try:
            saved = update_tracking_settings(self.shopcare.sessions, **self.changes())
        except InputError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        self.show(saved)
        ui.notify("Tracking settings saved", type="positive")

    def changes(self) -> dict[str, Any]:
        """Raises InputError for an empty field; the service checks the ranges."""
        changes: dict[str, Any] = {
            "cadence_hours": {
                status: _number(field, f"polling for {status_label(status).lower()}")
                for status, field in self.cadence.items()
            },
            "holidays": sorted(set(re.split(r"[\s,;]+", self.holidays.value or "")) - {""}),
        }
        for name, field in self.days.items():
            value = _number(field, str(field.props.get("label", name)).lower())
            if value != int(value):
                raise InputError(f"{name.replace('_', ' ')} must be a whole number")
            changes[name] = int(value)
        return changes


def _number(field: ui.number, what: str) -> float:
    if field.value is None:
        raise InputError(f"{what} is missing")
    return float(field.value)
