"""Offers: the banners and product recommendations on the shopper's pages, in the order
they compete in (the first that matches an order wins), with their views, clicks and
click-through rate; create, edit, move up or down, delete.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.domain.money import format_money
from shopcare.domain.segments import Segment
from shopcare.services.offers.admin import (
    OfferRow,
    delete_offer,
    get_offer,
    list_offers,
    move_offer,
)
from shopcare.ui.admin.layout import frame, when
from shopcare.ui.admin.settings.offer_form import OfferForm
from shopcare.ui.admin.theme import NEUTRAL_BADGE

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def register_offers(shopcare: ShopCare) -> None:
    @ui.page("/admin/offers")
    def offers_page() -> None:
        with frame("Offers"):
            ui.label(
                "Shown on the tracking and thank-you pages; the first switched-on offer whose "
                "rules match the order wins."
            ).classes("text-gray-600")
            ui.link("New offer", "/admin/offers/new").mark("new-offer")
            OfferList(shopcare)

    # before the edit page: "new" would match "{offer_id}"
    @ui.page("/admin/offers/new")
    def new_offer_page() -> None:
        with frame("New offer"):
            OfferForm(shopcare, offer_id=None, current=None)

    @ui.page("/admin/offers/{offer_id}")
    def edit_offer_page(offer_id: int) -> None:
        row = get_offer(shopcare.sessions, offer_id)
        with frame("Edit offer"):
            if row is None:
                ui.label("This offer no longer exists.")
                ui.link("All offers", "/admin/offers")
                return
            OfferForm(shopcare, offer_id=row.id, current=row.offer)


class OfferList:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        self.show = ui.refreshable(self._show)
        self.show()

    def _show(self) -> None:
        rows = list_offers(self.shopcare.sessions)
        if not rows:
            ui.label("No offers yet.").mark("no-offers")
            return
        now = self.shopcare.clock()
        for index, row in enumerate(rows):
            self._row(row, first=index == 0, last=index == len(rows) - 1, live=row.live(now))

    def _row(self, row: OfferRow, *, first: bool, last: bool, live: bool) -> None:
        offer = row.offer
        marker = f"offer-{row.id}"
        with ui.card().classes("w-full").mark(marker), ui.row().classes("w-full items-center"):
            with ui.column().classes("gap-0 grow"):
                with ui.row().classes("items-center gap-2"):
                    ui.label(offer.name).classes("text-lg font-semibold")
                    ui.badge(offer.kind, color=NEUTRAL_BADGE)
                    state = "live" if live else "paused" if not offer.active else "not now"
                    ui.badge(state, color="positive" if live else NEUTRAL_BADGE).mark(
                        f"{marker}-state"
                    )
                ui.label(offer.title).classes("text-gray-700")
                ui.label("For: " + "; ".join(describe(offer.segment))).classes("text-sm")
                ui.label(
                    f"From {when(offer.starts_at)} until {when(offer.ends_at)} · {offer.link_url}"
                ).classes("text-sm text-gray-600")
            ui.label(_figures(row)).classes("text-sm font-mono").mark(f"{marker}-figures")
            with ui.row().classes("gap-1"):
                up = ui.button(icon="arrow_upward", on_click=lambda: self.move(row.id, -1))
                up.props("flat dense").mark(f"{marker}-up").set_enabled(not first)
                down = ui.button(icon="arrow_downward", on_click=lambda: self.move(row.id, 1))
                down.props("flat dense").mark(f"{marker}-down").set_enabled(not last)
                ui.link("Edit", f"/admin/offers/{row.id}").mark(f"{marker}-edit")
                ui.button("Delete", on_click=lambda: self.confirm_delete(row)).props(
                    "flat color=negative"
                ).mark(f"{marker}-delete")

    def move(self, offer_id: int, step: int) -> None:
        move_offer(self.shopcare.sessions, offer_id, step=step)
        self.show.refresh()

    def confirm_delete(self, row: OfferRow) -> None:
        with ui.dialog() as dialog, ui.card():
            ui.label(f"Delete “{row.offer.name}”? Its views and clicks stay in the figures.")
            with ui.row():
                ui.button("Delete", on_click=lambda: self.delete(row.id, dialog)).props(
                    "color=negative"
                ).mark("confirm-delete")
                ui.button("Keep", on_click=dialog.close).props("flat")
        dialog.open()

    def delete(self, offer_id: int, dialog: ui.dialog) -> None:
        delete_offer(self.shopcare.sessions, offer_id)
        dialog.close()
        ui.notify("Offer deleted")
        self.show.refresh()


def _figures(row: OfferRow) -> str:
    ctr = "—" if row.ctr is None else f"{row.ctr:.1%}"
    return f"{row.views} views · {row.clicks} clicks · CTR {ctr}"


def describe(segment: Segment) -> list[str]:
    """Short English phrases for the admin list ("SKU MUG", "repeat customers")."""
    parts = []
    if segment.skus:
        parts.append("SKU " + ", ".join(sorted(segment.skus)))
    if segment.tags:
        parts.append("tag " + ", ".join(sorted(segment.tags)))
    if segment.total_min is not None:
        parts.append(f"total ≥ {format_money(segment.total_min, segment.currency)}")
    if segment.total_max is not None:
        parts.append(f"total ≤ {format_money(segment.total_max, segment.currency)}")
    if segment.currency and segment.total_min is None and segment.total_max is None:
        parts.append(f"paid in {segment.currency}")
    if segment.countries:
        parts.append("to " + ", ".join(sorted(segment.countries)))
    if segment.statuses:
        parts.append("status " + ", ".join(sorted(segment.statuses)))
    if segment.customer:
        parts.append(f"{segment.customer.value} customers")
    return parts or ["everyone"]
