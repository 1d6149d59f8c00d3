"""Prepaid return labels: the owner's EasyPost or Shippo account (the key is never shown
back: an empty field keeps the stored one), when a label is bought, the address parcels go
to, the parcel sizes and the preferred carrier. The service checks everything."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nicegui import ui

from shopcare.domain.return_labels import LabelsFor
from shopcare.services.errors import InputError
from shopcare.services.returns.labels.settings import get_label_settings, save_label_settings
from shopcare.ui.admin.layout import frame

if TYPE_CHECKING:
    from shopcare.app import ShopCare

PROVIDERS = {"": "None", "easypost": "EasyPost", "shippo": "Shippo"}
WHEN = {
    LabelsFor.NEVER.value: "Never",
    LabelsFor.SHOP_PAYS.value: "When the shop pays the return postage (policy and its reasons)",
    LabelsFor.REASONS.value: "For the reasons chosen below",
}
ADDRESS = (
    ("name", "Name"), ("company", "Company"), ("street1", "Street"), ("street2", "Street 2"),
    ("city", "City"), ("state", "State or region"), ("zip", "Postcode"),
    ("country", "Country (two letters)"), ("phone", "Phone"), ("email", "Email"),
)  # fmt: skip


def register_return_labels(shopcare: ShopCare) -> None:
    @ui.page("/admin/return-labels")
    def return_labels_page() -> None:
        with frame("Prepaid return labels"):
            LabelForm(shopcare)


class LabelForm:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        s = get_label_settings(shopcare.sessions)
        with ui.card().classes("w-full"):
            self.provider = ui.select(PROVIDERS, value=s.provider, label="Label account").mark(
                "labels-provider"
            )
            hint = "stored; leave empty to keep it" if s.api_key else "not set"
            self.key = ui.input(f"API key ({hint})", password=True).mark("labels-key")
            self.url = ui.input("API address (empty: the provider's)", value=s.base_url)
            self.when = ui.select(WHEN, value=s.labels_for, label="Buy a label").mark("labels-when")
            self.reasons = ui.input("Reasons (codes, comma separated)", value=", ".join(s.reasons))
            with ui.row():
                self.carrier = ui.input("Carrier (empty: cheapest)", value=s.carrier)
                self.service = ui.input("Service (empty: cheapest)", value=s.service)
        ui.label("Where returns go").classes("text-lg font-semibold")
        with ui.card().classes("w-full"), ui.grid(columns=2).classes("w-full"):
            self.address = {
                name: ui.input(label, value=getattr(s, name)).mark(f"labels-{name}")
                for name, label in ADDRESS
            }
        ui.label("Parcels").classes("text-lg font-semibold")
        with ui.card().classes("w-full"):
            length, width, height, weight = s.parcel
            self.parcel = ui.input(
                "Default parcel: length width height (cm) weight (g)",
                value=f"{length:g} {width:g} {height:g} {weight}",
            )
            self.presets = ui.textarea(
                "Per product, one a line: SKU length width height weight",
                value="\n".join(
                    " ".join(f"{v:g}" if not isinstance(v, str) else v for v in p)
                    for p in s.presets
                ),
            ).classes("w-full")
        ui.button("Save", on_click=self.save).mark("save-return-labels")

    def save(self) -> None:
        try:
            changes: dict[str, Any] = {
                "provider": self.provider.value or "",
                "base_url": (self.url.value or "").strip(),
                "labels_for": self.when.value or LabelsFor.NEVER.value,
                "reasons": [r.strip() for r in (self.reasons.value or "").split(",") if r.strip()],
                "carrier": (self.carrier.value or "").strip(),
                "service": (self.service.value or "").strip(),
                "parcel": _sizes(self.parcel.value or ""),
                "presets": [
                    (parts[0], *_sizes(" ".join(parts[1:])))
                    for line in (self.presets.value or "").splitlines()
                    if (parts := line.split())
                ],
                **{n: (f.value or "").strip() for n, f in self.address.items()},
            }
            changes["country"] = changes["country"].upper()
            key = (self.key.value or "").strip()
            save_label_settings(self.shopcare.sessions, api_key=key or None, **changes)
        except (InputError, ValueError) as exc:
            ui.notify(str(exc), type="negative")
            return
        self.key.value = ""
        ui.notify("Saved.", type="positive")


def _sizes(text: str) -> tuple[float, float, float, int]:
    parts = text.replace(",", ".").split()
    if len(parts) != 4:
        raise ValueError("a parcel is length, width, height in cm and weight in g")
    length, width, height = (float(p) for p in parts[:3])
    return length, width, height, int(float(parts[3]))
