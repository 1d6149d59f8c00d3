"""Twilio's delivery reports for SMS and WhatsApp messages, kept on their outbox rows.

A message goes out with ``StatusCallback`` set to ``STATUS_PATH`` under the shop's public
address, but only an https one that the owner or the environment set: Twilio cannot reach
the loopback stand-in, and a report over plain http could be read on the way. Twilio then
posts each step; a post counts only when Twilio signed it with the account's auth token, and
only when it moves the row forward (``notify.twilio_status.moves_forward``), which one
conditional UPDATE decides, so reports arriving twice, out of order or at the same time
never move a message back. A report for a MessageSid we do not have (a message sent before
this was set up, or by another program on the same account) is logged and ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from enum import StrEnum
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import OutboxMessage
from shopcare.domain.numbers import parse_whole
from shopcare.notify.twilio_status import FAILURES, STEPS, moves_forward, signed_by_twilio
from shopcare.services.messages.rules import channel_rules
from shopcare.services.setup.address import address_in_force
from shopcare.services.setup.given import Given

log = logging.getLogger("shopcare")
STATUS_PATH = "/webhooks/twilio/status"


class Report(StrEnum):
    RECORDED = "recorded"
    STALE = "stale"
    """Known, but no news: the same report again, or an earlier step arriving late."""
    UNKNOWN = "unknown"


class NotFromTwilio(Exception):
    """The post is not signed with the account's auth token (or no account is set up)."""


def status_callback(sessions: SessionFactory, given: Given) -> str:
    """The address Twilio posts reports to, or "" when the shop has no public https one."""
    with sessions() as session:
        address = address_in_force(session, given)
    if not address.is_set or urlsplit(address.url).scheme != "https":
        return ""
    return address.url + STATUS_PATH


def receive_status(
    sessions: SessionFactory,
    params: Sequence[tuple[str, str]],
    *,
    signature: str,
    urls: Sequence[str],
) -> Report:
    """Check the post's signature against each of ``urls`` it may have been made to (the
    callback address we gave, the address as this server saw it), then keep what it says.
    Raises ``NotFromTwilio``."""
    token = channel_rules(sessions).sms_auth_token
    if not signed_by_twilio(token, signature, urls, params):
        raise NotFromTwilio
    fields = dict(params)
    sid = fields.get("MessageSid") or fields.get("SmsSid", "")
    status = fields.get("MessageStatus") or fields.get("SmsStatus", "")
    code = parse_whole(fields.get("ErrorCode", ""), maximum=10**9) if status in FAILURES else None
    if not sid:  # "" is every email's provider id: never look it up
        log.info("Twilio reported %r without a MessageSid: ignored", status)
        return Report.UNKNOWN
    with transaction(sessions) as session:
        changed = session.execute(
            sa.update(OutboxMessage)
            .where(
                col(OutboxMessage.provider_id) == sid,
                col(OutboxMessage.delivery).in_(_before(status)),
            )
            .values(delivery=status, delivery_error=code)
        )
        if int(changed.rowcount):  # type: ignore[attr-defined]
            return Report.RECORDED
        known = session.exec(
            select(OutboxMessage.id).where(OutboxMessage.provider_id == sid)
        ).first()
    if not known:
        log.info("Twilio reported %r for message %r, which is not ours: ignored", status, sid)
        return Report.UNKNOWN
    return Report.STALE


def _before(status: str) -> list[str]:
    """The kept statuses ``status`` moves a row on from ("" before any report)."""
    return [old for old in ["", *STEPS] if moves_forward(old, status)]
