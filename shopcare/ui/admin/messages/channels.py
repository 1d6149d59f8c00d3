"""The two channels besides email on the Messages page: an SMS account (Twilio or a
compatible API) and the owner's own webhook.

The SMS token comes back masked, as carrier secrets do. The webhook secret is shown only
between "Generate" and "Save", for the owner to paste into whatever receives the webhook;
afterwards the field is empty with a placeholder, and saving it empty keeps the stored one
(both are kept sealed in the store, see ``services.secret_box``).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.services.errors import InputError
from shopcare.services.messages.admin import save_sms, sms_view
from shopcare.services.messages.rules import MessageRules, update_rules

if TYPE_CHECKING:
    from shopcare.app import ShopCare


class SmsCard:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        view = sms_view(shopcare.sessions)
        with ui.card().classes("flex-1").mark("sms-card"):
            ui.label("SMS (Twilio-compatible)").classes("text-lg font-semibold")
            ui.label(
                "Shoppers with a phone number get the subject and a link. "
                "Leave empty to send no SMS."
            ).classes("text-sm text-gray-600")
            self.sid = ui.input("Account SID", value=view["account_sid"]).mark("sms-sid")
            self.token = ui.input(
                "Auth token", value=view["auth_token"], password=True, password_toggle_button=True
            ).mark("sms-token")
            self.sender = ui.input(
                "From number", value=view["from_number"], placeholder="+4915112345678"
            ).mark("sms-from")
            self.api_url = ui.input("API address", value=view["api_url"]).mark("sms-api-url")
            self.api_url.props["hint"] = "Twilio's, or another service that speaks its API"
            for field in (self.sid, self.token, self.sender, self.api_url):
                field.classes("w-full")
            ui.button("Save", on_click=self.save).mark("save-sms")

    def save(self) -> None:
        try:
            save_sms(
                self.shopcare.sessions,
                account_sid=self.sid.value or "",
                auth_token=self.token.value or "",
                from_number=self.sender.value or "",
                api_url=self.api_url.value or "",
            )
        except InputError as exc:
            ui.notify(str(exc), type="negative")
            return
        view = sms_view(self.shopcare.sessions)
        self.token.value, self.api_url.value = view["auth_token"], view["api_url"]
        ui.notify("SMS account saved", type="positive")


class WebhookCard:
    def __init__(self, shopcare: ShopCare, rules: MessageRules) -> None:
        self.shopcare = shopcare
        with ui.card().classes("flex-1").mark("webhook-card"):
            ui.label("Webhook").classes("text-lg font-semibold")
            ui.label(
                "Each message is also posted as signed JSON to your address "
                "(header X-ShopCare-Signature: HMAC-SHA256 with this secret)."
            ).classes("text-sm text-gray-600")
            self.url = ui.input(
                "Address", value=rules.webhook_url, placeholder="https://example.com/hooks/shop"
            ).mark("webhook-url")
            with ui.row().classes("w-full no-wrap items-center"):
                self.secret = ui.input("Secret").mark("webhook-secret")
                self._placeholder(saved=bool(rules.webhook_secret))
                self.secret.classes("flex-1 font-mono")
                ui.button("Generate", on_click=self.generate).props("flat").mark(
                    "generate-webhook-secret"
                )
            self.url.classes("w-full")
            ui.button("Save", on_click=self.save).mark("save-webhook")

    def generate(self) -> None:
        self.secret.value = secrets.token_urlsafe(32)

    def _placeholder(self, *, saved: bool) -> None:
        self.secret.props["placeholder"] = "saved; leave empty to keep" if saved else ""

    def save(self) -> None:
        changes = {"webhook_url": (self.url.value or "").strip()}
        if (self.secret.value or "").strip():
            changes["webhook_secret"] = (self.secret.value or "").strip()
        try:
            rules = update_rules(self.shopcare.sessions, **changes)
        except InputError as exc:
            ui.notify(str(exc), type="negative")
            return
        self.secret.value = ""
        self._placeholder(saved=bool(rules.webhook_secret))
        ui.notify("Webhook saved", type="positive")
