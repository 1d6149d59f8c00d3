"""Checking a carrier push before it is believed: known provider, pushes configured,
signature valid on the raw bytes, body parseable (and not nested deeper than
``MAX_DEPTH``, which would make the JSON parser recurse until it fails). Then it is
ingested."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from shopcare.carriers.base import CarrierError
from shopcare.carriers.registry import MODULES, spec
from shopcare.db.engine import SessionFactory
from shopcare.domain.json_depth import MAX_DEPTH, json_too_deep
from shopcare.services.tracking.carrier_accounts import webhook_secret
from shopcare.services.tracking.push import PushOutcome, ingest_push, push_key


class PushRejected(Exception):
    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


def receive_push(
    sessions: SessionFactory,
    provider: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime,
) -> PushOutcome:
    receiver = spec(provider).push if provider in MODULES else None
    secret = webhook_secret(sessions, provider) if receiver else ""
    if receiver is None or not secret:
        raise PushRejected("pushes are not set up for this provider", status=404)
    if not receiver.verify(headers, body, secret):
        raise PushRejected("bad signature", status=401)
    if json_too_deep(body):
        raise PushRejected(f"unreadable push: nested deeper than {MAX_DEPTH} levels", status=400)
    try:
        updates = receiver.parse(body)
    except CarrierError as exc:
        raise PushRejected(f"unreadable push: {exc}", status=400) from exc
    return ingest_push(sessions, provider, updates, key=push_key(updates, body), now=now)
