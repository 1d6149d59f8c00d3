"""Adding headers to a response on its way out, for the ASGI layers that harden answers
(HSTS on everything over https, the admin's own security headers)."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import Message, Send

Header = tuple[bytes, bytes]


def with_headers(send: Send, extra: Iterable[Header], *, html_only: Iterable[Header] = ()) -> Send:
    """``send`` that puts ``extra`` (replacing any of the same names) on the response's start,
    and ``html_only`` too when the response is an HTML page."""
    added, for_html = tuple(extra), tuple(html_only)
    names = {k for k, _ in (*added, *for_html)}

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
            headers.extend(added)
            if for_html and _is_html(headers):
                headers.extend(for_html)
            message = {**message, "headers": headers}
        await send(message)

    return sending


def _is_html(headers: list[Header]) -> bool:
    return any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)
