"""Limits counted in the store (``services.limits``), on SQLite and, with
``SHOPCARE_TEST_POSTGRES``, on PostgreSQL: the same rule as the domain's, one budget however
many threads or engines (processes) ask at once, keys kept only as HMACs, ended windows
removed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.engine import make_engine, session_factory
from shopcare.db.models import RateLimit
from shopcare.domain.ratelimit import Limit, Window, next_window, verdict
from shopcare.services.limits.attempts import Limiter, forget_ended_windows
from tests.conftest import FakeClock
from tests.store import every_row_as_text

LIMIT = Limit("test_limit", attempts=3, window=timedelta(minutes=10))


@pytest.fixture
def limiter(shopcare: ShopCare) -> Limiter:
    return Limiter(shopcare.sessions, LIMIT, shopcare.settings.secret)


@pytest.fixture
def second_engine(shopcare: ShopCare) -> Iterator[sa.Engine]:
    """The same store through an engine of its own, as another process would have."""
    engine = make_engine(shopcare.settings.database_url)
    yield engine
    engine.dispose()


def test_the_store_counts_as_the_domain_rule_says(limiter: Limiter, clock: FakeClock) -> None:
    steps = [0, 1, 2, 3, 3, 1, 0, 5, 0, 0, 0, 0, 11, 0]  # minutes between attempts
    window: Window | None = None
    for minutes in steps:
        now = clock.advance(minutes=minutes)
        window = next_window(LIMIT, window, now=now)
        assert limiter.attempt("203.0.113.9", now=now) == verdict(LIMIT, window, now=now)


def test_keys_and_limits_count_apart_and_reading_the_wait_counts_nothing(
    shopcare: ShopCare, limiter: Limiter, clock: FakeClock
) -> None:
    other = Limiter(shopcare.sessions, Limit("other", 3, LIMIT.window), shopcare.settings.secret)
    for _ in range(3):
        assert limiter.attempt("a", now=clock()).allowed
    assert limiter.retry_after("a", now=clock.advance(minutes=4)) == timedelta(minutes=6)
    assert not limiter.attempt("a", now=clock()).allowed
    assert limiter.attempt("b", now=clock()).allowed
    assert other.attempt("a", now=clock()).allowed
    for _ in range(5):
        assert limiter.retry_after("b", now=clock()) == timedelta(0)
    assert limiter.attempt("b", now=clock()).allowed


def test_only_an_hmac_of_each_key_is_stored(shopcare: ShopCare, limiter: Limiter) -> None:
    limiter.attempt("guesser@example.com", now=shopcare.clock())
    limiter.attempt("198.51.100.77", now=shopcare.clock())

    stored = every_row_as_text(shopcare.engine)
    assert "guesser@example.com" not in stored and "198.51.100.77" not in stored
    with shopcare.sessions() as session:
        hashes = {row.key_hash for row in session.exec(select(RateLimit))}
    assert hashes == {limiter.hashed("guesser@example.com"), limiter.hashed("198.51.100.77")}
    another_secret = Limiter(shopcare.sessions, LIMIT, "another secret")
    assert another_secret.hashed("198.51.100.77") not in hashes


def test_ended_windows_are_forgotten_and_running_ones_kept(
    shopcare: ShopCare, limiter: Limiter, clock: FakeClock
) -> None:
    longer = Limiter(shopcare.sessions, Limit("longer", 3, timedelta(hours=1)), "s")
    limiter.attempt("short", now=clock())
    longer.attempt("long", now=clock())

    assert forget_ended_windows(shopcare.sessions, now=clock.advance(minutes=9)) == 0
    assert forget_ended_windows(shopcare.sessions, now=clock.advance(minutes=1)) == 1
    with shopcare.sessions() as session:
        assert [row.name for row in session.exec(select(RateLimit))] == ["longer"]


def test_threads_on_two_engines_hammering_one_key_get_exactly_the_limit(
    shopcare: ShopCare, second_engine: sa.Engine, clock: FakeClock
) -> None:
    """Each attempt is one atomic statement: however the threads interleave, and whichever
    engine (process) they use, exactly ``attempts`` of them pass."""
    limit = Limit("hammered", attempts=25, window=timedelta(minutes=10))
    secret = shopcare.settings.secret
    limiters = [
        Limiter(shopcare.sessions, limit, secret),
        Limiter(session_factory(second_engine), limit, secret),
    ]
    start = threading.Barrier(8)
    passed: list[bool] = []
    errors: list[BaseException] = []

    def hammer(limiter: Limiter) -> None:
        start.wait()
        try:
            for _ in range(10):
                passed.append(limiter.attempt("10.0.0.1", now=clock()).allowed)
        except BaseException as exc:  # reported below, with the thread's own traceback
            errors.append(exc)

    threads = [threading.Thread(target=hammer, args=(limiters[n % 2],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(passed) == 80 and passed.count(True) == 25
    with shopcare.sessions() as session:
        row = session.exec(select(RateLimit)).one()
    assert row.hits == 26  # one past the limit: the refusals did not count on


async def test_the_leaders_housekeeping_forgets_ended_windows(
    shopcare: ShopCare, limiter: Limiter, clock: FakeClock
) -> None:
    limiter.attempt("198.51.100.1", now=clock())
    clock.advance(minutes=10)

    await shopcare.reconcile_once()  # the leader's 15-minute job

    with shopcare.sessions() as session:
        assert session.exec(select(RateLimit)).all() == []
