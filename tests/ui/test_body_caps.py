"""``BodyCaps`` in-process, in front of a small app that reads bodies its own ways: the cap of
each path (also under a proxy's path prefix), 413 whatever the reader makes of the cut, and
411 where a length is required. The real server under 200 MB posts: tests/e2e."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from shopcare.ui.bodies import FORM_BODY, PHOTO_FORM_BODY, BodyCaps, Cap

read: list[int] = []
"""Bytes each request's reader got, in order."""


def reader_app() -> FastAPI:
    app = FastAPI()

    @app.post("/t/{token}/return")
    @app.post("/form")
    async def whole(request: Request) -> PlainTextResponse:
        body = await request.body()
        read.append(len(body))
        return PlainTextResponse(f"{len(body)} bytes")

    @app.post("/swallows")
    async def swallows(request: Request) -> PlainTextResponse:
        size = 0
        try:
            async for chunk in request.stream():
                size += len(chunk)
        except Exception:  # a reader that hides every error, as engine.io's does
            pass
        read.append(size)
        return PlainTextResponse("ok")

    return app


def client(*, root_path: str = "") -> httpx.AsyncClient:
    caps = (
        Cap(re.compile(r"/t/[^/]+/return$"), PHOTO_FORM_BODY),
        Cap(re.compile(r"/socket/"), 10, length_required=True),
    )
    app = BodyCaps(reader_app(), caps=caps)
    transport = httpx.ASGITransport(app, root_path=root_path)
    return httpx.AsyncClient(transport=transport, base_url="http://shop.test")


async def chunks(total: int, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, total, size):
        yield b"x" * min(size, total - start)


async def test_a_body_announced_over_the_cap_is_refused_unread() -> None:
    read.clear()
    async with client() as http:
        answer = await http.post("/form", content=b"x" * (FORM_BODY + 1))
    assert answer.status_code == 413
    assert answer.json() == {"detail": f"the body is over {FORM_BODY} bytes"}
    assert answer.headers["connection"] == "close"
    assert read == []


async def test_a_streamed_body_is_cut_at_the_cap_whatever_the_reader_does() -> None:
    read.clear()
    async with client() as http:
        whole = await http.post("/form", content=chunks(3 * FORM_BODY))
        swallowed = await http.post("/swallows", content=chunks(3 * FORM_BODY))
        fits = await http.post("/form", content=chunks(FORM_BODY))
    assert (whole.status_code, swallowed.status_code, fits.status_code) == (413, 413, 200)
    assert read[0] <= FORM_BODY  # the swallowing reader got no more than the cap either
    assert read[1:] == [FORM_BODY]


async def test_each_path_has_its_cap_also_under_a_path_prefix() -> None:
    read.clear()
    photos = 5 * FORM_BODY  # over the form cap, under the returns form's
    async with client(root_path="/track-app") as http:
        answer = await http.post("/track-app/t/abc/return", content=chunks(photos))
        form = await http.post("/track-app/form", content=chunks(photos))
    assert (answer.status_code, form.status_code) == (200, 413)
    assert read == [photos]


async def test_a_path_that_needs_a_length_refuses_a_chunked_body() -> None:
    async with client() as http:
        chunked = await http.post("/socket/x", content=chunks(5))
        declared = await http.post("/socket/x", content=b"x" * 11)
    assert (chunked.status_code, declared.status_code) == (411, 413)
