"""Messages: which shopper messages go out, after how long, on which channels; the
reminders' days per product tag; when "shipped" is sent; the hourly cap and quiet hours;
the SMS and webhook accounts.

Each message is saved on its own row; the other forms save as a whole. Every value is
checked by the service and its message (an ``InputError``) is shown as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.domain.messages import AFTER_DELIVERY, MessageKind, ShippedOn
from shopcare.domain.reminders import REMINDER_KINDS, format_tag_table, parse_tag_table
from shopcare.services.errors import InputError
from shopcare.services.messages.admin import CHANNELS, missing_channels
from shopcare.services.messages.rules import (
    KindRule,
    MessageRules,
    get_rules,
    set_kind_rule,
    set_reminder_tags,
    update_rules,
)
from shopcare.ui.admin.layout import frame, status_label
from shopcare.ui.admin.messages.channels import SmsCard, WebhookCard
from shopcare.ui.admin.messages.whatsapp import WhatsAppCard

if TYPE_CHECKING:
    from shopcare.app import ShopCare

MINUTES_PER_DAY = 24 * 60
CHANNEL_LABELS = {"email": "Email", "sms": "SMS", "webhook": "Webhook", "whatsapp": "WhatsApp"}
COLUMNS = "minmax(12rem, 1fr) auto 11rem " + "auto " * len(CHANNEL_LABELS) + "auto"
SHIPPED_ON = {
    ShippedOn.LABEL.value: "label created",
    ShippedOn.FIRST_SCAN.value: "first carrier scan",
}


def register_messages(shopcare: ShopCare) -> None:
    @ui.page("/admin/messages")
    def messages_page() -> None:
        with frame("Messages"):
            rules = get_rules(shopcare.sessions)
            with ui.row().classes("items-center gap-4"):
                ui.label("Which messages shoppers get, and how.").classes("text-gray-600")
                ui.link("Edit the texts", "/admin/messages/templates").mark("edit-templates")
                ui.link("Shop details in emails", "/admin/shop")
            with (
                ui.card().classes("w-full"),
                ui.grid(columns=COLUMNS).classes("w-full items-center"),
            ):
                for heading in ("Message", "On", "Delay", *CHANNEL_LABELS.values(), ""):
                    ui.label(heading).classes("font-semibold")
                for kind in MessageKind:
                    KindRow(shopcare, kind, rules.rule(kind))
            ui.label("Reminders per product").classes("text-lg")
            ReminderTagsForm(shopcare, rules)
            ui.label("Sending").classes("text-lg")
            SendingForm(shopcare, rules)
            ui.label("Channels").classes("text-lg")
            with ui.row().classes("w-full no-wrap items-start gap-4"):
                SmsCard(shopcare)
                WhatsAppCard(shopcare, rules)
                WebhookCard(shopcare, rules)


class KindRow:
    """One message's switch, delay and channels: one row of the rules grid."""

    def __init__(self, shopcare: ShopCare, kind: MessageKind, rule: KindRule) -> None:
        self.shopcare, self.kind = shopcare, kind
        self.in_days = kind in AFTER_DELIVERY
        ui.label(status_label(kind))
        self.enabled = ui.switch(value=rule.enabled).mark(f"{kind}-enabled")
        self.enabled.props["aria-label"] = f"Send {status_label(kind).lower()}"
        delay = rule.delay_minutes / MINUTES_PER_DAY if self.in_days else rule.delay_minutes
        self.delay = (
            ui.number(
                "Days after delivery" if self.in_days else "Minutes later",
                value=delay,
                min=0,
                precision=1 if self.in_days else 0,
            )
            .props("dense")
            .mark(f"{kind}-delay")
        )
        self.channels = {
            channel: ui.checkbox(value=channel in rule.channels).mark(f"{kind}-{channel}")
            for channel in CHANNELS
        }
        for channel, box in self.channels.items():  # the grid's header names the column
            box.props["aria-label"] = f"{status_label(kind)} by {channel}"
        ui.button("Save", on_click=self.save).props("flat dense").mark(f"{kind}-save")

    def save(self) -> None:
        label = status_label(self.kind)
        channels = [channel for channel, box in self.channels.items() if box.value]
        try:
            if self.delay.value is None:
                raise InputError(f"the delay of {label.lower()} is missing")
            if self.enabled.value and not channels:
                raise InputError(f"{label} needs at least one channel")
            minutes = self.delay.value * (MINUTES_PER_DAY if self.in_days else 1)
            saved = set_kind_rule(
                self.shopcare.sessions,
                self.kind,
                enabled=bool(self.enabled.value),
                delay_minutes=round(minutes),
                channels=channels,
            )
        except InputError as exc:
            ui.notify(str(exc), type="negative")
            return
        ui.notify(f"{label} saved", type="positive")
        if self.enabled.value and (unready := missing_channels(saved, channels)):
            names = " and ".join(CHANNEL_LABELS[channel] for channel in unready)
            ui.notify(f"{names} is not set up yet (see Channels): those fail", type="warning")


class ReminderTagsForm:
    """Days after delivery per product tag, for each reminder: beans tagged "consumable"
    are reordered after 30 days, a mug never runs out."""

    def __init__(self, shopcare: ShopCare, rules: MessageRules) -> None:
        self.shopcare = shopcare
        self.tables: dict[MessageKind, ui.textarea] = {}
        with ui.card().classes("w-full"):
            ui.label(
                "One product tag a line with its days after delivery, like consumable = 30. "
                "Products without one of these tags wait the delay above. Nobody is reminded "
                "of an item they returned, or after scoring the order 0 to 6."
            ).classes("text-sm text-gray-600")
            with ui.row().classes("w-full no-wrap gap-4"):
                for kind in REMINDER_KINDS:
                    table = rules.reminder_tags.get(kind.value, {})
                    self.tables[kind] = (
                        ui.textarea(status_label(kind), value=format_tag_table(table))
                        .props("autogrow outlined")
                        .classes("w-64")
                        .mark(f"{kind}-tags")
                    )
            ui.button("Save", on_click=self.save).mark("save-reminder-tags")

    def save(self) -> None:
        try:
            for kind, field in self.tables.items():
                try:
                    table = parse_tag_table(field.value or "")
                except ValueError as exc:
                    raise InputError(f"{status_label(kind)}: {exc}") from None
                set_reminder_tags(self.shopcare.sessions, kind, table)
        except InputError as exc:
            ui.notify(str(exc), type="negative")
            return
        ui.notify("Reminder delays saved", type="positive")


class SendingForm:
    def __init__(self, shopcare: ShopCare, rules: MessageRules) -> None:
        self.shopcare = shopcare
        with ui.card().classes("w-full"):
            with ui.row().classes("items-center gap-2"):
                ui.label('"Shipped" goes out on:')
                self.shipped_on = ui.radio(SHIPPED_ON, value=rules.shipped_on).props("inline")
                self.shipped_on.mark("shipped-on")
            self.cap = (
                ui.number("Emails per hour at most", value=rules.hourly_cap, min=0, precision=0)
                .classes("w-64")
                .mark("hourly-cap")
            )
            self.cap.props["hint"] = "Your mail provider's limit; 0 means no cap"
            quiet = rules.quiet_start is not None
            with ui.row().classes("items-center gap-4"):
                self.quiet = ui.switch("Quiet hours", value=quiet).mark("quiet-hours")
                self.quiet_start = ui.number("From hour", value=rules.quiet_start, precision=0)
                self.quiet_end = ui.number("Until hour", value=rules.quiet_end, precision=0)
                for field, marker in (
                    (self.quiet_start, "quiet-start"),
                    (self.quiet_end, "quiet-end"),
                ):
                    field.bind_enabled_from(self.quiet, "value").mark(marker)
            ui.label(
                "In quiet hours (the shop's time zone) optional messages wait; order and "
                "return news go out at once."
            ).classes("text-sm text-gray-600")
            ui.button("Save", on_click=self.save).mark("save-sending")

    def save(self) -> None:
        try:
            if self.cap.value is None:
                raise InputError("the hourly cap is missing")
            start, end = (
                (_hour(self.quiet_start.value), _hour(self.quiet_end.value))
                if self.quiet.value
                else (None, None)
            )
            if self.quiet.value and None in (start, end):
                raise InputError("quiet hours need both a start and an end")
            update_rules(
                self.shopcare.sessions,
                shipped_on=self.shipped_on.value,
                hourly_cap=int(self.cap.value),
                quiet_start=start,
                quiet_end=end,
            )
        except InputError as exc:
            ui.notify(str(exc), type="negative")
            return
        ui.notify("Sending settings saved", type="positive")


def _hour(value: float | None) -> int | None:
    if value is None:
        return None
    if value != int(value):
        raise InputError("quiet hours are whole hours from 0 to 23")
    return int(value)
