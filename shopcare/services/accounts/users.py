"""The admin's accounts as the owner manages them: who may sign in, with which role.

Rules the page cannot break: an owner cannot remove or demote themselves (they would lock
themselves out mid-click), and the shop always keeps one owner. Removing an account or
changing its role signs its browsers out, so a new role applies at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import AdminSession, AdminUser
from shopcare.domain.roles import Role
from shopcare.services.accounts.auth import set_password
from shopcare.services.errors import InputError


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    role: Role
    created_at: datetime


def list_users(sessions: SessionFactory) -> list[UserView]:
    with sessions() as session:
        users = session.exec(select(AdminUser).order_by(col(AdminUser.username))).all()
    return [UserView(u.id or 0, u.username, Role(u.role), u.created_at) for u in users]


def add_user(
    sessions: SessionFactory, *, username: str, password: str, role: Role, now: datetime
) -> None:
    """A new account; its password is given to the person once, who can change it under
    Account."""
    name = username.strip()
    with sessions() as session:
        if session.exec(select(AdminUser).where(AdminUser.username == name)).first():
            raise InputError(f"there is an account {name!r} already")
    set_password(sessions, username=name, password=password, now=now)
    with transaction(sessions) as session:
        session.execute(
            sa.update(AdminUser).where(col(AdminUser.username) == name).values(role=role.value)
        )


def set_role(sessions: SessionFactory, *, user_id: int, role: Role, by: int) -> list[int]:
    """The sessions ended (the account's browsers, so the role applies at once)."""
    if user_id == by and role is not Role.OWNER:
        raise InputError("you cannot take the owner's role from yourself")
    with transaction(sessions) as session:
        user = _user(session, user_id)
        _keep_an_owner(session, user, leaving=role is not Role.OWNER)
        user.role = role.value
        session.add(user)
        return _sign_out(session, user_id)


def remove_user(sessions: SessionFactory, *, user_id: int, by: int) -> list[int]:
    if user_id == by:
        raise InputError("you cannot remove your own account")
    with transaction(sessions) as session:
        user = _user(session, user_id)
        _keep_an_owner(session, user, leaving=True)
        ended = _sign_out(session, user_id)
        session.delete(user)
    return ended


def _user(session: Session, user_id: int) -> AdminUser:
    user = session.get(AdminUser, user_id)
    if user is None:
        raise InputError("that account does not exist any more")
    return user


def _keep_an_owner(session: Session, user: AdminUser, *, leaving: bool) -> None:
    if not leaving or user.role != Role.OWNER.value:
        return
    owners = session.exec(
        select(func.count()).select_from(AdminUser).where(AdminUser.role == Role.OWNER.value)
    ).one()
    if owners <= 1:
        raise InputError("the shop needs one owner: make another account owner first")


def _sign_out(session: Session, user_id: int) -> list[int]:
    where = col(AdminSession.user_id) == user_id
    ended = [i for i in session.exec(select(AdminSession.id).where(where)).all() if i]
    session.execute(sa.delete(AdminSession).where(where))
    return ended
