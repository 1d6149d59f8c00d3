"""The scheduled jobs' wrapper (``shopcare.job_runs``)."""

import asyncio

import pytest

from shopcare.app import ShopCare
from shopcare.job_runs import JobRuns


async def test_a_job_cut_by_the_stopping_process_ends_quietly(shopcare: ShopCare) -> None:
    """uvicorn cancels running jobs when it stops; APScheduler logged each as a crash with a
    traceback (seen in the README's run command's output on SIGTERM)."""
    started = asyncio.Event()

    async def long_job() -> None:
        started.set()
        await asyncio.Event().wait()  # until cancelled

    runs = JobRuns(engine=shopcare.engine, clock=shopcare.clock, started_at=shopcare.clock())
    task = asyncio.create_task(runs.wrap("dispatch", long_job)())
    await started.wait()
    task.cancel()
    assert await task is None
    assert runs.runs["dispatch"].last_success is None  # not counted as a success


async def test_a_failing_job_still_raises_for_the_scheduler_to_log(shopcare: ShopCare) -> None:
    async def broken() -> None:
        raise RuntimeError("boom")

    runs = JobRuns(engine=shopcare.engine, clock=shopcare.clock, started_at=shopcare.clock())
    with pytest.raises(RuntimeError):
        await runs.wrap("poll", broken)()
    assert runs.runs["poll"].last_error == "RuntimeError: boom"
