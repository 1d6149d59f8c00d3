"""A store another process holds, or one that is read-only, against the real server.

A real ``shopcare run --demo`` subprocess on a real SQLite file; a real second process holds
the write lock with ``BEGIN IMMEDIATE`` until the test tells it to let go. Everything asserted
"during the lock" happens before the test releases it: the order of events, not a stopwatch,
proves it. The read timeouts below (3 s) are shorter than one busy wait of the store (5 s),
so a request held up by any store call waiting on the event loop fails the test.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.engine import make_engine, session_factory
from shopcare.services.accounts.api_keys import create_key
from tests.lock_holder import LockHolder
from tests.running_server import running_server

QUICK = httpx.Timeout(10, read=3)
"""Connect as slowly as the box likes; the answer must come within 3 s."""
WRITE = httpx.Timeout(10, read=20)
"""A write may wait out the store's 5 s busy timeout before it is answered."""
JOBS_MEET_THE_LOCK_WITHIN_S = 60


def a_tracking_token(db: Path) -> str:
    with sqlite3.connect(db) as connection:
        (token,) = connection.execute(
            "SELECT public_token FROM shop_order ORDER BY id LIMIT 1"
        ).fetchone()
    return str(token)


def an_api_key(db: Path) -> str:
    engine = make_engine(f"sqlite:///{db}")
    try:
        return create_key(session_factory(engine), "monitor", now=datetime.now(UTC)).key
    finally:
        engine.dispose()


def order_body() -> dict[str, object]:
    return {
        "order_number": "LOCK-1",
        "email": "ada@example.com",
        "placed_at": "2026-11-02T08:30:00+01:00",
        "currency": "EUR",
        "lines": [{"title": "Mug", "quantity": 1, "unit_price_minor": 1200}],
    }


def test_a_store_held_by_another_process_keeps_the_site_answering(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = data / "shopcare.db"
    with running_server(data) as server, httpx.Client(base_url=server.url) as http:
        token = a_tracking_token(db)
        key = an_api_key(db)
        assert http.get("/healthz", timeout=QUICK).status_code == 200

        with LockHolder(db) as holder:
            # Until a scheduled job has met the lock, keep asking: every answer must come
            # at once, while the jobs (poll, dispatch every 5 s) try the held store.
            met_the_lock = False
            deadline = time.monotonic() + JOBS_MEET_THE_LOCK_WITHIN_S
            while not met_the_lock:
                assert time.monotonic() < deadline, "no job ran while the store was locked"
                health = http.get("/healthz", timeout=QUICK)
                assert health.status_code == 503
                body = health.json()
                assert body["store"] == {"writable": False, "state": "busy"}
                assert "the store cannot be written: busy" in body["problems"]
                page = http.get(f"/t/{token}", timeout=QUICK)
                assert page.status_code == 200
                assert "<html" in page.text
                met_the_lock = all(
                    "busy" in body["jobs"][job]["last_error"] for job in ("poll", "dispatch")
                )

            # A shopper's write waits out the busy timeout, then gets the friendly page.
            write = http.get(f"/t/{token}/feedback", timeout=WRITE, follow_redirects=False)
            assert write.status_code == 503
            assert write.headers["retry-after"] == "60"
            assert write.headers["content-type"].startswith("text/html")
            assert "We are busy — please try again in a minute." in write.text
            assert "Demo Coffee Goods" in write.text  # in the shop's look
            assert "Internal Server Error" not in write.text

            # An API caller gets JSON it can act on.
            api = http.post(
                "/api/v1/orders",
                json=order_body(),
                headers={"Authorization": f"Bearer {key}"},
                timeout=WRITE,
            )
            assert api.status_code == 503
            assert api.headers["retry-after"] == "60"
            assert api.json()["retry_after"] == 60

            assert holder.released is False  # all of the above happened during the lock
            holder.release()

        after = http.get("/healthz", timeout=QUICK).json()
        assert after["store"] == {"writable": True, "state": "writable"}
        assert http.get(f"/t/{token}/feedback", follow_redirects=False).status_code == 303
    assert "Traceback" not in server.output[0]


def test_a_read_only_store_is_reported_and_refused_politely(tmp_path: Path) -> None:
    """Read-only through SQLite's own ``mode=ro``: the tests may run as root, for whom a
    chmod'ed file stays writable; the app meets the same refusal either way ("attempt to
    write a readonly database")."""
    data = tmp_path / "data"
    db = data / "shopcare.db"
    build(load_settings({}, data_dir=str(data)), demo=True).engine.dispose()  # made, seeded
    token = a_tracking_token(db)
    read_only = {"SHOPCARE_DATABASE_URL": f"sqlite:///file:{db}?mode=ro&uri=true"}
    with (
        running_server(data, demo=False, env=read_only) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        health = http.get("/healthz", timeout=QUICK)
        assert health.status_code == 503
        body = health.json()
        assert body["store"] == {"writable": False, "state": "read_only"}
        assert body["database"] == {"ok": True, "schema_current": True}
        assert http.get(f"/t/{token}", timeout=QUICK).status_code == 200
        write = http.get(f"/t/{token}/feedback", timeout=WRITE, follow_redirects=False)
        assert write.status_code == 503
        assert write.headers["retry-after"] == "60"
        assert "We are busy" in write.text
