"""Admin accounts: argon2-hashed passwords, first-run set-up, and the demo's one-time password."""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import AdminUser
from shopcare.services.errors import InputError

_HASHER = PasswordHasher()
MIN_PASSWORD = 10


def has_admin(sessions: SessionFactory) -> bool:
    with sessions() as session:
        return session.exec(select(AdminUser).limit(1)).first() is not None


def set_password(sessions: SessionFactory, *, username: str, password: str, now: datetime) -> None:
    """Create the account or change its password."""
    username = username.strip()
    if not username:
        raise InputError("choose a user name")
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password needs at least {MIN_PASSWORD} characters")
    with transaction(sessions) as session:
        user = session.exec(select(AdminUser).where(AdminUser.username == username)).first()
        if user is None:
            user = AdminUser(username=username, password_hash="", created_at=now)
        user.password_hash = _HASHER.hash(password)
        session.add(user)


def create_first_admin(
    sessions: SessionFactory, *, username: str, password: str, now: datetime
) -> None:
    """First-run set-up: refused once any account exists, so the page cannot be reused."""
    if has_admin(sessions):
        raise InputError("an admin account exists already; sign in instead")
    set_password(sessions, username=username, password=password, now=now)


def create_demo_admin(sessions: SessionFactory, *, now: datetime) -> str | None:
    """A generated password for the demo, returned once to be printed; None if one exists."""
    if has_admin(sessions):
        return None
    password = secrets.token_urlsafe(12)
    set_password(sessions, username="admin", password=password, now=now)
    return password


def check_login(sessions: SessionFactory, *, username: str, password: str) -> int | None:
    """The user's id when the password is right. Unknown users cost the same hashing time."""
    with sessions() as session:
        user = session.exec(select(AdminUser).where(AdminUser.username == username.strip())).first()
    stored = user.password_hash if user else _dummy_hash()
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return user.id if user else None


@cache
def _dummy_hash() -> str:
    """Made on first use, not at import: hashing costs ~0.1 s of start-up."""
    return _HASHER.hash(secrets.token_urlsafe(16))
