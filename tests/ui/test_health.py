"""``/healthz`` tells the truth about the jobs and the outbox, on the app's own clock: a job
that has not succeeded for five minutes fails it; one that has not run since a start less
than five minutes ago does not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from shopcare.app import ShopCare, build
from shopcare.ui.site import site_app
from tests.conftest import PUBLIC_URL, FakeClock
from tests.services.helpers import make_order


@pytest.fixture
async def site(shopcare: ShopCare) -> AsyncIterator[httpx.AsyncClient]:
    """The site app with the real scheduler, paused: the test runs the jobs itself."""
    shopcare.start_scheduler()
    assert shopcare.scheduler is not None
    shopcare.scheduler.pause()
    transport = httpx.ASGITransport(site_app(shopcare))
    try:
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
            yield http
    finally:
        if shopcare.scheduler.running:
            shopcare.scheduler.shutdown(wait=False)


async def health(site: httpx.AsyncClient) -> tuple[int, dict[str, Any]]:
    answer = await site.get("/healthz")
    return answer.status_code, answer.json()


async def run_job(shopcare: ShopCare, name: str) -> None:
    """The job exactly as the scheduler calls it."""
    assert shopcare.scheduler is not None
    job = shopcare.scheduler.get_job(name)
    assert job is not None
    await job.func()


async def test_jobs_that_have_not_succeeded_for_five_minutes_fail_the_check(
    site: httpx.AsyncClient, shopcare: ShopCare, clock: FakeClock
) -> None:
    status, body = await health(site)
    assert status == 200, body  # just started: nothing has run yet, nothing is late
    assert body["jobs"]["poll"]["last_success"] is None
    assert body["store"] == {"writable": True, "state": "writable"}

    clock.advance(minutes=5, seconds=1)
    status, body = await health(site)
    assert status == 503
    assert body["problems"] == [
        "poll has not succeeded for 5 minutes",
        "dispatch has not succeeded for 5 minutes",
    ]

    await run_job(shopcare, "poll")
    await run_job(shopcare, "dispatch")
    status, body = await health(site)
    assert status == 200, body
    assert body["jobs"]["poll"]["age_s"] == 0
    clock.advance(minutes=4)
    assert (await health(site))[1]["jobs"]["dispatch"]["age_s"] == 240

    clock.advance(minutes=1, seconds=1)
    status, body = await health(site)
    assert status == 503
    assert body["jobs"]["poll"]["stale"] and body["jobs"]["dispatch"]["stale"]


async def test_the_outbox_backlog_and_its_oldest_message_are_reported(
    site: httpx.AsyncClient, shopcare: ShopCare, clock: FakeClock
) -> None:
    assert (await health(site))[1]["outbox"] == {"queued": 0, "oldest_queued_age_s": None}
    other = build(shopcare.settings, clock=clock, simulated=True)  # another process: the app
    make_order(other)  # is not woken, its confirmation waits in the outbox for the tick
    clock.advance(minutes=3)
    make_order(other, number="1002", tracking="SIMOK100002")
    other.engine.dispose()
    clock.advance(minutes=1)
    _, body = await health(site)
    assert body["outbox"] == {"queued": 2, "oldest_queued_age_s": 240.0}
    await run_job(shopcare, "dispatch")
    assert (await health(site))[1]["outbox"]["queued"] == 0


async def test_a_stopped_scheduler_fails_the_check(
    site: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    assert shopcare.scheduler is not None
    shopcare.scheduler.shutdown(wait=False)
    status, body = await health(site)
    assert status == 503
    assert body["problems"] == ["the scheduler is not running"]
