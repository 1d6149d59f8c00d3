"""Request bodies are capped before they are read, on every path, by one ASGI layer.

``BodyCaps`` sits in front of everything (the shopper's site, the API, the webhooks and
NiceGUI). It knows the cap of each path: a body whose Content-Length is over it is refused
with 413 at once, and a body without one (or with a false one) is counted as it streams in
and cut off with 413 the moment it passes the cap. No handler can hold more than its cap,
whatever it does with the body; a 200 MB post costs the cap, not 200 MB. A cut or refused
request's connection is closed after the answer, so the rest of the body is not read.

Routes that answer an oversized body in their own words (a webhook's JSON, the returns form
shown again) check the declared length themselves and catch ``BodyTooLarge``; the layer still
cuts their stream.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shopcare.domain.return_policy import MAX_PHOTO_BYTES, MAX_PHOTOS
from shopcare.services.shop.logo import MAX_BYTES as LOGO_BYTES

WEBHOOK_BODY = 2 * 1024 * 1024
"""Bytes a webhook (platform delivery or carrier push) may have: an order with hundreds of
lines, or a batch of tracking events, is well under it."""
TWILIO_BODY = 64 * 1024
"""Bytes of a Twilio status callback: a few dozen short form fields, under 2 KB."""
FORM_BODY = 1024 * 1024
"""Bytes of a form of text fields (the shopper's forms, the admin's sign-in): one field of
1 MB is what the form parser allowed before there was a cap on the whole."""
API_BODY = 1_000_000
"""Bytes of a REST API request (docs/api.md: "capped at 1 MB")."""
PHOTO_FORM_BODY = MAX_PHOTOS * MAX_PHOTO_BYTES + FORM_BODY
"""The returns form: its text fields and up to ``MAX_PHOTOS`` photos of the largest size."""
CSV_UPLOAD = 500 * 1024 * 1024
"""One CSV file uploaded to the admin's import page (it is spooled to disk, not memory)."""
LOGO_FORM_BODY = LOGO_BYTES + FORM_BODY
"""The admin's logo form: one image of the largest size the logo may have, and its fields."""
SOCKET_BODY = 1_000_000
"""A message NiceGUI's socket sends by HTTP long-polling (engine.io's own limit)."""


class BodyTooLarge(HTTPException):
    """Raised to the reader of a body over its cap: FastAPI's HTTPException (not only
    Starlette's), so a route that does not catch it answers 413 through the usual handler;
    FastAPI passes it on unchanged rather than calling it "error parsing the body"."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body is over {limit} bytes")


@dataclass(frozen=True)
class Cap:
    """The most bytes a body may have on the paths ``pattern`` matches from the start.
    ``route_answers``: the route checks the declared length itself and answers in its own
    words, so a declared oversize is passed on instead of refused here."""

    pattern: re.Pattern[str]
    limit: int
    route_answers: bool = False
    length_required: bool = False
    """A body must declare its length (411 otherwise): for a reader that swallows errors."""


CAPS: tuple[Cap, ...] = (
    Cap(re.compile(r"/webhooks/twilio/"), TWILIO_BODY, route_answers=True),
    Cap(re.compile(r"/webhooks/"), WEBHOOK_BODY, route_answers=True),
    Cap(re.compile(r"/api/"), API_BODY),
    Cap(re.compile(r"/t/[^/]+/return$"), PHOTO_FORM_BODY, route_answers=True),
    Cap(re.compile(r"/_nicegui/client/[^/]+/upload/"), CSV_UPLOAD + FORM_BODY),
    Cap(re.compile(r"/admin/shop/logo$"), LOGO_FORM_BODY, route_answers=True),
    Cap(re.compile(r"/_nicegui_ws/"), SOCKET_BODY, length_required=True),  # engine.io
    # answers 200 to any error while reading, so its bodies are checked by length alone
)
"""First match wins; every other path (forms, sign-in, pages) gets ``FORM_BODY``."""


def declared_length(headers: Headers) -> int | None:
    """The Content-Length as a number; a huge one stays huge (never an error), anything
    that is not ASCII digits is None (then the body is counted instead)."""
    value = headers.get("content-length", "").strip()
    if not (value.isascii() and value.isdigit()):
        return None
    return int(value) if len(value) <= 18 else 10**18


class BodyCaps:
    """ASGI middleware: every HTTP request body capped by its path (see the module)."""

    def __init__(
        self, app: ASGIApp, *, caps: Sequence[Cap] = CAPS, default: int = FORM_BODY
    ) -> None:
        self.app = app
        self.caps = tuple(caps)
        self.default = Cap(re.compile(""), default)

    def cap_for(self, path: str) -> Cap:
        return next((c for c in self.caps if c.pattern.match(path)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.cap_for(_route_path(scope))
        headers = Headers(scope=scope)
        declared = declared_length(headers)
        over = declared is not None and declared > cap.limit
        chunked = declared is None and "transfer-encoding" in headers
        if over and not cap.route_answers:
            await _refuse(send, 413, f"the body is over {cap.limit} bytes")
            return
        if chunked and cap.length_required:
            await _refuse(send, 411, "a body needs its Content-Length here")
            return
        reading = _Reading(receive, send, cap=cap, cut=over, unread=bool(declared) or chunked)
        try:
            await self.app(scope, reading.receive, reading.send)
        except BodyTooLarge:
            if not reading.started:
                await _refuse(send, 413, f"the body is over {cap.limit} bytes")
            elif not reading.replaced:
                raise


class _Reading:
    """One request's body passing through ``BodyCaps``: counted, and cut at the cap."""

    def __init__(self, receive: Receive, send: Send, *, cap: Cap, cut: bool, unread: bool) -> None:
        self._receive, self._send, self.cap = receive, send, cap
        self.cut = cut
        """The reader gets nothing more of the body (it is over the cap)."""
        self.unread = unread
        """Part of the body has not come in yet."""
        self.told = False
        self.seen = 0
        self.started = False
        self.replaced = False
        """The app's answer to a cut body was not sent: 413 went instead."""

    async def receive(self) -> Message:
        if not self.cut:
            message = await self._receive()
            if message["type"] != "http.request":
                return message
            self.unread = message.get("more_body", False)
            self.seen += len(message.get("body", b""))
            if self.seen <= self.cap.limit:
                return message
            self.cut = self.unread = True
        if self.told:  # asked again (a disconnect listener): as if the client had gone
            return {"type": "http.disconnect"}
        self.told = True
        raise BodyTooLarge(self.cap.limit)

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            if self.cut and not self.cap.route_answers:
                # Whatever the app made of the cut (a middleware may have wrapped the error,
                # a reader may have swallowed it), the answer is 413.
                self.replaced = True
                await _refuse(self._send, 413, f"the body is over {self.cap.limit} bytes")
            elif self.unread:  # answered before the body's end: close, so the client
                # stops sending and the server does not read on unasked
                extra = [*message.get("headers", []), (b"connection", b"close")]
                message = {**message, "headers": extra}
        if not self.replaced:
            await self._send(message)


def _route_path(scope: Scope) -> str:
    """The path without the proxy's prefix (``root_path``), as the routes see it."""
    path, root = str(scope["path"]), str(scope.get("root_path", ""))
    return path[len(root) :] if root and path.startswith(root + "/") else path


async def _refuse(send: Send, status: int, detail: str) -> None:
    """Answer at once, in FastAPI's shape, and close: the body is left unread."""
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def capped_stream(request: Request, *, limit: int) -> AsyncGenerator[bytes, None]:
    """The body's chunks, raising ``BodyTooLarge`` before the first when the declared length
    is over ``limit`` and as soon as the counted one is (it may be absent or false). Also
    safe without ``BodyCaps`` in front (an app built for a test)."""
    declared = declared_length(request.headers)
    if declared is not None and declared > limit:
        raise BodyTooLarge(limit)
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        yield chunk


async def capped_body(request: Request, *, limit: int = WEBHOOK_BODY) -> bytes | None:
    """The body, or None when it is over ``limit`` bytes (see ``capped_stream``)."""
    try:
        return b"".join([chunk async for chunk in capped_stream(request, limit=limit)])
    except BodyTooLarge:
        return None


def too_large(limit: int = WEBHOOK_BODY) -> JSONResponse:
    """A webhook's 413 answer for a body over ``limit``."""
    return JSONResponse({"ok": False, "error": f"body over {limit} bytes"}, status_code=413)
