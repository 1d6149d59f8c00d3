"""The admin in a desktop window (``shopcare run --native``, the ``desktop`` extra).

ShopCare opens the pywebview window itself rather than through ``ui.run(native=True)``:
NiceGUI (3.18) stops the server whenever its window process ends and does not pass the
window's ``closing`` event on, so it cannot ask whether to keep serving shoppers. Here the
server runs as in a plain ``shopcare run`` (the public site and the scheduler with it) and
the window is one more process on its admin page. Closing the window asks whether to keep
serving; the window process answers with its exit code, which ``after_close`` reads.
"""

from __future__ import annotations

import multiprocessing
import socket
import sys
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any

KEEP_SERVING_EXIT = 3
"""The window process's exit code for "keep serving shoppers"; 0 means "stop ShopCare"."""

QUESTION = (
    "Keep serving shoppers in the background?\n\n"
    "OK: the window closes and ShopCare keeps serving the tracking and returns pages.\n"
    "Cancel: ShopCare stops."
)


class AfterClose(StrEnum):
    KEEP_SERVING = "keep serving"
    STOP = "stop"


def after_close(exit_code: int | None) -> AfterClose:
    """What the server does once the window process has ended. Only an explicit "keep
    serving" keeps it: a window that crashed or was killed never asked the owner, and a
    server left running unseen would surprise them."""
    return AfterClose.KEEP_SERVING if exit_code == KEEP_SERVING_EXIT else AfterClose.STOP


def still_serving_note(*, public_url: str, pid: int) -> str:
    return (
        f"The admin window is closed; ShopCare keeps serving shoppers at {public_url}. "
        f"Stop it with Ctrl+C here or `kill {pid}`."
    )


def local_admin_url(*, host: str, port: int) -> str:
    """The admin on this machine's own listening address (not the public one, which may be
    a proxy elsewhere): a wildcard address is reached through loopback."""
    if host in ("0.0.0.0", ""):  # noqa: S104 (a comparison, not a bind)
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/admin"


class AdminWindow:
    """The window process and the thread that waits for it to end."""

    def __init__(self, *, url: str, title: str, on_stop: Callable[[], None], note: str) -> None:
        self.url = url
        self.title = title
        self.on_stop = on_stop
        self.note = note
        self._process: Any = None
        self._closing_server = False

    def open(self) -> None:
        """Start the window (a spawned process: GUI toolkits want their own main thread)."""
        context = multiprocessing.get_context("spawn")
        self._process = context.Process(
            target=show_window, args=(self.url, self.title), name="shopcare-window", daemon=True
        )
        self._process.start()
        threading.Thread(target=self._wait, name="shopcare-window-wait", daemon=True).start()

    def close(self) -> None:
        """The server stops: the window goes with it."""
        self._closing_server = True
        if self._process is not None and self._process.is_alive():
            self._process.terminate()

    def _wait(self) -> None:
        self._process.join()
        if self._closing_server:
            return
        if after_close(self._process.exitcode) is AfterClose.KEEP_SERVING:
            print(self.note, flush=True)
        else:
            self.on_stop()


def show_window(url: str, title: str) -> None:
    """In the window process: show ``url``; on close ask, and exit with the answer."""
    import webview

    _wait_for_server(url)
    window = webview.create_window(title, url, width=1200, height=800, min_size=(640, 480))
    answer: dict[str, bool] = {}

    def ask() -> None:
        answer["keep"] = window.create_confirmation_dialog(title, QUESTION)
        window.destroy()

    def on_closing() -> bool:
        # The handler runs on the GUI thread and a dialog needs that thread: refuse this
        # close, ask from another thread, and close for real once answered.
        if "keep" in answer:
            return True
        threading.Thread(target=ask, daemon=True).start()
        return False

    window.events.closing += on_closing
    webview.start()
    sys.exit(KEEP_SERVING_EXIT if answer.get("keep") else 0)


def _wait_for_server(url: str, *, seconds: float = 30) -> None:
    """Open the window once the server answers, not on a connection error page."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((parts.hostname or "", parts.port or 80), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
