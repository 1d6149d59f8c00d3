"""The WhatsApp channel on the Messages page: the shop's WhatsApp number and, per message
and language, the id of the template WhatsApp approved for it (Twilio's ContentSid).

WhatsApp lets a business start a conversation only with an approved template, so a
message without one is not queued for WhatsApp; nor is one to a shopper who did not agree
to WhatsApp messages. The variables the templates may use are listed beside the form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nicegui import ui

from shopcare.domain.messages import MessageKind
from shopcare.services.errors import InputError
from shopcare.services.messages.admin import (
    LOCALES,
    WHATSAPP_VARIABLES,
    save_whatsapp,
    set_whatsapp_template,
)
from shopcare.services.messages.rules import MessageRules, get_rules
from shopcare.ui.admin.layout import status_label

if TYPE_CHECKING:
    from shopcare.app import ShopCare


class WhatsAppCard:
    def __init__(self, shopcare: ShopCare, rules: MessageRules) -> None:
        self.shopcare = shopcare
        with ui.card().classes("flex-1").mark("whatsapp-card"):
            ui.label("WhatsApp (through the SMS account)").classes("text-lg font-semibold")
            ui.label(
                "Only to shoppers who agreed to WhatsApp messages, and only for messages "
                "with an approved template in the shopper's language."
            ).classes("text-sm text-gray-600")
            self.sender = (
                ui.input("WhatsApp number", value=rules.whatsapp_from, placeholder="+4915112345678")
                .classes("w-full")
                .mark("whatsapp-from")
            )
            ui.button("Save", on_click=self.save).mark("save-whatsapp")
            kinds = {kind.value: status_label(kind) for kind in MessageKind}
            with ui.row().classes("w-full items-center gap-2"):
                self.kind = ui.select(kinds, value=MessageKind.SHIPPED.value, label="Message")
                self.kind.classes("w-48").mark("whatsapp-kind")
                self.locale = ui.select(list(LOCALES), value=LOCALES[0], label="Language")
                self.locale.classes("w-24").mark("whatsapp-locale")
            self.kind.on_value_change(self.show_sid)
            self.locale.on_value_change(self.show_sid)
            self.sid = ui.input("Template id (ContentSid)", placeholder="HX…").classes("w-full")
            self.sid.mark("whatsapp-sid")
            ui.button("Save template id", on_click=self.save_sid).mark("save-whatsapp-sid")
            self.list = ui.column().classes("gap-0 text-sm").mark("whatsapp-templates")
            with ui.expansion("Variables in your templates").classes("w-full text-sm"):
                for number, (_, meaning) in WHATSAPP_VARIABLES.items():
                    ui.label(f"{{{{{number}}}}} · {meaning}")
        self.show_sid()

    def show_sid(self, _: Any = None) -> None:
        templates = get_rules(self.shopcare.sessions).whatsapp_templates
        self.sid.value = templates.get(f"{self.kind.value}:{self.locale.value}", "")
        self.list.clear()
        with self.list:
            for key, sid in sorted(templates.items()):
                ui.label(f"{key} → {sid}").classes("font-mono")

    def save(self) -> None:
        try:
            save_whatsapp(self.shopcare.sessions, from_number=self.sender.value or "")
        except InputError as exc:
            ui.notify(str(exc), type="negative")
            return
        ui.notify("WhatsApp number saved", type="positive")

    def save_sid(self) -> None:
        try:
            set_whatsapp_template(
                self.shopcare.sessions,
                MessageKind(self.kind.value),
                self.locale.value,
                self.sid.value or "",
            )
        except InputError as exc:
            ui.notify(str(exc), type="negative")
            return
        self.show_sid()
        ui.notify("WhatsApp template id saved", type="positive")
