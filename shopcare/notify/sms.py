"""SMS through Twilio's Messages API: one form POST per message.

``POST {base}/2010-04-01/Accounts/{sid}/Messages.json`` with ``To``, ``From`` and ``Body``,
HTTP Basic auth ``sid:token``. Twilio answers errors as JSON ``{"code": 21211, "message":
...}``; a refused number or account is permanent, a rate limit or an outage is temporary.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from shopcare.domain.phones import E164
from shopcare.notify.base import Channel, Outgoing, SendError
from shopcare.retry_after import retry_after

MAX_BODY = 1600
"""Twilio's limit for one message (it splits it into segments itself)."""

RECIPIENT_ERRORS = {
    21211: "not a valid phone number",
    21614: "not a mobile number that can receive SMS",
    21610: "the recipient has unsubscribed from SMS (replied STOP)",
}


class TwilioMessages:
    """Twilio's Messages API as every channel through it uses it (SMS, WhatsApp): one
    account, its form post, and its refusals in words. Channels add what they send."""

    name = "Twilio"
    known_errors: Mapping[int, str] = RECIPIENT_ERRORS

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        base_url: str = "https://api.twilio.com",
        account_sid: str,
        auth_token: str,
        from_number: str,
        status_callback: str = "",
    ) -> None:
        self.client = client
        self.url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.auth = httpx.BasicAuth(account_sid, auth_token)
        self.from_number = from_number
        self.status_callback = status_callback
        """Where Twilio posts what became of each message (``notify.twilio_status``); ""
        when the shop has no public https address Twilio could reach."""

    def check_number(self, recipient: str) -> None:
        if not E164.fullmatch(recipient):
            raise SendError(
                f"{self.name}: {recipient!r} is not a phone number in international form "
                "(+ and 8 to 15 digits, e.g. +4915112345678)",
                permanent=True,
            )

    async def post(self, form: Mapping[str, str]) -> str:
        """The message's sid ("" if Twilio gave none). Raises SendError: a timeout or no
        connection is retried, a refusal is named."""
        data = dict(form)
        if self.status_callback:
            data["StatusCallback"] = self.status_callback
        try:
            response = await self.client.post(self.url, data=data, auth=self.auth)
        except httpx.TimeoutException as exc:
            raise SendError(
                f"{self.name}: Twilio did not answer in time ({type(exc).__name__})",
                permanent=False,
            ) from exc
        except httpx.HTTPError as exc:
            raise SendError(
                f"{self.name}: cannot reach Twilio ({type(exc).__name__}: {exc})", permanent=False
            ) from exc
        if not response.is_success:
            raise twilio_failure(response, channel=self.name, known=self.known_errors)
        try:
            sid = response.json().get("sid")
        except (ValueError, AttributeError):  # accepted all the same: no reports for it
            return ""
        return sid[:64] if isinstance(sid, str) else ""


class TwilioSms(TwilioMessages):
    name = "SMS"
    channel = Channel.SMS

    async def send(self, message: Outgoing) -> str:
        self.check_number(message.recipient)
        return await self.post(
            {"To": message.recipient, "From": self.from_number, "Body": _body(message)}
        )


def _body(message: Outgoing) -> str:
    return message.text.strip()[:MAX_BODY]


def twilio_failure(
    response: httpx.Response, *, channel: str, known: Mapping[int, str]
) -> SendError:
    """Twilio's refusal in words for one channel (SMS, WhatsApp): a refused account and
    ``known`` codes are permanent; a rate limit or Twilio's own failure is retried, as late
    as it asks."""
    status = response.status_code
    code, detail = twilio_error(response)
    if status in (401, 403):
        return SendError(
            f"{channel} account refused (check SID and token) ({status}){detail}", permanent=True
        )
    if status == 429 or status >= 500:
        return SendError(
            f"{channel}: Twilio {'rate limit reached' if status == 429 else 'server error'} "
            f"({status}){detail}",
            permanent=False,
            retry_after=retry_after(response.headers),
        )
    if code in known:
        return SendError(f"{channel}: {known[code]} ({code}){detail}", permanent=True)
    error = f"{status}, error {code}" if code else str(status)
    return SendError(f"{channel}: Twilio refused the message ({error}){detail}", permanent=True)


def twilio_error(response: httpx.Response) -> tuple[int | None, str]:
    """Twilio's error code and its message, when the body is its JSON error."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return None, f": {text[:160]}" if text else ""
    if not isinstance(body, dict):
        return None, ""
    code = body.get("code")
    message = str(body.get("message") or "")[:160]
    return (code if isinstance(code, int) else None), (f": {message}" if message else "")
