"""Admin accounts: argon2-hashed passwords, first-run set-up, and the demo's one-time password.

A new password ends the account's other signed-in sessions in the same transaction: whoever
knew the old one must not stay in through a cookie."""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import AdminSession, AdminUser
from shopcare.services.accounts.demo_password import HASHER as _HASHER
from shopcare.services.accounts.demo_password import DemoPassword
from shopcare.services.errors import InputError

MIN_PASSWORD = 10


def has_admin(sessions: SessionFactory) -> bool:
    with sessions() as session:
        return session.exec(select(AdminUser).limit(1)).first() is not None


def set_password(sessions: SessionFactory, *, username: str, password: str, now: datetime) -> None:
    """Create the account or change its password (``shopcare set-password``: every browser
    signed in to the account is signed out)."""
    username = username.strip()
    if not username:
        raise InputError("choose a user name")
    _check_new(password)
    with transaction(sessions) as session:
        user = session.exec(select(AdminUser).where(AdminUser.username == username)).first()
        if user is None:
            user = AdminUser(username=username, password_hash="", created_at=now)
        else:
            session.execute(sa.delete(AdminSession).where(col(AdminSession.user_id) == user.id))
        user.password_hash = _HASHER.hash(password)
        session.add(user)


def change_password(
    sessions: SessionFactory, *, user_id: int, current: str, new: str, keep_session: int
) -> list[int]:
    """The account page's change: the current password first, then every session of the
    account but this browser's (``keep_session``) ends. Returns the ended sessions' ids."""
    _check_new(new)
    with transaction(sessions) as session:
        user = session.get(AdminUser, user_id)
        if user is None or not _verifies(user.password_hash, current):
            raise InputError("the current password is wrong")
        user.password_hash = _HASHER.hash(new)
        session.add(user)
        others = (col(AdminSession.user_id) == user_id, col(AdminSession.id) != keep_session)
        ended = list(session.exec(select(AdminSession.id).where(*others)).all())
        session.execute(sa.delete(AdminSession).where(*others))
    return [i for i in ended if i is not None]


def _check_new(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password needs at least {MIN_PASSWORD} characters")


def _verifies(stored: str, password: str) -> bool:
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    return True


def create_first_admin(
    sessions: SessionFactory, *, username: str, password: str, now: datetime
) -> None:
    """First-run set-up: refused once any account exists, so the page cannot be reused."""
    if has_admin(sessions):
        raise InputError("an admin account exists already; sign in instead")
    set_password(sessions, username=username, password=password, now=now)


def create_demo_admin(
    sessions: SessionFactory, *, now: datetime, prepared: DemoPassword | None = None
) -> str | None:
    """A generated password for the demo, returned once to be printed; None if one exists."""
    if has_admin(sessions):
        return None
    demo = prepared or DemoPassword()
    with transaction(sessions) as session:
        session.add(AdminUser(username="admin", password_hash=demo.hashed(), created_at=now))
    return demo.password


def check_login(sessions: SessionFactory, *, username: str, password: str) -> int | None:
    """The user's id when the password is right. Unknown users cost the same hashing time."""
    with sessions() as session:
        user = session.exec(select(AdminUser).where(AdminUser.username == username.strip())).first()
    stored = user.password_hash if user else _dummy_hash()
    if not _verifies(stored, password):
        return None
    return user.id if user else None


@cache
def _dummy_hash() -> str:
    """Made on first use, not at import: hashing costs ~0.1 s of start-up."""
    return _HASHER.hash(secrets.token_urlsafe(16))
