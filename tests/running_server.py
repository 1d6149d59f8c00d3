"""``shopcare run`` as a real server subprocess on a free port, for tests and benchmarks that
need a real event loop, scheduler and socket (a lock held by another process, a kill)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

START_WITHIN_S = 90


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    output: list[str]
    """What the server printed, filled in when it has stopped."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(
    data_dir: Path, *, demo: bool = True, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """Started, and answering ``/healthz`` (whatever its status); stopped at the end."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "NICEGUI"))}
    environment.pop("SHOPCARE_DATABASE_URL", None)
    environment.update({"SHOPCARE_DATA_DIR": str(data_dir), **(env or {})})
    command = [sys.executable, "-m", "shopcare", "run", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--demo"] if demo else command,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(url=f"http://127.0.0.1:{port}", process=process, output=[])
    try:
        deadline = time.monotonic() + START_WITHIN_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer /healthz")
            try:
                httpx.get(f"{server.url}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            out, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            out, _ = process.communicate()
        server.output.append(out or "")
