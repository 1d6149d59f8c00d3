"""Two ShopCare processes on one PostgreSQL store: both serve, exactly one polls and runs the
other single jobs, and when it is killed (-9) the other takes over within a minute."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx

from tests.running_server import Server, running_server
from tests.store import postgres_only

pytestmark = postgres_only


def leads(server: Server) -> bool | None:
    try:
        body = httpx.get(f"{server.url}/healthz", timeout=5).json()
    except httpx.TransportError:
        return None
    return bool(body["scheduler"]["leader"])


def wait_for(check: object, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.5)
    return False


def test_one_leader_and_a_takeover_after_kill_9(tmp_path: Path, store_url: str) -> None:
    env = {"SHOPCARE_DATABASE_URL": store_url}
    with (
        running_server(tmp_path / "a", env=env) as a,  # seeds the demo, then b starts
        running_server(tmp_path / "b", demo=False, env=env) as b,
    ):
        assert wait_for(lambda: (leads(a), leads(b)) in ((True, False), (False, True)), 30)
        leader, follower = (a, b) if leads(a) else (b, a)
        assert httpx.get(f"{follower.url}/track", timeout=5).status_code == 200  # serves too
        leader.process.send_signal(signal.SIGKILL)
        leader.process.wait(timeout=10)
        assert wait_for(lambda: leads(follower) is True, 60)
