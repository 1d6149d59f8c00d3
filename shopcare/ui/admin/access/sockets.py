"""Open admin websockets, so that ending a session also ends its sockets at once.

A NiceGUI page talks over one websocket for as long as it is open; checking the cookie only
when the socket connects would let a page opened before "sign out" (or before the idle
timeout) keep working. ``LiveSockets.serve`` wraps one socket: when its session is ended in
this process (``end``) it sends the page to the sign-in page and closes; every minute of
traffic it asks the store again (idle or absolute timeout, a session ended elsewhere).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shopcare.domain.admin_sessions import TOUCH_EVERY

GO_TO_SIGN_IN = '42["open",{"path":"/admin/login","new_tab":false}]'
"""A socket.io event NiceGUI's page script understands (``open``): it loads the sign-in page
instead of showing "connection lost" over a page that can no longer work."""
POLICY_VIOLATION = 1008
StillLive = Callable[[bool], Awaitable[bool]]
"""``still_live(touch)``: whether the socket's session is live; ``touch`` records activity."""


class LiveSockets:
    """Open sockets by session id. ``end`` is called from FastAPI's worker threads (the sign-out
    routes are plain functions), so the sockets are told through their event loop."""

    def __init__(self) -> None:
        self._open: dict[int, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return sum(len(events) for events in self._open.values())

    def end(self, session_ids: Iterable[int]) -> None:
        """The sessions were ended: close their open sockets."""
        with self._lock:
            found = [pair for i in session_ids for pair in self._open.get(i, ())]
        for loop, ended in found:
            loop.call_soon_threadsafe(ended.set)

    async def serve(
        self,
        app: ASGIApp,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        session_id: int,
        still_live: StillLive,
        clock: Callable[[], datetime],
    ) -> None:
        ended = asyncio.Event()
        pair = (asyncio.get_running_loop(), ended)
        with self._lock:
            self._open.setdefault(session_id, set()).add(pair)
        socket = _Socket(receive, send, ended=ended, still_live=still_live, clock=clock)
        try:
            await app(scope, socket.receive, socket.send)
        finally:
            with self._lock:
                events = self._open.get(session_id, set())
                events.discard(pair)
                if not events:
                    self._open.pop(session_id, None)


class _Socket:
    """One websocket's receive and send, cut off when its session ends."""

    def __init__(
        self,
        receive: Receive,
        send: Send,
        *,
        ended: asyncio.Event,
        still_live: StillLive,
        clock: Callable[[], datetime],
    ) -> None:
        self._receive, self._send = receive, send
        self._ended, self._still_live, self._clock = ended, still_live, clock
        self._checked = clock()
        self._closed = False

    async def send(self, message: Message) -> None:
        if not self._closed:  # after our close the app's last words have nowhere to go
            await self._send(message)

    async def receive(self) -> Message:
        if self._closed:
            return _DISCONNECT
        getter = asyncio.ensure_future(self._receive())
        waiter = asyncio.ensure_future(self._ended.wait())
        done, _ = await asyncio.wait({getter, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if getter not in done:
            getter.cancel()
            return await self._close()
        waiter.cancel()
        message = getter.result()
        if message["type"] == "websocket.receive" and self._clock() - self._checked >= TOUCH_EVERY:
            self._checked = self._clock()
            if not await self._still_live(_is_user_event(message)):
                return await self._close()
        return message

    async def _close(self) -> Message:
        if not self._closed:
            self._closed = True
            await self._send({"type": "websocket.send", "text": GO_TO_SIGN_IN})
            await self._send({"type": "websocket.close", "code": POLICY_VIOLATION})
        return _DISCONNECT


_DISCONNECT: Message = {"type": "websocket.disconnect", "code": POLICY_VIOLATION}


def _is_user_event(message: Message) -> bool:
    """A click or input on the page (socket.io ``event``), not a ping or an ack."""
    return str(message.get("text") or "").startswith('42["event"')
