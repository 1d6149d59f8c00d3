"""The dispatcher's store work runs in a worker thread (issue 11, §1 and §4): while another
process holds the store's write lock, a dispatch run waits for it without stopping the
event loop, then sends."""

from __future__ import annotations

import asyncio
import sys

from shopcare.app import ShopCare
from shopcare.notify.base import Channel
from shopcare.services.messages.dispatch import dispatch_outbox
from tests.conftest import PUBLIC_URL, FakeClock
from tests.services.helpers import make_order
from tests.services.test_outbox import Recorder
from tests.store import sqlite_only

HOLD_S = 3.0
HOLD_LOCK = """
import sqlite3, sys, time
store = sqlite3.connect(sys.argv[1], isolation_level=None)
store.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
store.execute("COMMIT")
"""


@sqlite_only  # SQLite's single writer; PostgreSQL locks rows, not the store
async def test_a_dispatch_run_waiting_for_a_locked_store_leaves_the_event_loop_free(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare, tracking="")
    path = shopcare.settings.database_url.removeprefix("sqlite:///")
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLD_LOCK, path, str(HOLD_S), stdout=asyncio.subprocess.PIPE
    )
    assert holder.stdout is not None and (await holder.stdout.readline()).strip() == b"locked"
    sender = Recorder()
    run = asyncio.create_task(
        dispatch_outbox(
            shopcare.sessions,
            {Channel.EMAIL: sender},
            now=clock(),
            public_url=PUBLIC_URL,
            lease=shopcare.lease,
        )
    )
    loop = asyncio.get_running_loop()
    gaps, last = [], loop.time()
    while not run.done():
        await asyncio.sleep(0.02)
        gaps.append(loop.time() - last)
        last = loop.time()
    report = await run
    await holder.wait()
    assert report.sent == 1 and len(sender.sent) == 1
    assert max(gaps) < HOLD_S / 2, f"the event loop stopped for {max(gaps):.1f} s"
