"""The dev mailbox as the admin shows it; pages reach adapters only through services."""

from __future__ import annotations

from pathlib import Path

from shopcare.notify.devmailbox import StoredMail, read_mailbox

__all__ = ["StoredMail", "dev_mailbox"]


def dev_mailbox(directory: Path, *, limit: int = 200) -> list[StoredMail]:
    """Newest first; empty when nothing was sent yet."""
    return read_mailbox(directory, limit=limit)
