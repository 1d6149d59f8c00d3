"""Start a server command, wait for its health URL, read its memory: shared by the start-up
benchmarks. The baseline is a bare NiceGUI app with one JSON route, started the same way."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import httpx

BARE_APP = """
import sys
from nicegui import app, ui
@app.get('/healthz')
def healthz():
    return {'status': 'ok'}
ui.run(host='127.0.0.1', port=int(sys.argv[1]), reload=False, show=False,
       show_welcome_message=False, uvicorn_logging_level='warning')
"""


@dataclass
class Started:
    seconds: float
    rss_mb: float


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(command: list[str], port: int, env: dict[str, str]) -> Started:
    began = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {proc.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        seconds = time.perf_counter() - began
        time.sleep(2)  # let the first scheduler ticks run
        return Started(seconds=seconds, rss_mb=_rss_mb(proc.pid))
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def installed_env(**extra: str) -> dict[str, str]:
    """The environment of an installed program: Python may cache the bytecode it compiles
    (pip compiles it at install; a shell with PYTHONDONTWRITEBYTECODE set would make every
    start compile every module from source, ours and NiceGUI's alike)."""
    env = dict(os.environ, **extra)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def shopcare(runs: int = 3) -> list[Started]:
    """``runs`` starts after one that is not counted (it compiles and caches the bytecode
    and warms the file cache, as the first start after an install does)."""
    results = []
    for _ in range(runs + 1):
        port = free_port()
        env = installed_env(SHOPCARE_DATA_DIR=tempfile.mkdtemp(prefix="shopcare-bench-"))
        cmd = [sys.executable, "-m", "shopcare", "run", "--demo", "--port", str(port)]
        results.append(start(cmd, port, env))
    return results[1:]


def bare(runs: int = 3) -> list[Started]:
    """As ``shopcare``: one uncounted start first."""
    results = []
    for _ in range(runs + 1):
        port = free_port()
        results.append(start([sys.executable, "-c", BARE_APP, str(port)], port, installed_env()))
    return results[1:]


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")
