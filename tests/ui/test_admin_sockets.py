"""``LiveSockets`` around a websocket app: a socket whose session ends (here, or by timing
out, noticed at the next minute of traffic) is sent to the sign-in page and closed.

The app behind is a small ASGI echo standing in for engine.io; the clock is the test's.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from starlette.types import Message, Receive, Scope, Send

from shopcare.ui.admin.access.sockets import GO_TO_SIGN_IN, LiveSockets
from tests.conftest import FakeClock

CLOSE = {"type": "websocket.close", "code": 1008}


class Echo:
    """Accepts, then echoes every text frame until the socket is gone."""

    def __init__(self) -> None:
        self.last: Message | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while (message := await receive())["type"] == "websocket.receive":
            await send({"type": "websocket.send", "text": message["text"]})
        self.last = message
        await send({"type": "websocket.close", "code": 1000})  # dropped: already closed


class Browser:
    def __init__(self) -> None:
        self.incoming: asyncio.Queue[Message] = asyncio.Queue()
        self.sent: list[Message] = []
        self.texts: asyncio.Queue[str] = asyncio.Queue()

    async def receive(self) -> Message:
        return await self.incoming.get()

    async def send(self, message: Message) -> None:
        self.sent.append(message)
        if "text" in message:
            self.texts.put_nowait(message["text"])

    def says(self, text: str) -> None:
        self.incoming.put_nowait({"type": "websocket.receive", "text": text})

    async def exchange(self, text: str) -> None:
        """Say ``text`` and wait for its echo."""
        self.says(text)
        while await self.texts.get() != text:
            pass


async def test_ending_the_session_sends_its_socket_to_the_sign_in_page() -> None:
    sockets, echo, browser = LiveSockets(), Echo(), Browser()
    clock = FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))

    async def still_live(touch: bool) -> bool:
        return True

    browser.incoming.put_nowait({"type": "websocket.connect"})
    serving = asyncio.create_task(
        sockets.serve(
            echo,
            {"type": "websocket"},
            browser.receive,
            browser.send,
            session_id=7,
            still_live=still_live,
            clock=clock,
        )
    )
    await browser.exchange("2probe")
    assert len(sockets) == 1
    sockets.end([8])  # another session: nothing happens
    sockets.end([7])
    await asyncio.wait_for(serving, timeout=30)
    assert browser.sent[-2:] == [{"type": "websocket.send", "text": GO_TO_SIGN_IN}, CLOSE]
    assert echo.last is not None and echo.last["type"] == "websocket.disconnect"
    assert len(sockets) == 0


async def test_a_timed_out_session_is_noticed_at_the_next_minute_of_traffic() -> None:
    sockets, echo, browser = LiveSockets(), Echo(), Browser()
    clock = FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    asked: list[bool] = []

    async def still_live(touch: bool) -> bool:
        asked.append(touch)
        return len(asked) < 2

    browser.incoming.put_nowait({"type": "websocket.connect"})
    serving = asyncio.create_task(
        sockets.serve(
            echo,
            {"type": "websocket"},
            browser.receive,
            browser.send,
            session_id=7,
            still_live=still_live,
            clock=clock,
        )
    )
    await browser.exchange("3")  # a pong within the minute: the store is not asked
    assert asked == []
    clock.advance(seconds=61)
    await browser.exchange('42["event",{"client_id":"c"}]')  # a click: counts as activity
    clock.advance(seconds=61)
    browser.says("3")  # a pong: asked without activity; the session is gone now
    await asyncio.wait_for(serving, timeout=30)
    assert asked == [True, False]
    assert browser.sent[-2:] == [{"type": "websocket.send", "text": GO_TO_SIGN_IN}, CLOSE]
