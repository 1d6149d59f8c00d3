"""Admin sessions in a real SQLite store: started, found, ended, timed out, and ended by a
new password. The test's clock moves instead of sleeping."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import AdminSession, AdminUser
from shopcare.domain.admin_sessions import ABSOLUTE
from shopcare.services.accounts.admin_sessions import (
    check_session,
    end_all_sessions,
    end_session,
    get_session_rules,
    list_sessions,
    set_idle_timeout,
    start_session,
)
from shopcare.services.accounts.auth import change_password, check_login, set_password
from shopcare.services.errors import InputError
from tests.conftest import FakeClock

OWNER, PASSWORD = "owner", "correct horse battery"


@pytest.fixture
def owner(shopcare: ShopCare) -> int:
    set_password(shopcare.sessions, username=OWNER, password=PASSWORD, now=shopcare.clock())
    user_id = check_login(shopcare.sessions, username=OWNER, password=PASSWORD)
    assert user_id is not None
    return user_id


def start(shopcare: ShopCare, user_id: int, agent: str = "Firefox/128.0 (X11; Linux)") -> str:
    return start_session(
        shopcare.sessions,
        user_id=user_id,
        address="192.0.2.10",
        user_agent=agent,
        now=shopcare.clock(),
    )


def rows(shopcare: ShopCare) -> list[AdminSession]:
    with shopcare.sessions() as session:
        return list(session.exec(select(AdminSession)).all())


def test_only_the_tokens_hash_is_stored(shopcare: ShopCare, owner: int) -> None:
    token = start(shopcare, owner)
    (row,) = rows(shopcare)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash
    live = check_session(shopcare.sessions, token=token, now=shopcare.clock())
    assert live is not None and (live.user_id, live.session_id) == (owner, row.id)
    assert check_session(shopcare.sessions, token=row.token_hash, now=shopcare.clock()) is None


def test_signing_out_ends_that_session_only(shopcare: ShopCare, owner: int) -> None:
    mine, other = start(shopcare, owner), start(shopcare, owner)
    assert len(end_session(shopcare.sessions, token=mine)) == 1
    assert check_session(shopcare.sessions, token=mine, now=shopcare.clock()) is None
    assert check_session(shopcare.sessions, token=other, now=shopcare.clock()) is not None


def test_the_last_activity_is_written_once_a_minute(
    shopcare: ShopCare, owner: int, clock: FakeClock
) -> None:
    token = start(shopcare, owner)
    started = clock.now
    clock.advance(seconds=59)
    check_session(shopcare.sessions, token=token, now=clock())
    assert rows(shopcare)[0].last_seen_at.replace(tzinfo=started.tzinfo) == started
    clock.advance(seconds=1)
    check_session(shopcare.sessions, token=token, now=clock())
    assert rows(shopcare)[0].last_seen_at.replace(tzinfo=started.tzinfo) == clock.now
    clock.advance(minutes=5)
    check_session(shopcare.sessions, token=token, now=clock(), touch=False)  # a socket's ping
    assert rows(shopcare)[0].last_seen_at.replace(tzinfo=started.tzinfo) < clock.now


def test_an_idle_session_ends_after_the_owners_timeout(
    shopcare: ShopCare, owner: int, clock: FakeClock
) -> None:
    assert get_session_rules(shopcare.sessions).idle == timedelta(hours=12)
    set_idle_timeout(shopcare.sessions, idle=timedelta(hours=1))
    token = start(shopcare, owner)
    clock.advance(minutes=59)
    assert check_session(shopcare.sessions, token=token, now=clock()) is not None
    clock.advance(minutes=59)  # an hour after the last request, not after the first
    assert check_session(shopcare.sessions, token=token, now=clock()) is not None
    clock.advance(hours=1)
    assert check_session(shopcare.sessions, token=token, now=clock()) is None
    assert rows(shopcare) == []  # the expired row is gone, not just refused


def test_a_busy_session_ends_at_the_absolute_limit(
    shopcare: ShopCare, owner: int, clock: FakeClock
) -> None:
    token = start(shopcare, owner)
    for _ in range(int(ABSOLUTE / timedelta(hours=6)) - 1):
        clock.advance(hours=6)
        assert check_session(shopcare.sessions, token=token, now=clock()) is not None
    clock.advance(hours=6)
    assert check_session(shopcare.sessions, token=token, now=clock()) is None


def test_only_offered_idle_timeouts_are_accepted(shopcare: ShopCare) -> None:
    with pytest.raises(InputError):
        set_idle_timeout(shopcare.sessions, idle=timedelta(days=365))
    assert get_session_rules(shopcare.sessions).idle == timedelta(hours=12)


def test_a_new_password_ends_every_other_session(shopcare: ShopCare, owner: int) -> None:
    mine, other, third = (start(shopcare, owner) for _ in range(3))
    live = check_session(shopcare.sessions, token=mine, now=shopcare.clock())
    assert live is not None
    with pytest.raises(InputError, match="current password is wrong"):
        change_password(
            shopcare.sessions,
            user_id=owner,
            current="a guess",
            new="another long password",
            keep_session=live.session_id,
        )
    assert len(rows(shopcare)) == 3
    ended = change_password(
        shopcare.sessions,
        user_id=owner,
        current=PASSWORD,
        new="another long password",
        keep_session=live.session_id,
    )
    assert len(ended) == 2
    assert [r.id for r in rows(shopcare)] == [live.session_id]
    for token in (other, third):
        assert check_session(shopcare.sessions, token=token, now=shopcare.clock()) is None
    assert check_login(shopcare.sessions, username=OWNER, password="another long password")


def test_setting_the_password_from_the_command_line_ends_every_session(
    shopcare: ShopCare, owner: int
) -> None:
    start(shopcare, owner)
    set_password(
        shopcare.sessions, username=OWNER, password="a brand new password", now=shopcare.clock()
    )
    assert rows(shopcare) == []


def test_sign_out_everywhere_and_the_list_of_sessions(
    shopcare: ShopCare, owner: int, clock: FakeClock
) -> None:
    mine = start(shopcare, owner)
    clock.advance(minutes=5)
    start(shopcare, owner, agent="Mozilla/5.0 (iPhone) Safari/604.1")
    with shopcare.sessions() as session:
        other_user = AdminUser(username="helper", password_hash="x", created_at=clock())
        session.add(other_user)
        session.commit()
        assert other_user.id is not None
    start(shopcare, other_user.id)
    live = check_session(shopcare.sessions, token=mine, now=clock())
    assert live is not None
    listed = list_sessions(shopcare.sessions, user_id=owner, current=live.session_id, now=clock())
    assert [(v.browser, v.address, v.current) for v in listed] == [
        ("Firefox on Linux", "192.0.2.10", True),  # just seen: first
        ("Safari on iOS", "192.0.2.10", False),
    ]
    assert len(end_all_sessions(shopcare.sessions, user_id=owner)) == 2
    assert [r.user_id for r in rows(shopcare)] == [other_user.id]


def test_signing_in_clears_out_sessions_long_expired(
    shopcare: ShopCare, owner: int, clock: FakeClock
) -> None:
    start(shopcare, owner)
    clock.advance(hours=13)
    fresh = start(shopcare, owner)
    assert len(rows(shopcare)) == 1
    assert check_session(shopcare.sessions, token=fresh, now=clock()) is not None
