"""``shopcare run --native`` under Xvfb: a real window on the admin, a screenshot of it, and
both answers to the question its close asks. Opt-in: runs only where the desktop extra,
Xvfb, xdotool, ImageMagick's ``import`` and libX11 are there (docs/desktop.md); the
screenshots stay in the test's tmp dir."""

import ctypes
import ctypes.util
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port


def _missing() -> list[str]:
    missing = [tool for tool in ("Xvfb", "xdotool", "import", "convert") if not shutil.which(tool)]
    if importlib.util.find_spec("webview") is None:
        missing.append("the desktop extra")
    if ctypes.util.find_library("X11") is None:
        missing.append("libX11")
    return missing


SHOPCARE_NATIVE = [sys.executable, "-m", "shopcare", "run", "--native", "--demo"]

pytestmark = [
    pytest.mark.desktop,
    pytest.mark.skipif(bool(_missing()), reason=f"needs {', '.join(_missing())}"),
]


@pytest.fixture
def display() -> Iterator[str]:
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
        pass_fds=[write],
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as told:
        number = told.readline().strip()
    yield f":{number}"
    xvfb.terminate()
    xvfb.wait(timeout=10)


class Desktop:
    def __init__(self, display: str, folder: Path) -> None:
        self.display = display
        self.folder = folder
        self.port = free_port()
        self.log = folder / "shopcare.log"
        # as tests/running_server.py: NiceGUI runs differently when it sees pytest
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTEST", "NICEGUI", "SHOPCARE_"))
        }
        env |= {
            "DISPLAY": display,
            "SHOPCARE_DATA_DIR": str(folder / "data"),
            "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox",  # Chromium's sandbox refuses root
        }
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [*SHOPCARE_NATIVE, "--port", str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )

    def windows(self) -> list[int]:
        found = subprocess.run(
            ["xdotool", "search", "--name", "^ShopCare$"],
            capture_output=True,
            text=True,
            env={**os.environ, "DISPLAY": self.display},
        )
        return [int(line) for line in found.stdout.split()]

    def wait_for_windows(self, count: int) -> list[int]:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            if len(found := self.windows()) >= count:
                return found
            time.sleep(0.5)
        raise AssertionError(f"no {count} ShopCare windows: {self.log.read_text()}")

    def screenshot(self, name: str) -> Path:
        path = self.folder / name
        env = {**os.environ, "DISPLAY": self.display}
        subprocess.run(["import", "-window", "root", str(path)], check=True, env=env)
        return path

    def wait_for_page(self, name: str) -> Path:
        """A screenshot once the page has drawn (a blank window has a handful of colours)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            shot = self.screenshot(name)
            if _colours(shot) > 100:
                return shot
            time.sleep(1)
        raise AssertionError(f"the window stayed blank: {shot}")

    def key(self, name: str) -> None:
        env = {**os.environ, "DISPLAY": self.display}
        subprocess.run(["xdotool", "key", name], check=True, env=env)

    def healthz(self) -> int:
        return httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=10).status_code

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=30)


@pytest.fixture
def desktop(display: str, tmp_path: Path) -> Iterator[Desktop]:
    running = Desktop(display, tmp_path)
    yield running
    running.stop()


def _colours(png: Path) -> int:
    told = subprocess.run(
        ["convert", str(png), "-format", "%k", "info:"], capture_output=True, text=True
    )
    return int(told.stdout.strip() or 0)


def ask_to_close(display: str, window: int) -> None:
    """What a window manager's close button sends: WM_DELETE_WINDOW (Xvfb has no manager)."""

    class ClientMessage(ctypes.Structure):
        _fields_ = [
            ("type", ctypes.c_int),
            ("serial", ctypes.c_ulong),
            ("send_event", ctypes.c_int),
            ("display", ctypes.c_void_p),
            ("window", ctypes.c_ulong),
            ("message_type", ctypes.c_ulong),
            ("format", ctypes.c_int),
            ("data", ctypes.c_long * 5),
            ("pad", ctypes.c_char * 96),  # XEvent is a 192-byte union
        ]

    x11 = ctypes.CDLL(ctypes.util.find_library("X11"))
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_int,
        ctypes.c_long,
        ctypes.POINTER(ClientMessage),
    ]
    x11.XFlush.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    connection = x11.XOpenDisplay(display.encode())
    assert connection, f"cannot open {display}"
    message = ClientMessage(type=33, window=window, format=32)  # 33: ClientMessage
    message.message_type = x11.XInternAtom(connection, b"WM_PROTOCOLS", 0)
    message.data[0] = x11.XInternAtom(connection, b"WM_DELETE_WINDOW", 0)
    x11.XSendEvent(connection, window, 0, 0, ctypes.byref(message))
    x11.XFlush(connection)
    x11.XCloseDisplay(connection)


def close_and_answer(desktop: Desktop, key: str) -> None:
    [window] = desktop.wait_for_windows(1)
    ask_to_close(desktop.display, window)
    desktop.wait_for_windows(2)  # the question, over the admin
    time.sleep(1)  # drawn
    desktop.screenshot("question.png")
    desktop.key(key)


def test_the_admin_opens_in_a_window_while_the_shopper_site_serves(desktop: Desktop) -> None:
    desktop.wait_for_windows(1)
    shot = desktop.wait_for_page("admin.png")
    assert shot.stat().st_size > 5_000
    assert desktop.healthz() == 200
    assert "ShopCare admin: " in desktop.log.read_text()


def test_keep_serving_closes_the_window_and_shoppers_are_still_served(desktop: Desktop) -> None:
    desktop.wait_for_page("admin.png")
    close_and_answer(desktop, "Return")  # OK: keep serving
    deadline = time.monotonic() + 30
    while "keeps serving shoppers" not in desktop.log.read_text():
        assert time.monotonic() < deadline, desktop.log.read_text()
        time.sleep(0.5)
    assert desktop.windows() == []
    assert desktop.process.poll() is None
    assert desktop.healthz() == 200


def test_not_keeping_on_stops_shopcare_cleanly(desktop: Desktop) -> None:
    desktop.wait_for_page("admin.png")
    close_and_answer(desktop, "Escape")  # Cancel: stop
    assert desktop.process.wait(timeout=30) == 0, desktop.log.read_text()
    assert "keeps serving" not in desktop.log.read_text()
    with pytest.raises(httpx.ConnectError):
        desktop.healthz()
