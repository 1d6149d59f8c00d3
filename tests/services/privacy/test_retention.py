"""The owner's retention periods (issue 15, §5): return photos N days after the return is
settled, messages' contents N days after they were written; 0 keeps them forever; a pass at
most once a day, from the scheduler, on the leading process only. Explicit times throughout."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import OutboxMessage, ReturnPhoto, ReturnRequest
from shopcare.services.errors import InputError
from shopcare.services.privacy.retention import (
    apply_retention,
    apply_retention_if_due,
    retention_settings,
    save_retention,
)
from shopcare.services.returns.photos import PHOTO_DIR
from shopcare.services.runtime.leader import LOCK_KEY
from tests.conftest import FakeClock
from tests.services.helpers import make_order
from tests.store import on_postgres

DAY = timedelta(days=1)


def photo_returns(app: ShopCare, clock: FakeClock) -> dict[str, Path]:
    """A settled return (refunded now) and one still open, each with a photo on disk."""
    order = make_order(app)
    folder = app.settings.data_dir / PHOTO_DIR
    folder.mkdir(parents=True)
    files = {}
    with transaction(app.sessions) as session:
        for status in ("refunded", "approved"):
            request = ReturnRequest(
                order_id=order.id or 0, rma=f"R-{status}", public_token=f"t-{status}",
                status=status, created_at=clock() - 20 * DAY, updated_at=clock(),
            )  # fmt: skip
            session.add(request)
            session.flush()
            name = f"{status}.jpg"
            session.add(
                ReturnPhoto(
                    return_id=request.id or 0, stored_name=name, content_type="image/jpeg",
                    size=3, created_at=clock() - 20 * DAY,
                )
            )  # fmt: skip
            files[status] = folder / name
            files[status].write_bytes(b"\xff\xd8\xff")
    return files


def apply(app: ShopCare, now: datetime) -> tuple[int, int, int]:
    done = apply_retention(
        app.sessions, data_dir=app.settings.data_dir, mailbox_dir=app.settings.mailbox_dir, now=now
    )
    return done.photos, done.messages, done.mails


def photo_rows(app: ShopCare) -> list[str]:
    with app.sessions() as session:
        return sorted(session.exec(select(ReturnPhoto.stored_name)).all())


def test_by_default_nothing_is_ever_deleted(shopcare: ShopCare, clock: FakeClock) -> None:
    files = photo_returns(shopcare, clock)
    assert retention_settings(shopcare.sessions).photo_days == 0
    assert apply(shopcare, clock() + 3650 * DAY) == (0, 0, 0)
    assert all(f.exists() for f in files.values())
    assert len(photo_rows(shopcare)) == 2


def test_photos_go_n_days_after_the_return_is_settled(shopcare: ShopCare, clock: FakeClock) -> None:
    files = photo_returns(shopcare, clock)
    save_retention(shopcare.sessions, photo_days=30, message_days=None)
    assert apply(shopcare, clock() + 29 * DAY)[0] == 0
    assert apply(shopcare, clock() + 31 * DAY)[0] == 1
    assert not files["refunded"].exists() and files["approved"].exists()
    assert photo_rows(shopcare) == ["approved.jpg"]  # the open return keeps its photo


def test_messages_keep_their_row_and_lose_their_contents(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    order = make_order(shopcare)
    sent_at = clock()
    with transaction(shopcare.sessions) as session:
        for key, channel, status, recipient in (
            ("sent", "email", "sent", "anna@example.com"),
            ("hook", "webhook", "sent", "owner"),
            ("waiting", "email", "queued", "anna@example.com"),
        ):
            session.add(
                OutboxMessage(
                    idempotency_key=key, kind="shipped", order_id=order.id or 0,
                    channel=channel, recipient=recipient, status=status, subject="Anna, yours",
                    last_error="450 busy", next_attempt_at=sent_at, created_at=sent_at,
                    sent_at=sent_at if status == "sent" else None,
                )
            )  # fmt: skip
    mailbox = shopcare.settings.mailbox_dir
    mailbox.mkdir(parents=True)
    for name, age in (("old.eml", 11 * DAY), ("new.eml", 9 * DAY)):
        (mailbox / name).write_text("To: anna@example.com\n\nHello Anna")
        stamp = (clock() + 10 * DAY - age).timestamp()
        os.utime(mailbox / name, (stamp, stamp))
    save_retention(shopcare.sessions, photo_days=None, message_days=10)

    assert apply(shopcare, clock() + 10 * DAY) == (0, 0, 1)
    assert apply(shopcare, clock() + 12 * DAY) == (0, 2, 1)

    assert [p.name for p in mailbox.iterdir()] == []
    with shopcare.sessions() as session:
        rows = {
            m.idempotency_key: (m.recipient, m.subject, m.last_error, m.status, m.kind, m.sent_at)
            for m in session.exec(select(OutboxMessage).where(OutboxMessage.order_id == order.id))
            if m.idempotency_key in ("sent", "hook", "waiting")
        }
    assert rows == {
        "sent": ("", "", "", "sent", "shipped", sent_at),
        "hook": ("owner", "", "", "sent", "shipped", sent_at),
        "waiting": ("anna@example.com", "Anna, yours", "450 busy", "queued", "shipped", None),
    }
    assert apply(shopcare, clock() + 13 * DAY) == (0, 0, 0)  # nothing left to empty


def test_days_must_be_zero_or_more(shopcare: ShopCare) -> None:
    with pytest.raises(InputError, match="0 \\(keep forever\\) or more"):
        save_retention(shopcare.sessions, photo_days=-1, message_days=0)
    save_retention(shopcare.sessions, photo_days=None, message_days=14)
    saved = retention_settings(shopcare.sessions)
    assert (saved.photo_days, saved.message_days) == (0, 14)


def test_the_scheduled_pass_runs_once_a_day(shopcare: ShopCare, clock: FakeClock) -> None:
    files = photo_returns(shopcare, clock)
    save_retention(shopcare.sessions, photo_days=1, message_days=0)
    where = {"data_dir": shopcare.settings.data_dir, "mailbox_dir": shopcare.settings.mailbox_dir}
    assert apply_retention_if_due(shopcare.sessions, **where, now=clock()) is not None
    clock.advance(hours=23)
    assert apply_retention_if_due(shopcare.sessions, **where, now=clock()) is None
    assert files["refunded"].exists()  # settled a day ago, but the day's pass already ran
    clock.advance(hours=2)
    done = apply_retention_if_due(shopcare.sessions, **where, now=clock())
    assert done is not None and done.photos == 1


async def test_the_scheduler_runs_the_pass_on_the_leader_only(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    files = photo_returns(shopcare, clock)
    save_retention(shopcare.sessions, photo_days=1, message_days=0)
    clock.advance(days=2)
    shopcare.start_scheduler()
    assert shopcare.scheduler is not None
    job = shopcare.scheduler.get_job("retention")
    shopcare.scheduler.shutdown(wait=False)
    if on_postgres():  # another process leads: this one leaves the pass to it
        holder = sa.create_engine(shopcare.settings.database_url, poolclass=sa.NullPool)
        with holder.connect() as other:
            other.execute(sa.select(sa.func.pg_advisory_lock(LOCK_KEY)))
            assert await job.func() is None
            assert files["refunded"].exists()
        holder.dispose()  # the connection closes: the lock goes with it
    await job.func()
    shopcare.leadership.release()
    assert not files["refunded"].exists()
