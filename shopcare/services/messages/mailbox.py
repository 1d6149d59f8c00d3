"""The dev mailbox as the admin shows it; pages reach adapters only through services."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from shopcare.db.engine import SessionFactory
from shopcare.notify.devmailbox import StoredMail, read_mailbox
from shopcare.services.shop.profile import get_profile

__all__ = ["StoredMail", "dev_mailbox"]


def dev_mailbox(sessions: SessionFactory, directory: Path, *, limit: int = 200) -> list[StoredMail]:
    """Newest first, dates in the shop's time zone like every other time the owner sees."""
    zone = get_profile(sessions).zone
    return [
        replace(mail, date=mail.date.astimezone(zone) if mail.date else None)
        for mail in read_mailbox(directory, limit=limit)
    ]
