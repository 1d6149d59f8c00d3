"""Two ShopCare processes on one PostgreSQL store: both serve, exactly one polls and runs the
other single jobs, and when it is killed (-9) the other takes over within a minute; limits
against guessing are one budget for both, and the page views of both are all counted."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from shopcare.ui.public.csrf import COOKIE, FIELD, token_for
from shopcare.ui.public.lookup import LOOKUP_LIMIT
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


def test_lookups_share_one_limit_and_every_view_is_counted(tmp_path: Path, store_url: str) -> None:
    """A guesser whose posts a proxy spreads over both processes is refused after the same
    number as from one; each lookup and tracking-number view of either process is a row."""
    secret = "one secret for every process on the store"  # as they must share it
    env = {"SHOPCARE_DATABASE_URL": store_url, "SHOPCARE_SECRET": secret}
    browser = "a-guessing-browsers-csrf-cookie-01"
    with (
        running_server(tmp_path / "a", demo=False, env=env) as a,
        running_server(tmp_path / "b", demo=False, env=env) as b,
    ):
        servers = [a, b]

        def guess(n: int) -> int:
            form = {"order_number": f"G-{n}", "contact": "x@example.com"}
            response = httpx.post(
                f"{servers[n % 2].url}/track",
                data={**form, FIELD: token_for(secret, browser)},
                cookies={COOKIE: browser},
                timeout=10,
            )
            return response.status_code

        answers = [guess(n) for n in range(LOOKUP_LIMIT + 4)]
        assert answers == [200] * LOOKUP_LIMIT + [429] * 4
        for n in range(6):
            number = httpx.get(
                f"{servers[n % 2].url}/track/number", params={"tracking_number": f"1Z{n}"}
            )
            assert number.status_code == 200

        expected = {"lookup_failed": LOOKUP_LIMIT, "number_lookup": 6}
        assert wait_for(lambda: views(store_url) == expected, 20), views(store_url)


def views(store_url: str) -> dict[str, int]:
    engine = sa.create_engine(store_url)
    try:
        with engine.connect() as db:
            rows = db.execute(sa.text("SELECT kind, count(*) FROM page_view GROUP BY kind"))
            return {str(kind): int(n) for kind, n in rows}
    finally:
        engine.dispose()
