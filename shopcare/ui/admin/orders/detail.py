"""One order as the owner needs it when a shopper writes in: items, every parcel with its
scans, estimate and polling state, the messages ShopCare sent, returns, and the shopper's
own link.

All of it is re-read by a timer, so a parcel's new scan shows up while the page is open;
the forms on the page (add a parcel, edit or cancel the order, change a parcel's carrier)
live in dialogs outside it. A parcel no carrier account can follow yet says so, and one
the owner cancelled or an order no email can reach carries a banner.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from nicegui import ui
from starlette.requests import Request

from shopcare.domain.text import isolate
from shopcare.services.messages.outbox import FAILED, SENT, SKIPPED, resend
from shopcare.services.orders.facts import OrderFacts, order_facts
from shopcare.services.orders.timeline import order_timeline
from shopcare.services.orders.views import OrderView, ShipmentView, order_view_by_id
from shopcare.services.tracking.provider_views import carrier_choices
from shopcare.services.tracking.waiting_parcels import NO_ACCOUNT
from shopcare.ui.admin.access.gate import signed_in
from shopcare.ui.admin.detail_page import record_frame, redrawn
from shopcare.ui.admin.layout import status_label, when
from shopcare.ui.admin.orders.edit import OrderDialogs, order_banners
from shopcare.ui.admin.orders.shipment_actions import ShipmentActions
from shopcare.ui.admin.orders.timeline import NoteDialog, timeline
from shopcare.ui.admin.returns.actions import ReturnActions

if TYPE_CHECKING:
    from shopcare.app import ShopCare

ESTIMATE_SOURCES = {
    "carrier": "the carrier's estimate",
    "history": "from this carrier's past deliveries",
    "rule": "the shop's own rule",
}
STALL_WORDS = {
    "no_scan_after_label": "no scan since the label",
    "no_movement": "no movement",
    "estimate_passed": "estimate passed",
}
CHANNEL_LABELS = {"email": "Email", "sms": "SMS", "webhook": "Webhook"}
MESSAGE_COLUMNS = "auto auto auto auto minmax(10rem, 2fr) auto minmax(8rem, 1fr) auto"
RESENDABLE = frozenset({SENT, FAILED, SKIPPED})


def register_order_detail(shopcare: ShopCare) -> None:
    @ui.page("/admin/orders/{order_id}")
    def order_page(order_id: str, request: Request) -> None:
        with record_frame(
            order_id,
            lambda number: order_view_by_id(shopcare.sessions, number),
            what="order",
            title=lambda view: f"Order {view.order_number}",
            back=("Back to the orders", "/admin/orders"),
        ) as found:
            if found is None:
                return
            number, view = found

            def detail() -> None:
                fresh = order_view_by_id(shopcare.sessions, number)
                facts = order_facts(shopcare.sessions, number)
                if fresh is None or facts is None:
                    ui.label("This order has just been removed.")
                    return
                order_banners(facts)
                order_dialogs.buttons(fresh, facts)
                _summary(fresh, facts, public_url=shopcare.public_url)
                timeline(
                    order_timeline(shopcare.sessions, number, zone=fresh.shop.zone),
                    add_note=notes.open,
                )
                _order(
                    fresh,
                    facts,
                    actions=actions,
                    resend=resend_message,
                    return_actions=return_actions,
                )

            def resend_message(message_id: int) -> None:
                resend(shopcare.sessions, message_id, now=shopcare.clock())
                ui.notify("Queued to be sent again", type="positive")
                redraw()

            actions = ShipmentActions(shopcare, order_id=number, on_change=lambda: redraw())
            return_actions = ReturnActions(
                shopcare, currency=view.currency, on_change=lambda: redraw()
            )
            order_dialogs = OrderDialogs(
                shopcare, order_id=number, currency=view.currency, on_change=lambda: redraw()
            )
            live = signed_in(request)
            notes = NoteDialog(
                shopcare,
                order_id=number,
                author_id=live.user_id if live else None,
                on_change=lambda: redraw(),
            )
            redraw = redrawn(detail)


def _summary(view: OrderView, facts: OrderFacts, *, public_url: str) -> None:
    """Who ordered, where it goes, and the shopper's own link: what a shopper's call needs."""
    with ui.card().classes("w-full"):
        who = (isolate(view.customer_name), isolate(view.email) or "no email", facts.phone)
        ui.label(" · ".join(p for p in who if p)).mark("order-customer")  # the shopper's
        # words isolated: a right-to-left name (or a stored override) cannot reorder the rest
        ui.label(f"Placed {when(view.placed_at)} · total {view.total}")
        if facts.address:
            ui.label("Shipping address").classes("font-semibold mt-1")
            with ui.column().classes("gap-0").mark("order-address"):
                for line in facts.address:
                    ui.label(isolate(line))
        with ui.row().classes("items-center gap-2"):
            ui.label("Shopper's tracking page:")
            ui.link(f"{public_url}/t/{view.token}", f"/t/{view.token}", new_tab=True)
        ui.link("Packing slip (PDF)", f"/admin/orders/{view.id}/packing-slip.pdf", new_tab=True)


def _order(
    view: OrderView,
    facts: OrderFacts,
    *,
    actions: ShipmentActions,
    resend: Callable[[int], object],
    return_actions: ReturnActions,
) -> None:
    """Items, parcels, messages and returns, each with its own actions."""
    _section("Items")
    ui.table(
        columns=[
            {"name": "title", "label": "Item", "field": "title", "align": "left"},
            {"name": "sku", "label": "SKU", "field": "sku", "align": "left"},
            {"name": "quantity", "label": "Quantity", "field": "quantity"},
            {"name": "price", "label": "Price", "field": "price"},
        ],
        rows=[vars(line) for line in view.lines],
        row_key="id",
    ).classes("w-full")
    _section("Shipments")
    if not view.shipments:
        ui.label("Not shipped yet.")
    for shipment in view.shipments:
        _shipment(shipment, actions, packed=facts.packed.get(shipment.id, []))
    _section("Messages")
    _messages(view, resend=resend)
    _section("Returns")
    if not view.returns:
        ui.label("No returns.")
    for ret in view.returns:
        with ui.card().classes("w-full"):
            ui.label(f"{ret.rma} · {status_label(ret.status)} · {when(ret.created_at)}")
            if ret.reason:
                ui.label(f"Reason: {ret.reason}")
            for title, quantity in ret.lines:
                ui.label(f"{quantity} × {title}")
            if ret.owner_note:
                ui.label(f"Your note: {ret.owner_note}").classes("text-sm text-gray-600")
            return_actions.buttons(ret)


def _shipment(
    shipment: ShipmentView, actions: ShipmentActions, *, packed: list[tuple[int, str]]
) -> None:
    if not shipment.carrier:
        _waiting_shipment(shipment, actions, packed=packed)
        return
    with ui.card().classes("w-full").mark(f"shipment-{shipment.id}"):
        with ui.row().classes("w-full items-center gap-2"):
            ui.label(
                f"{shipment.carrier_label} {shipment.tracking_number} · "
                f"{status_label(shipment.status)}"
            ).classes("font-medium")
            if shipment.delayed:
                words = STALL_WORDS.get(shipment.stall_reason, status_label(shipment.stall_reason))
                ui.badge(f"Delayed ({words.lower()})", color="negative").mark(
                    f"delayed-{shipment.id}"
                )
            ui.space()
            actions.buttons(shipment)
        if shipment.carrier_code or shipment.carrier_pinned:
            via = f"via {shipment.carrier_label}"
            via += f" as {shipment.carrier_code}" if shipment.carrier_code else ""
            via += " · chosen by you" if shipment.carrier_pinned else ""
            ui.label(via).classes("text-sm").mark(f"via-{shipment.id}")
        _packed(packed)
        if shipment.estimated_delivery:
            ui.label(_estimate(shipment)).mark(f"estimate-{shipment.id}")
        ui.label(
            f"Last poll {when(shipment.last_polled_at)} · next poll {when(shipment.next_poll_at)}"
        ).classes("text-sm text-gray-600")
        if shipment.last_error and shipment.poll_failures:
            ui.label(f"Last error: {shipment.last_error}").classes("text-negative")
        elif shipment.last_error:  # the carrier answered, with something worth knowing
            ui.label(f"Carrier note: {shipment.last_error}").classes("text-warning").mark(
                f"carrier-note-{shipment.id}"
            )
        if not shipment.events:
            ui.label("No scans from the carrier yet.")
            return
        with ui.timeline(side="right").classes("w-full"):
            for event in reversed(shipment.events):
                ui.timeline_entry(
                    event.description,
                    title=status_label(event.status),
                    subtitle=" · ".join(filter(None, (when(event.at), event.location))),
                )


def _waiting_shipment(
    shipment: ShipmentView, actions: ShipmentActions, *, packed: list[tuple[int, str]]
) -> None:
    """Kept, not followed: no configured account can follow it until one is set up (or the
    owner picks a carrier here)."""
    with ui.card().classes("w-full").mark(f"shipment-{shipment.id}"):
        with ui.row().classes("w-full items-center gap-2"):
            ui.label(shipment.tracking_number).classes("font-medium")
            ui.badge(
                NO_ACCOUNT[:1].upper() + NO_ACCOUNT[1:], color="warning", text_color="dark"
            ).mark(f"waiting-{shipment.id}")
            ui.space()
            ui.button(
                "Choose carrier", icon="local_shipping", on_click=lambda: actions.open(shipment)
            ).props("flat dense").mark(f"change-carrier-{shipment.id}")
        code = shipment.carrier_code
        looks = f" The number looks like {carrier_choices([code])[code]}'s." if code else ""
        ui.label(
            "It is followed as soon as an account that can follow it is set up under "
            f"Carriers, or you choose a carrier.{looks}"
        ).classes("text-sm text-gray-600")
        _packed(packed)


def _packed(packed: list[tuple[int, str]]) -> None:
    if packed:
        contents = ", ".join(f"{quantity} × {title}" for quantity, title in packed)
        ui.label(f"Contains {contents}").classes("text-sm")


def _estimate(shipment: ShipmentView) -> str:
    """The stored moment is the end of the estimate's last day: show that day."""
    assert shipment.estimated_delivery is not None
    day = (shipment.estimated_delivery - timedelta(seconds=1)).date()
    source = ESTIMATE_SOURCES.get(shipment.estimate_source, shipment.estimate_source)
    return f"Expected by {day:%a %d %b %Y}" + (f" ({source})" if source else "")


def _messages(view: OrderView, *, resend: Callable[[int], object]) -> None:
    """One grid row per message; sent, failed and skipped ones can be sent again."""
    if not view.messages:
        ui.label("No messages.")
        return
    with (
        ui.card().classes("w-full"),
        ui.grid(columns=MESSAGE_COLUMNS).classes("w-full items-center"),
    ):
        for heading in ("Message", "Channel", "Status", "Attempts", "Subject", "Sent", "Why"):
            ui.label(heading).classes("font-semibold")
        ui.label("")
        for m in view.messages:
            ui.label(status_label(m.kind))
            ui.label(CHANNEL_LABELS.get(m.channel, m.channel))
            ui.label(status_label(m.status)).mark(f"message-status-{m.id}")
            ui.label(str(m.attempts))
            ui.label(m.subject or "—")
            ui.label(when(m.sent_at.astimezone(view.shop.zone) if m.sent_at else None))
            ui.label(m.last_error or "—").classes(
                "text-negative" if m.status == FAILED else ""
            ).mark(f"message-why-{m.id}")
            if m.status in RESENDABLE and m.id is not None:
                ui.button("Resend", on_click=lambda i=m.id: resend(i)).props("flat dense").mark(
                    f"resend-{m.id}"
                )
            else:
                ui.label("")


def _section(title: str) -> None:
    ui.label(title).classes("text-lg font-semibold mt-2")
