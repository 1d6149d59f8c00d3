"""Signed-in admin browsers, kept in the store so that signing out really ends them.

The cookie carries a random token; the store keeps only its SHA-256 (``AdminSession``), so
a copy of the database cannot be turned into a cookie. Every admin request looks the token
up (``check_session``); deleting the row is signing out. The owner's idle timeout is a
settings group; the rules for when a session is over live in ``domain.admin_sessions``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import AdminSession, AdminUser
from shopcare.domain.admin_sessions import (
    ABSOLUTE,
    DEFAULT_IDLE,
    IDLE_CHOICES,
    browser_name,
    is_expired,
    needs_touch,
)
from shopcare.domain.roles import Role
from shopcare.domain.utc import as_utc
from shopcare.services.errors import InputError
from shopcare.services.shop.settings_rows import load_group, update_group

_KEY = "admin_sessions"


@dataclass(frozen=True)
class SessionRules:
    """The owner's choice, as a settings group (no migration when it grows)."""

    idle_minutes: int = int(DEFAULT_IDLE.total_seconds() // 60)

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.idle_minutes)


@dataclass(frozen=True)
class LiveSession:
    """Who a request belongs to: the account and which of its sessions."""

    session_id: int
    user_id: int
    role: Role = Role.OWNER
    username: str = ""


@dataclass(frozen=True)
class SessionView:
    """One line of the account page's list of signed-in browsers."""

    session_id: int
    address: str
    browser: str
    user_agent: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def get_session_rules(sessions: SessionFactory) -> SessionRules:
    with sessions() as session:
        return load_group(session, _KEY, SessionRules)


def set_idle_timeout(sessions: SessionFactory, *, idle: timedelta) -> SessionRules:
    """Only the offered choices: a typo cannot keep a browser signed in for a year."""

    def check(rules: SessionRules) -> None:
        if rules.idle not in IDLE_CHOICES:
            raise InputError("choose one of the offered idle timeouts")

    minutes = int(idle.total_seconds() // 60)
    return update_group(sessions, _KEY, SessionRules, {"idle_minutes": minutes}, check=check)


def start_session(
    sessions: SessionFactory, *, user_id: int, address: str, user_agent: str, now: datetime
) -> str:
    """A new signed-in browser; returns the token for its cookie (shown nowhere else).
    Sessions of browsers that never came back are cleared out on the way."""
    token = secrets.token_urlsafe(32)
    with transaction(sessions) as session:
        idle = load_group(session, _KEY, SessionRules).idle
        utc = now.astimezone(UTC)  # stored in UTC, compared as text
        session.execute(
            sa.delete(AdminSession).where(
                sa.or_(
                    col(AdminSession.last_seen_at) <= utc - idle,
                    col(AdminSession.created_at) <= utc - ABSOLUTE,
                )
            )
        )
        session.add(
            AdminSession(
                token_hash=token_hash(token),
                user_id=user_id,
                created_at=now,
                last_seen_at=now,
                address=address[:64],
                user_agent=user_agent[:300],
            )
        )
    return token


def check_session(
    sessions: SessionFactory, *, token: str, now: datetime, touch: bool = True
) -> LiveSession | None:
    """The live session behind a cookie's token, or None. An expired row is deleted; a live
    one records the activity (``touch``) when its last record is a minute old, not on every
    request; an open socket's pings check without counting as activity."""
    if not token:
        return None
    with sessions() as session:
        found = session.exec(
            select(AdminSession, AdminUser)
            .join(AdminUser, col(AdminUser.id) == col(AdminSession.user_id))
            .where(col(AdminSession.token_hash) == token_hash(token))
        ).first()
        rules = load_group(session, _KEY, SessionRules)
    if found is None or found[0].id is None:
        return None
    row, user = found
    created, seen = as_utc(row.created_at), as_utc(row.last_seen_at)
    if is_expired(created_at=created, last_seen_at=seen, now=now, idle=rules.idle):
        _delete(sessions, col(AdminSession.id) == row.id)
        return None
    if touch and needs_touch(last_seen_at=seen, now=now):
        with transaction(sessions) as session:
            session.execute(
                sa.update(AdminSession)
                .where(col(AdminSession.id) == row.id)
                .values(last_seen_at=now)
            )
    return LiveSession(
        session_id=row.id, user_id=row.user_id, role=Role(user.role), username=user.username
    )


def end_session(sessions: SessionFactory, *, token: str) -> list[int]:
    """Sign one browser out; the ids ended (none when the token was unknown)."""
    return _delete(sessions, col(AdminSession.token_hash) == token_hash(token))


def end_other_sessions(sessions: SessionFactory, *, user_id: int, keep: int) -> list[int]:
    """Every session of the account but ``keep`` (this browser); the ids ended."""
    return _delete(sessions, col(AdminSession.user_id) == user_id, col(AdminSession.id) != keep)


def end_all_sessions(sessions: SessionFactory, *, user_id: int) -> list[int]:
    """ "Sign out everywhere", this browser included; the ids ended."""
    return _delete(sessions, col(AdminSession.user_id) == user_id)


def list_sessions(
    sessions: SessionFactory, *, user_id: int, current: int, now: datetime
) -> list[SessionView]:
    """The account's live sessions, most recently seen first (expired ones left out)."""
    with sessions() as session:
        rows = session.exec(
            select(AdminSession)
            .where(col(AdminSession.user_id) == user_id)
            .order_by(col(AdminSession.last_seen_at).desc())
        ).all()
        rules = load_group(session, _KEY, SessionRules)
    views = []
    for row in rows:
        created, seen = as_utc(row.created_at), as_utc(row.last_seen_at)
        if row.id is None or is_expired(
            created_at=created, last_seen_at=seen, now=now, idle=rules.idle
        ):
            continue
        views.append(
            SessionView(
                session_id=row.id,
                address=row.address,
                browser=browser_name(row.user_agent),
                user_agent=row.user_agent,
                created_at=created,
                last_seen_at=seen,
                current=row.id == current,
            )
        )
    return views


def _delete(sessions: SessionFactory, *where: sa.ColumnElement[bool]) -> list[int]:
    with transaction(sessions) as session:
        ids = list(session.exec(select(AdminSession.id).where(*where)).all())
        if ids:
            session.execute(sa.delete(AdminSession).where(col(AdminSession.id).in_(ids)))
    return [i for i in ids if i is not None]
