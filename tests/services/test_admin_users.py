"""The owner's rules for accounts: one owner always stays, nobody locks themselves out, and
a changed role or a removed account signs that account's browsers out."""

from __future__ import annotations

import pytest
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import AdminUser
from shopcare.domain.roles import Role
from shopcare.services.accounts.admin_sessions import check_session, start_session
from shopcare.services.accounts.auth import check_login, set_password
from shopcare.services.accounts.users import add_user, list_users, remove_user, set_role
from shopcare.services.errors import InputError
from tests.conftest import FakeClock

PASSWORD = "a long enough password"


def ids(app: ShopCare) -> dict[str, int]:
    with app.sessions() as session:
        return {u.username: u.id or 0 for u in session.exec(select(AdminUser))}


def test_staff_are_added_with_their_role_and_can_sign_in(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    set_password(shopcare.sessions, username="ada", password=PASSWORD, now=clock())
    add_user(shopcare.sessions, username=" bo ", password=PASSWORD, role=Role.STAFF, now=clock())
    assert [(u.username, u.role) for u in list_users(shopcare.sessions)] == [
        ("ada", Role.OWNER),
        ("bo", Role.STAFF),
    ]
    assert check_login(shopcare.sessions, username="bo", password=PASSWORD) == ids(shopcare)["bo"]
    with pytest.raises(InputError, match="there is an account 'bo' already"):
        add_user(shopcare.sessions, username="bo", password=PASSWORD, role=Role.OWNER, now=clock())


def test_the_last_owner_stays_and_nobody_locks_themselves_out(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    set_password(shopcare.sessions, username="ada", password=PASSWORD, now=clock())
    add_user(shopcare.sessions, username="bo", password=PASSWORD, role=Role.STAFF, now=clock())
    ada, bo = ids(shopcare)["ada"], ids(shopcare)["bo"]
    with pytest.raises(InputError, match="from yourself"):
        set_role(shopcare.sessions, user_id=ada, role=Role.STAFF, by=ada)
    with pytest.raises(InputError, match="your own account"):
        remove_user(shopcare.sessions, user_id=ada, by=ada)
    set_role(shopcare.sessions, user_id=bo, role=Role.OWNER, by=ada)
    set_role(shopcare.sessions, user_id=ada, role=Role.STAFF, by=bo)
    with pytest.raises(InputError, match="the shop needs one owner"):
        remove_user(shopcare.sessions, user_id=bo, by=ada)  # staff cannot reach it; still
    remove_user(shopcare.sessions, user_id=ada, by=bo)
    assert [(u.username, u.role) for u in list_users(shopcare.sessions)] == [("bo", Role.OWNER)]


def test_a_changed_role_signs_the_account_out_and_the_session_carries_the_role(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    set_password(shopcare.sessions, username="ada", password=PASSWORD, now=clock())
    add_user(shopcare.sessions, username="bo", password=PASSWORD, role=Role.STAFF, now=clock())
    ada, bo = ids(shopcare)["ada"], ids(shopcare)["bo"]
    token = start_session(shopcare.sessions, user_id=bo, now=clock(), address="", user_agent="")
    live = check_session(shopcare.sessions, token=token, now=clock())
    assert live is not None and (live.role, live.username) == (Role.STAFF, "bo")
    ended = set_role(shopcare.sessions, user_id=bo, role=Role.OWNER, by=ada)
    assert ended == [live.session_id]
    assert check_session(shopcare.sessions, token=token, now=clock()) is None
