"""WhatsApp through Twilio's Messages API, the same endpoint and account as SMS.

``POST {base}/2010-04-01/Accounts/{sid}/Messages.json`` with ``From``/``To`` as
``whatsapp:+E164``. A message the business starts (every ShopCare message: the shopper
did not write first) must be a template WhatsApp approved, so no ``Body`` is sent but
``ContentSid`` (the owner's template id for the message kind and language, ``HX…``) and
``ContentVariables`` (JSON). The variables are numbered as Twilio's templates number
them, the same for every kind, so the owner writes templates against one list
(``VARIABLES``). Twilio's error codes say what went wrong for this shopper (63003: not a
WhatsApp number; 63016: outside the 24-hour window, a template is needed); they reach the
outbox row and the message log through ``SendError``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import httpx

from shopcare.notify.base import Channel, Outgoing, SendError
from shopcare.notify.sms import TwilioMessages

VARIABLES: dict[str, tuple[str, str]] = {
    "1": ("order_number", "The order number"),
    "2": ("link", "The shopper's page for this message (tracking, return or feedback)"),
    "3": ("carrier", "The carrier's name"),
    "4": ("tracking_number", "The parcel's tracking number"),
}
"""ContentVariables number → (the ``Outgoing.data`` key it carries, its meaning)."""

RECIPIENT_ERRORS = {
    21211: "not a valid phone number",
    63003: "the number is not on WhatsApp (or cannot receive WhatsApp messages)",
    63016: "outside the 24-hour window: only an approved template may be sent; check the "
    "template id",
    63024: "the recipient cannot be reached on WhatsApp",
    63032: "the shopper has opted out of messages from this business",
    63049: "Meta chose not to deliver this marketing message",
}
TEMPLATE_ERRORS = {
    63027: "the template does not exist for this language",
    63028: "the template's variables do not match",
    21655: "the ContentSid is not valid",
}


def template_key(kind: str, locale: str) -> str:
    """How the owner's template ids are stored: ``"shipped:de"``."""
    return f"{kind}:{locale}"


class TwilioWhatsApp(TwilioMessages):
    name = "WhatsApp"
    channel = Channel.WHATSAPP
    known_errors: Mapping[int, str] = {**RECIPIENT_ERRORS, **TEMPLATE_ERRORS}

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        base_url: str = "https://api.twilio.com",
        account_sid: str,
        auth_token: str,
        from_number: str,
        templates: Mapping[str, str],
        status_callback: str = "",
    ) -> None:
        super().__init__(
            client=client,
            base_url=base_url,
            account_sid=account_sid,
            auth_token=auth_token,
            from_number=from_number,
            status_callback=status_callback,
        )
        self.templates = dict(templates)

    async def send(self, message: Outgoing) -> str:
        self.check_number(message.recipient)
        locale = str(message.data.get("locale") or "en")
        content_sid = self.templates.get(template_key(message.kind, locale), "")
        if not content_sid:
            raise SendError(
                f"WhatsApp: no approved template id for {message.kind} ({locale}); "
                "set one under Messages → Channels",
                permanent=True,
            )
        return await self.post(
            {
                "To": f"whatsapp:{message.recipient}",
                "From": f"whatsapp:{self.from_number}",
                "ContentSid": content_sid,
                "ContentVariables": json.dumps(content_variables(message), ensure_ascii=False),
            }
        )


def content_variables(message: Outgoing) -> dict[str, str]:
    """The numbered values; an empty one is sent as "-", since WhatsApp refuses a template
    with an empty variable."""
    return {
        number: str(message.data.get(key) or "-")[:1024] for number, (key, _) in VARIABLES.items()
    }
