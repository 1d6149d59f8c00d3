"""How long the shop keeps what it no longer needs (GDPR's storage limitation), as the owner
sets it: return photos N days after the return is settled, messages' contents N days after
they were written. 0 keeps them forever, the default: nothing is deleted until the owner
says so.

A message keeps its row (kind, channel, status, dates: the dashboard counts them) and loses
its recipient, subject and error; the dev mailbox's copies of the same age go. A pass runs
at most once a day (``PASS_EVERY``) from the scheduler, on the leading process only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import OutboxMessage, ReturnPhoto, ReturnRequest, Setting
from shopcare.domain.privacy import retention_cutoff, retention_problem
from shopcare.domain.returns import ReturnStatus
from shopcare.notify.base import Channel
from shopcare.services.errors import InputError
from shopcare.services.messages.outbox import FAILED, SENT, SKIPPED
from shopcare.services.privacy.erase import remove_files
from shopcare.services.returns.photos import PHOTO_DIR
from shopcare.services.shop.settings_rows import load_group, update_group

KEY = "retention"
LAST_RUN = "retention_last_run"
"""When the last pass ran (ISO 8601), kept apart from the owner's settings so the job never
writes over a change the owner is saving."""
PASS_EVERY = timedelta(days=1)
SETTLED = tuple(s.value for s in ReturnStatus if s.settled)
FINISHED = (SENT, FAILED, SKIPPED)


@dataclass(frozen=True)
class RetentionSettings:
    photo_days: int = 0
    """Return photos are deleted this many days after the return is settled; 0: kept."""
    message_days: int = 0
    """Messages lose recipient, subject and error this many days after; 0: kept."""


@dataclass(frozen=True)
class RetentionReport:
    photos: int = 0
    messages: int = 0
    mails: int = 0


def retention_settings(sessions: SessionFactory) -> RetentionSettings:
    with sessions() as session:
        return load_group(session, KEY, RetentionSettings)


def save_retention(
    sessions: SessionFactory, *, photo_days: int | None, message_days: int | None
) -> RetentionSettings:
    """Empty (None) is 0: keep forever."""

    def check(settings: RetentionSettings) -> None:
        for days in (settings.photo_days, settings.message_days):
            if problem := retention_problem(days):
                raise InputError(problem)

    changes = {"photo_days": photo_days or 0, "message_days": message_days or 0}
    return update_group(sessions, KEY, RetentionSettings, changes, check=check)


def apply_retention_if_due(
    sessions: SessionFactory, *, data_dir: Path, mailbox_dir: Path, now: datetime
) -> RetentionReport | None:
    """The scheduler's pass: None when the last one was less than ``PASS_EVERY`` ago."""
    with transaction(sessions) as session:
        row = session.get(Setting, LAST_RUN) or Setting(key=LAST_RUN)
        if row.value and now - datetime.fromisoformat(row.value) < PASS_EVERY:
            return None
        row.value = now.astimezone(UTC).isoformat()
        session.add(row)
    return apply_retention(sessions, data_dir=data_dir, mailbox_dir=mailbox_dir, now=now)


def apply_retention(
    sessions: SessionFactory, *, data_dir: Path, mailbox_dir: Path, now: datetime
) -> RetentionReport:
    settings = retention_settings(sessions)
    photos = _old_photos(sessions, retention_cutoff(settings.photo_days, now=now))
    if photos:
        remove_files([data_dir / PHOTO_DIR / name for _, name in photos])
        with transaction(sessions) as session:
            ids = [photo_id for photo_id, _ in photos]
            session.execute(sa.delete(ReturnPhoto).where(col(ReturnPhoto.id).in_(ids)))
    cutoff = retention_cutoff(settings.message_days, now=now)
    messages = _empty_messages(sessions, cutoff) if cutoff else 0
    mails = _old_mails(mailbox_dir, cutoff) if cutoff else []
    remove_files(mails)
    return RetentionReport(photos=len(photos), messages=messages, mails=len(mails))


def _old_photos(sessions: SessionFactory, cutoff: datetime | None) -> list[tuple[int, str]]:
    """(id, file name) of the photos of returns settled before ``cutoff``; the last change
    of a settled return is its settlement."""
    if cutoff is None:
        return []
    settled_at = sa.func.coalesce(ReturnRequest.updated_at, ReturnRequest.created_at)
    with sessions() as session:
        rows = session.exec(
            select(ReturnPhoto.id, ReturnPhoto.stored_name)
            .join(ReturnRequest, col(ReturnRequest.id) == ReturnPhoto.return_id)
            .where(col(ReturnRequest.status).in_(SETTLED), settled_at < cutoff.astimezone(UTC))
        ).all()
    return [(photo_id or 0, name) for photo_id, name in rows]


def _empty_messages(sessions: SessionFactory, cutoff: datetime) -> int:
    personal = col(OutboxMessage.channel) != Channel.WEBHOOK  # its recipient is "owner"
    with transaction(sessions) as session:
        done = session.execute(
            sa.update(OutboxMessage)
            .where(
                col(OutboxMessage.created_at) < cutoff.astimezone(UTC),
                col(OutboxMessage.status).in_(FINISHED),
                sa.or_(
                    col(OutboxMessage.subject) != "",
                    col(OutboxMessage.last_error) != "",
                    sa.and_(personal, col(OutboxMessage.recipient) != ""),
                ),
            )
            .values(
                subject="",
                last_error="",
                recipient=sa.case((personal, ""), else_=OutboxMessage.recipient),
            )
        )
        return int(done.rowcount)  # type: ignore[attr-defined]


def _old_mails(mailbox_dir: Path, cutoff: datetime) -> list[Path]:
    if not mailbox_dir.is_dir():
        return []
    before = cutoff.timestamp()
    return [p for p in mailbox_dir.glob("*.eml") if p.stat().st_mtime < before]
