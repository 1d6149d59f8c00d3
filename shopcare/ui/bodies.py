"""Request bodies read with a cap, for the routes that take raw bodies from outside.

A body over the cap is refused from its Content-Length, or while it streams in, without
reading the rest: a 200 MB post costs at most the cap in memory, whatever it claims.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from shopcare.domain.numbers import parse_whole

WEBHOOK_BODY = 2 * 1024 * 1024
"""Bytes a webhook (platform delivery or carrier push) may have: an order with hundreds of
lines, or a batch of tracking events, is well under it."""


async def capped_body(request: Request, *, limit: int = WEBHOOK_BODY) -> bytes | None:
    """The body, or None when it is over ``limit`` bytes: the declared length is believed
    when it is too long, and counted otherwise (it may be absent or false)."""
    declared = parse_whole(request.headers.get("content-length", ""))
    if declared is not None and declared > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(limit: int = WEBHOOK_BODY) -> JSONResponse:
    """The 413 answer for a body over ``limit``."""
    return JSONResponse({"ok": False, "error": f"body over {limit} bytes"}, status_code=413)
