"""Erasing one shopper (GDPR art. 17): their personal data goes, the shop's figures stay.

Rows are kept and emptied rather than deleted wherever the dashboard counts them: an erased
order still has its number, dates, money, country, parcels (carrier, tracking number,
statuses, scans' times), messages (kind, channel, status, dates), returns (reason, status,
amounts) and feedback scores. What goes, column by column:

- customer: email, name, phone, unsubscribe link, WhatsApp consent;
- order: email (and the problem text that may quote it), name, address lines, postcode,
  region, phone; tracking, return and feedback links get new tokens (the old ones are kept
  as hashes only, ``links``, so they land on "no longer available");
- parcel: the tracking link (it can carry a postcode); scans: description and place;
- message: recipient, subject, error; one still waiting is skipped, never sent;
- return: comment, the owner's note, every line's comment, the log's details; photos (rows
  and files); problem reports' and feedback's text; the order's notes;
- watches of the address, API answers and platform webhooks that quote the shopper: gone
  or emptied; another note or an import report that quotes the address: the address only;
- copies of their emails in the dev mailbox: deleted.

The erasure itself is recorded (``ShopperErasure``): a keyed hash of the address, who and
when, and how many rows of each table. A second erasure of the same address finds nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import (
    ApiIdempotency,
    ReturnPhoto,
    ShipmentWatch,
    ShopperErasure,
)
from shopcare.domain.privacy import ERASED_PROBLEM, email_digest, redact
from shopcare.domain.tokens import public_token
from shopcare.notify.base import Channel
from shopcare.services.messages.outbox import QUEUED, SENDING, SKIPPED
from shopcare.services.privacy.export import find_shopper
from shopcare.services.privacy.links import forget_links
from shopcare.services.privacy.records import ShopperRecords, find_records
from shopcare.services.returns.photos import PHOTO_DIR

WEBHOOK_WAITING = "received"


@dataclass(frozen=True)
class Erasure:
    email: str
    counts: dict[str, int] = field(default_factory=dict)
    """Rows changed or removed per table, and files removed; empty: nothing was found."""

    @property
    def found(self) -> bool:
        return bool(self.counts)


def erase_shopper(
    sessions: SessionFactory,
    email: str,
    *,
    data_dir: Path,
    mailbox_dir: Path,
    secret: str,
    actor: str,
    now: datetime,
) -> Erasure:
    """InputError when ``email`` is no email address. Files go after the rows commit (a
    file cannot be put back if the transaction fails)."""
    found = find_shopper(sessions, email, data_dir=data_dir, mailbox_dir=mailbox_dir)
    if not found.found:
        return Erasure(email=found.email)
    with transaction(sessions) as session:
        records = find_records(session, found.email)  # in this transaction: nothing missed
        counts = found.counts() | records.counts()
        photos = [p.stored_name for p in records.return_photo]
        _erase_rows(session, records, email=found.email, now=now)
        session.add(
            ShopperErasure(
                email_hash=email_digest(found.email, secret=secret),
                erased_at=now,
                actor=actor[:100],
                summary=json.dumps(counts, sort_keys=True),
            )
        )
    remove_files([data_dir / PHOTO_DIR / name for name in photos] + found.mails)
    return Erasure(email=found.email, counts=counts)


def remove_files(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _erase_rows(session: Session, records: ShopperRecords, *, email: str, now: datetime) -> None:
    forget_links(
        session,
        [
            *(o.public_token for o in records.shop_order),
            *(r.public_token for r in records.return_request),
            *(f.public_token for f in records.feedback),
            *(c.unsubscribe_token for c in records.customer),
            *(w.token for w in records.shipment_watch),
        ],
        now=now,
    )
    _erase_people(session, records)
    _erase_messages(session, records, now=now)
    _erase_returns(session, records)
    _erase_logs(session, records, email=email)
    _delete(session, ReturnPhoto, [p.id for p in records.return_photo])
    _delete(session, ShipmentWatch, [w.id for w in records.shipment_watch])
    _delete(session, ApiIdempotency, [a.id for a in records.api_idempotency])


def _erase_people(session: Session, records: ShopperRecords) -> None:
    for customer in records.customer:
        customer.email, customer.name, customer.phone = None, "", ""
        customer.unsubscribe_token, customer.whatsapp_consent_at = None, None
    for order in records.shop_order:
        order.email, order.email_problem, order.public_token = "", ERASED_PROBLEM, public_token()
        order.ship_name = order.ship_address1 = order.ship_address2 = ""
        order.ship_city = order.ship_region = order.ship_postcode = order.ship_phone = ""
    for shipment in records.shipment:
        shipment.tracking_url = ""
    for event in records.tracking_event:
        event.description, event.location = "", ""
    for report in records.problem_report:
        report.message = ""
    for feedback in records.feedback:
        feedback.comment, feedback.public_token = "", public_token()
    session.add_all([*records.customer, *records.shop_order, *records.shipment])
    session.add_all([*records.tracking_event, *records.problem_report, *records.feedback])
    session.flush()  # the customers' addresses are unique: free them before anything else


def _erase_messages(session: Session, records: ShopperRecords, *, now: datetime) -> None:
    for message in records.outbox_message:
        if message.channel != Channel.WEBHOOK:  # the owner's own hook is "owner"
            message.recipient = ""
        message.subject, message.last_error = "", ""
        if message.status in (QUEUED, SENDING):
            message.status, message.last_error = SKIPPED, ERASED_PROBLEM
            message.claimed_by = ""
        session.add(message)


def _erase_returns(session: Session, records: ShopperRecords) -> None:
    for request in records.return_request:
        request.comment, request.owner_note, request.public_token = "", "", public_token()
    for line in records.return_line:
        line.comment = ""
    for event in records.return_event:
        event.detail = ""
    session.add_all([*records.return_request, *records.return_line, *records.return_event])


def _erase_logs(session: Session, records: ShopperRecords, *, email: str) -> None:
    """The order's notes are emptied; a note on another order only loses the address."""
    own = set(records.order_ids())
    for note in records.order_note:
        note.text = "" if note.order_id in own else redact(note.text, email)
    for delivery in records.webhook_delivery:
        delivery.body = ""
        if delivery.status == WEBHOOK_WAITING:  # nothing left to apply
            delivery.status, delivery.error = "ignored", ERASED_PROBLEM
    for run in records.import_run:
        run.message = redact(run.message, email)
    session.add_all([*records.order_note, *records.webhook_delivery, *records.import_run])


def _delete(session: Session, table: type[Any], ids: list[int | None]) -> None:
    if ids:
        session.execute(sa.delete(table).where(col(table.id).in_(ids)))
