"""Keys for the REST API: made in the admin, shown once, kept only as a hash.

A key is ``sc_`` plus 43 random URL-safe characters (256 bits). The store keeps its SHA-256
(a fast hash is enough for a random secret of that size: there is nothing to guess) and its
first characters, so the owner can tell keys apart in the list. A revoked key stays listed,
so the owner sees when it was last used.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import ApiIdempotency, ApiKey
from shopcare.domain.utc import as_utc
from shopcare.services.errors import InputError

KEY_PREFIX = "sc_"
SHOWN_CHARS = 10
"""How much of the key the list shows: ``sc_`` and 7 random characters."""
USE_RECORDED_EVERY = timedelta(minutes=1)
"""``last_used_at`` is written at most this often per key: a script calling in a loop must
not turn every read into a write."""


@dataclass(frozen=True)
class ApiKeyRow:
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class NewKey:
    row: ApiKeyRow
    key: str
    """The whole key: shown to the owner this once, never stored."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def create_key(sessions: SessionFactory, name: str, *, now: datetime) -> NewKey:
    name = name.strip()
    if not name:
        raise InputError("give the key a name, e.g. the script or system that will use it")
    if len(name) > 100:
        raise InputError("the name can be at most 100 characters")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, prefix=key[:SHOWN_CHARS], key_hash=hash_key(key), created_at=now)
    with transaction(sessions) as session:
        session.add(row)
        session.flush()
        return NewKey(row=_row(row), key=key)


def list_keys(sessions: SessionFactory) -> list[ApiKeyRow]:
    """Active keys first, newest first."""
    with sessions() as session:
        rows = session.exec(
            select(ApiKey).order_by(
                col(ApiKey.revoked_at).is_not(None), col(ApiKey.created_at).desc()
            )
        ).all()
        return [_row(r) for r in rows]


def revoke_key(sessions: SessionFactory, key_id: int, *, now: datetime) -> bool:
    """False when there is no such key or it was already revoked."""
    with transaction(sessions) as session:
        result = session.execute(
            sa.update(ApiKey)
            .where(col(ApiKey.id) == key_id, col(ApiKey.revoked_at).is_(None))
            .values(revoked_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def verify_key(sessions: SessionFactory, presented: str, *, now: datetime) -> int | None:
    """The id of the active key ``presented`` is, or None.

    The lookup is by hash, so timing tells nothing about a stored key; the final comparison
    is constant-time all the same."""
    if not presented.startswith(KEY_PREFIX) or len(presented) > 200:
        return None
    digest = hash_key(presented)
    with sessions() as session:
        row = session.exec(select(ApiKey).where(ApiKey.key_hash == digest)).first()
    if row is None or row.id is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.key_hash, digest):
        return None
    last = row.last_used_at
    if last is None or as_utc(now) - as_utc(last) >= USE_RECORDED_EVERY:
        _record_use(sessions, row.id, now=now)
    return row.id


def _record_use(sessions: SessionFactory, key_id: int, *, now: datetime) -> None:
    with transaction(sessions) as session:
        session.execute(sa.update(ApiKey).where(col(ApiKey.id) == key_id).values(last_used_at=now))


def _row(key: ApiKey) -> ApiKeyRow:
    assert key.id is not None
    return ApiKeyRow(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        created_at=as_utc(key.created_at),
        last_used_at=as_utc(key.last_used_at) if key.last_used_at else None,
        revoked_at=as_utc(key.revoked_at) if key.revoked_at else None,
    )


ANSWERS_KEPT = timedelta(hours=24)
"""How long a create's answer is replayed for its ``Idempotency-Key``: a client retries
within minutes, and a day covers one that was down overnight."""


def forget_old_answers(sessions: SessionFactory, *, now: datetime) -> int:
    """Drop idempotency answers older than ``ANSWERS_KEPT``; how many went."""
    with transaction(sessions) as session:
        result = session.execute(
            sa.delete(ApiIdempotency).where(col(ApiIdempotency.created_at) < now - ANSWERS_KEPT)
        )
    return int(result.rowcount or 0)
