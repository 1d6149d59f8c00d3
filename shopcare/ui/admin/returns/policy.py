"""The return policy page: the window, overrides, final sale, reasons, resolutions, fees,
postage and auto-approval. A plain form; the service checks everything and its message (an
``InputError``) is shown as it is. Amounts are in minor units (cents), as stored."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from nicegui import ui

from shopcare.domain.returns import Resolution
from shopcare.services.errors import InputError
from shopcare.services.returns.policy import (
    ReturnPolicySettings,
    get_policy_settings,
    update_policy,
)
from shopcare.ui.admin.layout import frame
from shopcare.ui.admin.returns.offer_settings import OffersForm

if TYPE_CHECKING:
    from shopcare.app import ShopCare

RESOLUTION_LABELS = {
    Resolution.REFUND: "Refund",
    Resolution.EXCHANGE: "Exchange for another variant",
    Resolution.STORE_CREDIT: "Store credit",
    Resolution.KEEP: "Keep the item (refund without a parcel)",
}
WHOLE_NUMBERS: tuple[tuple[str, str], ...] = (
    ("window_days", "Return window (days from delivery)"),
    ("max_units_per_order", "Most units per order (0: no limit)"),
    ("keep_below_minor", '"Keep it" below (cents)'),
    ("restocking_fixed_minor", "Restocking fee, fixed (cents)"),
    ("shipping_fee_minor", "Return postage the shopper pays (cents)"),
    ("auto_approve_below_minor", "Auto-approve below (cents, 0: any value)"),
)
CODE_LISTS: tuple[tuple[str, str], ...] = (
    ("fee_free_reasons", "No restocking fee for reasons (codes)"),
    ("shipping_free_reasons", "Free return postage for reasons (codes)"),
    ("auto_approve_reasons", "Auto-approve reasons (codes, empty: any)"),
)


def register_return_policy(shopcare: ShopCare) -> None:
    @ui.page("/admin/return-policy")
    def return_policy_page() -> None:
        with frame("Return policy"):
            PolicyForm(shopcare)
            OffersForm(shopcare)


class PolicyForm:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        current = get_policy_settings(shopcare.sessions)
        self.numbers: dict[str, ui.number] = {}
        with ui.card().classes("w-full"), ui.grid(columns=3).classes("w-full"):
            for name, label in WHOLE_NUMBERS:
                self.numbers[name] = ui.number(label, min=0, precision=0).mark(_marker(name))
            self.percent = ui.number("Restocking fee (%)", min=0, max=100).mark("restocking-pct")
            self.payer = ui.select(
                {"shop": "The shop", "shopper": "The shopper"}, label="Return postage paid by"
            ).mark("shipping-paid-by")
            self.auto = ui.switch("Approve matching returns at once").mark("auto-approve")
        ui.label("Overrides and final sale").classes("text-lg")
        with ui.card().classes("w-full"), ui.grid(columns=2).classes("w-full"):
            self.sku_windows = ui.textarea("Window per SKU: one 'SKU = days' a line").mark(
                "sku-windows"
            )
            self.tag_windows = ui.textarea("Window per tag: one 'tag = days' a line").mark(
                "tag-windows"
            )
            self.final_skus = ui.textarea("Final sale SKUs (comma or line separated)").mark(
                "final-skus"
            )
            self.final_tags = ui.textarea("Final sale tags").mark("final-tags")
        ui.label("Resolutions offered").classes("text-lg")
        with ui.row():
            self.resolutions = {
                r: ui.checkbox(label).mark(f"resolution-{r.value}")
                for r, label in RESOLUTION_LABELS.items()
            }
        ui.label("Reasons").classes("text-lg")
        self.reason_rows: list[dict[str, Any]] = []
        self.reasons_box = ui.column().classes("w-full")
        ui.button("Add reason", on_click=lambda: self.add_reason({})).mark("add-reason")
        with ui.card().classes("w-full"), ui.grid(columns=3).classes("w-full"):
            self.code_lists = {
                name: ui.input(label).mark(_marker(name)) for name, label in CODE_LISTS
            }
        ui.button("Save", on_click=self.save).mark("save-return-policy")
        self.show(current)

    def add_reason(self, reason: dict[str, Any]) -> None:
        n = len(self.reason_rows)
        with self.reasons_box, ui.row().classes("items-center w-full") as row:
            entry = {
                "row": row,
                "code": ui.input("Code", value=reason.get("code", "")).mark(f"reason-code-{n}"),
                "label": ui.input("Label", value=reason.get("label", ""))
                .classes("grow")
                .mark(f"reason-label-{n}"),
                "photo": ui.checkbox(
                    "Needs a photo", value=bool(reason.get("requires_photo"))
                ).mark(f"reason-photo-{n}"),
                "comment": ui.checkbox(
                    "Needs a comment", value=bool(reason.get("requires_comment"))
                ).mark(f"reason-comment-{n}"),
            }
            ui.button("Remove", on_click=lambda: self.remove_reason(entry)).props("flat").mark(
                f"reason-remove-{n}"
            )
        self.reason_rows.append(entry)

    def remove_reason(self, entry: dict[str, Any]) -> None:
        self.reason_rows.remove(entry)
        self.reasons_box.remove(entry["row"])

    def show(self, s: ReturnPolicySettings) -> None:
        for name, field in self.numbers.items():
            field.value = getattr(s, name)
        self.percent.value = s.restocking_percent
        self.payer.value = s.shipping_paid_by
        self.auto.value = s.auto_approve
        self.sku_windows.value = "\n".join(f"{k} = {v}" for k, v in s.sku_window_days.items())
        self.tag_windows.value = "\n".join(f"{k} = {v}" for k, v in s.tag_window_days.items())
        self.final_skus.value = "\n".join(s.final_sale_skus)
        self.final_tags.value = "\n".join(s.final_sale_tags)
        for resolution, box in self.resolutions.items():
            box.value = resolution.value in s.resolutions
        for name, codes in self.code_lists.items():
            codes.value = ", ".join(getattr(s, name))
        self.reasons_box.clear()
        self.reason_rows = []
        for reason in s.reasons:
            self.add_reason(reason)

    def save(self) -> None:
        try:
            saved = update_policy(self.shopcare.sessions, **self.changes())
        except InputError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        self.show(saved)
        ui.notify("Return policy saved", type="positive")

    def changes(self) -> dict[str, Any]:
        """Raises InputError for what cannot be read; the service checks the rest."""
        changes: dict[str, Any] = {}
        for name, field in self.numbers.items():
            changes[name] = _whole(field.value, str(field.props.get("label", name)))
        if self.percent.value is None:
            raise InputError("the restocking fee (%) is missing")
        changes["restocking_percent"] = float(self.percent.value)
        changes["shipping_paid_by"] = self.payer.value or ""
        changes["auto_approve"] = bool(self.auto.value)
        changes["sku_window_days"] = _windows(self.sku_windows.value, "SKU")
        changes["tag_window_days"] = _windows(self.tag_windows.value, "tag")
        changes["final_sale_skus"] = _list(self.final_skus.value)
        changes["final_sale_tags"] = _list(self.final_tags.value)
        changes["resolutions"] = [r.value for r, box in self.resolutions.items() if box.value]
        for name, codes in self.code_lists.items():
            changes[name] = _list(codes.value)
        changes["reasons"] = [
            {
                "code": (e["code"].value or "").strip(),
                "label": (e["label"].value or "").strip(),
                "requires_photo": bool(e["photo"].value),
                "requires_comment": bool(e["comment"].value),
            }
            for e in self.reason_rows
        ]
        return changes


def _marker(name: str) -> str:
    return name.removesuffix("_minor").replace("_", "-")


def _whole(value: float | None, what: str) -> int:
    if value is None:
        raise InputError(f"{what} is missing")
    if value != int(value):
        raise InputError(f"{what} must be a whole number")
    return int(value)


def _list(text: str | None) -> list[str]:
    return list(dict.fromkeys(p.strip() for p in re.split(r"[,\n]", text or "") if p.strip()))


def _windows(text: str | None, kind: str) -> dict[str, int]:
    windows = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, sep, days = line.partition("=")
        if not sep or not name.strip() or not days.strip().isdigit():
            raise InputError(f"write each {kind} window as '{kind} = days': {line.strip()!r}")
        windows[name.strip()] = int(days.strip())
    return windows
