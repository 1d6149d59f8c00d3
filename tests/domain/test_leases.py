from datetime import UTC, datetime, timedelta

from shopcare.domain.leases import LeaseSeen, lease_is_dead

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TTL = timedelta(seconds=60)
STARTED = NOW - timedelta(hours=3)


def seen(**changes: object) -> LeaseSeen:
    facts: dict[str, object] = {
        "heartbeat_at": NOW - timedelta(seconds=10),
        "started_at": STARTED,
        "same_host": True,
        "pid_alive": True,
        "pid_started_at": STARTED + timedelta(milliseconds=400),
    }
    facts.update(changes)
    return LeaseSeen(**facts)  # type: ignore[arg-type]


def test_a_recent_heartbeat_of_a_running_process_is_alive() -> None:
    assert not lease_is_dead(seen(), now=NOW, ttl=TTL)


def test_a_heartbeat_older_than_the_ttl_is_dead_wherever_it_runs() -> None:
    old = NOW - timedelta(seconds=61)
    assert lease_is_dead(seen(heartbeat_at=old), now=NOW, ttl=TTL)
    assert lease_is_dead(seen(heartbeat_at=old, same_host=False), now=NOW, ttl=TTL)


def test_on_this_host_a_gone_pid_is_dead_at_once() -> None:
    assert lease_is_dead(seen(pid_alive=False, pid_started_at=None), now=NOW, ttl=TTL)


def test_a_pid_now_held_by_a_process_started_later_was_reused() -> None:
    later = STARTED + timedelta(minutes=5)
    assert lease_is_dead(seen(pid_started_at=later), now=NOW, ttl=TTL)


def test_without_a_start_time_a_live_pid_counts_as_the_same_process() -> None:
    assert not lease_is_dead(seen(pid_started_at=None), now=NOW, ttl=TTL)


def test_from_another_host_only_the_heartbeat_tells() -> None:
    other = seen(same_host=False, pid_alive=False, pid_started_at=None)
    assert not lease_is_dead(other, now=NOW, ttl=TTL)


def test_a_heartbeat_ahead_of_this_clock_is_alive() -> None:
    assert not lease_is_dead(seen(heartbeat_at=NOW + timedelta(minutes=5)), now=NOW, ttl=TTL)
