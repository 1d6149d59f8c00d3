"""The dev mailbox: messages kept as .eml files in the data dir, shown in the admin.

It is what a fresh install sends to until the owner configures SMTP, so the demo shows every
email without a mail server, and nothing reaches a real shopper by accident.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from shopcare.notify.base import Channel, Outgoing, SendError
from shopcare.notify.email import build_email


class DevMailbox:
    name = "dev mailbox"
    channel = Channel.EMAIL

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message: Outgoing) -> None:
        mail = build_email(message)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
            path = self.directory / f"{stamp}-{_safe(mail['Message-ID'])}.eml"
            path.write_bytes(mail.as_bytes())
        except OSError as exc:
            raise SendError(
                f"cannot write to the dev mailbox: {exc.strerror}", permanent=False
            ) from exc


@dataclass(frozen=True)
class StoredMail:
    file: str
    to: str
    subject: str
    date: datetime | None
    text: str
    html: str


def read_mailbox(directory: Path, *, limit: int = 200) -> list[StoredMail]:
    """Newest first."""
    if not directory.exists():
        return []
    files = sorted(directory.glob("*.eml"), reverse=True)[:limit]
    return [_read(path) for path in files]


def _read(path: Path) -> StoredMail:
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    return StoredMail(
        file=path.name,
        to=str(msg["To"] or ""),
        subject=str(msg["Subject"] or ""),
        date=parsedate_to_datetime(msg["Date"]) if msg["Date"] else None,
        text=text.get_content() if text else "",
        html=html.get_content() if html else "",
    )


def _safe(message_id: str | None) -> str:
    return "".join(c for c in (message_id or "message") if c.isalnum())[:40]
