"""The form for one offer: what the shopper sees, where the button leads, when it shows,
and who it is for, as plain controls (the owner never types JSON).

Lists are typed comma-separated; amounts as the shop writes them ("25.00"); times in the
shop's own zone. The service checks everything else and its message is shown as it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from nicegui import ui

from shopcare.domain.money import format_money, parse_money
from shopcare.domain.segments import CustomerKind, Segment, SegmentError, segment_from_rules
from shopcare.domain.status import ShipmentStatus
from shopcare.services.errors import InputError
from shopcare.services.offers.admin import KINDS, OfferIn, create_offer, update_offer
from shopcare.services.shop.profile import get_profile
from shopcare.ui.admin.layout import status_label

if TYPE_CHECKING:
    from shopcare.app import ShopCare

TIME_FORMAT = "%Y-%m-%d %H:%M"
ANYONE = ""
CUSTOMERS = {
    ANYONE: "Anyone",
    CustomerKind.FIRST.value: "First order",
    CustomerKind.REPEAT.value: "Repeat customer",
}


class OfferForm:
    def __init__(
        self, shopcare: ShopCare, *, offer_id: int | None, current: OfferIn | None
    ) -> None:
        self.shopcare = shopcare
        self.offer_id = offer_id
        self.zone: ZoneInfo = get_profile(shopcare.sessions).zone
        data = current or OfferIn(name="", link_url="https://")
        segment = data.segment
        self.fields: dict[str, Any] = {}
        with ui.card().classes("w-full"):
            ui.label("What the shopper sees").classes("text-lg")
            with ui.grid(columns=2).classes("w-full"):
                self._text("name", "Name (only you see it)", data.name)
                kind = ui.select(list(KINDS), value=data.kind, label="Kind").mark("offer-kind")
                self.fields["kind"] = kind
                self._text("title", "Title", data.title)
                self._text("button", "Button text (empty: a default word)", data.button)
                self._text("link_url", "Link (https://…)", data.link_url)
                self._text("image_url", "Image address (https://…, optional)", data.image_url)
            body = ui.textarea("Text (a banner) or price (a product)", value=data.body)
            self.fields["body"] = body.classes("w-full").mark("offer-body")
        with ui.card().classes("w-full"):
            ui.label("When").classes("text-lg")
            with ui.row().classes("w-full items-center gap-4"):
                switch = ui.switch("Switched on", value=data.active).mark("offer-active")
                self.fields["active"] = switch
                self._text("starts_at", f"Starts ({TIME_FORMAT}, shop time)", _when(data.starts_at))
                self._text("ends_at", f"Ends (not included), {TIME_FORMAT}", _when(data.ends_at))
        with ui.card().classes("w-full"):
            ui.label("Who sees it: every filled rule must hold").classes("text-lg")
            with ui.grid(columns=3).classes("w-full"):
                self._text("skus", "SKUs (any of)", ", ".join(sorted(segment.skus)))
                self._text("tags", "Product tags (any of)", ", ".join(sorted(segment.tags)))
                self._text("countries", "Ship to (DE, FR …)", ", ".join(sorted(segment.countries)))
                self._text("total_min", "Order total at least", _amount(segment, "total_min"))
                self._text("total_max", "Order total at most", _amount(segment, "total_max"))
                self._text("currency", "Currency", segment.currency or "EUR")
                statuses = ui.select(
                    {s.value: status_label(s) for s in ShipmentStatus},
                    value=sorted(segment.statuses),
                    label="Parcel status (any of)",
                    multiple=True,
                ).mark("offer-statuses")
                self.fields["statuses"] = statuses
                customer = ui.select(
                    CUSTOMERS,
                    value=segment.customer.value if segment.customer else ANYONE,
                    label="Customer",
                ).mark("offer-customer")
                self.fields["customer"] = customer
        ui.button("Save offer", on_click=self.save).mark("save-offer")

    def _text(self, name: str, label: str, value: str) -> None:
        self.fields[name] = ui.input(label, value=value).mark(f"offer-{name.replace('_', '-')}")

    def value(self, name: str) -> str:
        return str(self.fields[name].value or "").strip()

    def save(self) -> None:
        try:
            data = self.read()
            if self.offer_id is None:
                self.offer_id = create_offer(
                    self.shopcare.sessions, data, now=self.shopcare.clock()
                )
            else:
                update_offer(self.shopcare.sessions, self.offer_id, data)
        except InputError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        ui.notify("Offer saved", type="positive")
        ui.navigate.to("/admin/offers")

    def read(self) -> OfferIn:
        """The form as the service takes it; raises InputError for what only the form can
        get wrong (an amount or a time it cannot read)."""
        return OfferIn(
            name=self.value("name"),
            kind=self.value("kind"),
            title=self.value("title"),
            body=self.value("body"),
            image_url=self.value("image_url"),
            link_url=self.value("link_url"),
            button=self.value("button"),
            segment=self.segment(),
            active=bool(self.fields["active"].value),
            starts_at=self.moment("starts_at", "start"),
            ends_at=self.moment("ends_at", "end"),
        )

    def segment(self) -> Segment:
        currency = self.value("currency").upper()
        has_total = self.value("total_min") or self.value("total_max")
        rules = {
            "skus": _words(self.value("skus")),
            "tags": _words(self.value("tags")),
            "countries": _words(self.value("countries")),
            "total_min": self.money("total_min", currency),
            "total_max": self.money("total_max", currency),
            "currency": currency if has_total else "",
            "statuses": list(self.fields["statuses"].value or []),
            "customer": self.value("customer"),
        }
        try:
            return segment_from_rules(rules)
        except SegmentError as exc:
            raise InputError(str(exc).replace("_", " ")) from None

    def money(self, name: str, currency: str) -> int | None:
        text = self.value(name)
        if not text:
            return None
        try:
            return parse_money(text, currency or "EUR")
        except ValueError as exc:
            raise InputError(f"{name.replace('_', ' ')}: {exc}") from None

    def moment(self, name: str, what: str) -> datetime | None:
        text = self.value(name)
        if not text:
            return None
        try:
            return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=self.zone)
        except ValueError:
            raise InputError(f"the {what} must look like 2026-12-01 08:00") from None


def _words(text: str) -> list[str]:
    return [w.strip() for w in text.replace(";", ",").split(",") if w.strip()]


def _when(moment: datetime | None) -> str:
    return moment.strftime(TIME_FORMAT) if moment else ""


def _amount(segment: Segment, name: str) -> str:
    minor = getattr(segment, name)
    if minor is None:
        return ""
    return format_money(minor, segment.currency).rsplit(" ", 1)[0].replace(",", "")
