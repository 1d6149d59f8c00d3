"""One shopper's data as JSON (the right of access, GDPR art. 15): every row that names them
(``records``), table by table, with the photos they sent and the copies of their emails in
the dev mailbox listed by file. The owner hands it over, or keeps it, before an erasure.

Values as the whole-store export writes them (``services.export``): times in ISO 8601 UTC,
money in minor units, and no column that export leaves out.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import SQLModel

from shopcare.db.engine import SessionFactory
from shopcare.domain.privacy import shopper_email
from shopcare.services.errors import InputError
from shopcare.services.export.tables import iso
from shopcare.services.export.withheld import left_out
from shopcare.services.privacy.records import ShopperRecords, find_records
from shopcare.services.returns.photos import PHOTO_DIR

FORMAT = "shopcare-shopper-export/1"


@dataclass(frozen=True)
class Found:
    """What the store holds about one address: the rows, and the files beside them."""

    email: str
    records: ShopperRecords
    photos: list[Path]
    """The photo files of the shopper's returns that are on the disk."""
    mails: list[Path]
    """Copies of emails to the address in the dev mailbox (``notify.devmailbox``)."""

    @property
    def found(self) -> bool:
        return self.records.found or bool(self.mails)

    def counts(self) -> dict[str, int]:
        counts = self.records.counts()
        if self.photos:
            counts["photo files"] = len(self.photos)
        if self.mails:
            counts["dev mailbox emails"] = len(self.mails)
        return counts


def find_shopper(
    sessions: SessionFactory, email: str, *, data_dir: Path, mailbox_dir: Path
) -> Found:
    """InputError when ``email`` is no email address (a search for "" would find the
    orders that have none)."""
    wanted = shopper_email(email)
    if not wanted:
        raise InputError(f"{email.strip()[:100]!r} is not an email address")
    with sessions() as session:
        records = find_records(session, wanted)
    folder = data_dir / PHOTO_DIR
    photos = [folder / p.stored_name for p in records.return_photo]
    return Found(
        email=wanted,
        records=records,
        photos=[p for p in photos if p.is_file()],
        mails=mails_to(mailbox_dir, wanted),
    )


def mails_to(mailbox_dir: Path, email: str) -> list[Path]:
    """The dev mailbox's files that name the address (its header or its text)."""
    if not mailbox_dir.is_dir():
        return []
    needle = email.encode()
    return [p for p in sorted(mailbox_dir.glob("*.eml")) if needle in p.read_bytes().lower()]


def shopper_document(found: Found, *, now: datetime) -> dict[str, Any]:
    photos = {p.name for p in found.photos}
    return {
        "format": FORMAT,
        "email": found.email,
        "exported_at": iso(now),
        "counts": found.counts(),
        "tables": {
            name: [_row(name, row) for row in rows]
            for name, rows in found.records.tables().items()
            if rows
        },
        "photos": [
            {
                "return_id": p.return_id,
                "file": f"{PHOTO_DIR}/{p.stored_name}",
                "content_type": p.content_type,
                "size": p.size,
                "on_disk": p.stored_name in photos,
            }
            for p in found.records.return_photo
        ],
        "dev_mailbox": [m.name for m in found.mails],
    }


def shopper_json(found: Found, *, now: datetime) -> bytes:
    return json.dumps(shopper_document(found, now=now), ensure_ascii=False, indent=2).encode()


def save_export(found: Found, path: Path, *, now: datetime) -> None:
    """Written for the owner's eyes only (0600): it is one person's whole record."""
    path.unlink(missing_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(shopper_json(found, now=now))


def _row(table: str, row: SQLModel) -> dict[str, Any]:
    withheld = left_out(table)
    return {
        name: iso(value) if isinstance(value, datetime) else value
        for name, value in row.model_dump().items()
        if name not in withheld
    }
