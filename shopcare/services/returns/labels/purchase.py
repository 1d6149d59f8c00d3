"""Buying a return's label so that it is never bought twice.

The label row is the idempotency record: a purchase claims it (``due`` -> ``buying`` with a
conditional UPDATE, so two runs never buy one label), writes the provider's shipment and
rate before it buys and marks the row ``uncertain`` while the purchase is in flight. An
attempt that ended without knowing (a timeout, a 5xx, an unreadable answer, a dead process)
leaves it uncertain, and the next attempt first asks the provider whether that shipment was
bought (EasyPost: the shipment; Shippo: the rate's transactions, with our key as metadata)
before it buys again.

A failure leaves the return approved: the row says why, the owner sees it on the return and
may try again, and the held approval email goes with the plain slip.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlmodel import col, select, update

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import OrderLine, ReturnLabel, ReturnLine, ReturnRequest, ShopOrder
from shopcare.domain.return_labels import (
    FailureKind,
    LabelProvider,
    LabelState,
    choose_rate,
    label_kind,
    may_retry,
    parcel_for,
)
from shopcare.services.errors import InputError
from shopcare.services.returns.history import SYSTEM, log_return_event
from shopcare.services.returns.labels import recording
from shopcare.services.returns.labels.api import Address, LabelError, LabelOrder, download
from shopcare.services.returns.labels.clients import make_client, provider_url
from shopcare.services.returns.labels.settings import api_key, load_label_settings
from shopcare.services.returns.labels.voiding import label_of, refund_label, refunds_wanted

log = logging.getLogger("shopcare")

STALE = timedelta(minutes=5)
"""A row ``buying`` for longer was left by a process that died: taken back, uncertain."""


@dataclass(frozen=True)
class Job:
    label_id: int
    return_id: int
    provider: str
    base_url: str
    key: str
    order: LabelOrder
    shipment_ref: str
    rate_ref: str
    uncertain: bool
    carrier: str
    service: str


async def buy_due_labels(
    sessions: SessionFactory,
    http: httpx.AsyncClient,
    *,
    now: datetime,
    carriers: Sequence[str] = (),
) -> int:
    """Every due label, one after the other (the scheduler's job; also right after the owner
    approves or asks to try again); then the refunds cancelled returns wait for. Returns
    how many labels were bought."""
    bought = 0
    for label_id in await asyncio.to_thread(_claim, sessions, now=now):
        bought += await buy_claimed(sessions, http, label_id, now=now, carriers=carriers)
    for label_id in await asyncio.to_thread(refunds_wanted, sessions):
        await refund_label(sessions, http, label_id, now=now)
    return bought


async def buy_claimed(
    sessions: SessionFactory,
    http: httpx.AsyncClient,
    label_id: int,
    *,
    now: datetime,
    carriers: Sequence[str] = (),
) -> bool:
    try:
        job = await asyncio.to_thread(_job, sessions, label_id)
    except LabelError as exc:
        await asyncio.to_thread(recording.failed, sessions, label_id, exc, now=now)
        return False
    api = make_client(http, provider=job.provider, base_url=job.base_url, key=job.key)
    provider = "EasyPost" if job.provider == LabelProvider.EASYPOST else "Shippo"
    try:
        purchase = None
        if job.uncertain:
            purchase = await api.find(job.shipment_ref, job.rate_ref, key=job.order.key)
        if purchase is None:
            quote = await api.quote(job.order)
            rate = choose_rate(quote.rates, carrier=job.carrier, service=job.service)
            if rate is None:
                said = quote.messages or "no rates"
                raise LabelError(f"{provider}: {said}", kind=FailureKind.NO_RATE)
            await asyncio.to_thread(
                recording.before_buying, sessions, label_id, quote, rate, now=now
            )
            purchase = await api.buy(quote, rate, key=job.order.key)
        await asyncio.to_thread(recording.purchased, sessions, label_id, purchase, now=now)
        data = await download(http, purchase.label_url, provider=provider)
        if label_kind(data) is None:
            raise LabelError(
                f"{provider}: the label is not a PDF or PNG file", kind=FailureKind.GARBAGE
            )
    except LabelError as exc:
        await asyncio.to_thread(recording.failed, sessions, label_id, exc, now=now)
        return False
    await asyncio.to_thread(
        recording.bought, sessions, label_id, purchase, data, now=now, carriers=carriers
    )
    return True


def retry_label(sessions: SessionFactory, return_id: int, *, now: datetime, by: str = "") -> None:
    """The owner's "try again": a failed label becomes due (an uncertain one is looked up
    first); a bought one is never bought again."""
    with transaction(sessions) as session:
        label = label_of(session, return_id)
        if not may_retry(LabelState(label.state)):
            raise InputError(f"this return's label is {label.state}: nothing to try again")
        label.state, label.updated_at = LabelState.DUE, now
        session.add(label)
        log_return_event(
            session, return_id, actor=by or SYSTEM, action="label_retry", now=now, detail=""
        )


def _claim(sessions: SessionFactory, *, now: datetime) -> list[int]:
    """Due rows, and rows a dead process left ``buying`` (then uncertain), taken by this run."""
    with transaction(sessions) as session:
        session.exec(
            update(ReturnLabel)
            .where(
                col(ReturnLabel.state) == LabelState.BUYING,
                col(ReturnLabel.claimed_at) < now - STALE,
            )
            .values(state=LabelState.DUE, uncertain=True)
        )
        ids = session.exec(select(ReturnLabel.id).where(ReturnLabel.state == LabelState.DUE)).all()
        taken = []
        for label_id in ids:
            result = session.exec(
                update(ReturnLabel)
                .where(col(ReturnLabel.id) == label_id, col(ReturnLabel.state) == LabelState.DUE)
                .values(state=LabelState.BUYING, claimed_at=now, updated_at=now)
            )
            if result.rowcount == 1 and label_id is not None:
                taken.append(label_id)
        return taken


def _job(sessions: SessionFactory, label_id: int) -> Job:
    with sessions() as session:
        label = session.get(ReturnLabel, label_id)
        assert label is not None
        request = session.get(ReturnRequest, label.return_id)
        assert request is not None
        order = session.get(ShopOrder, request.order_id)
        assert order is not None
        settings = load_label_settings(session)
        key = api_key(session, settings)
        if not settings.provider or not key:
            raise LabelError("no label account or API key is set", kind=FailureKind.SETUP)
        if not (order.ship_address1 and order.ship_city and order.ship_country):
            raise LabelError("the order has no shipping address", kind=FailureKind.ADDRESS)
        lines = session.exec(
            select(OrderLine.sku, ReturnLine.quantity)
            .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
            .where(ReturnLine.return_id == request.id)
        ).all()
        parcel = parcel_for(
            [(sku, qty) for sku, qty in lines],
            presets=settings.parcel_presets(),
            default=settings.default_parcel(),
        )
        return Job(
            label_id=label_id,
            return_id=request.id or 0,
            provider=label.provider,
            base_url=provider_url(settings, label.provider),
            key=key,
            order=LabelOrder(
                key=label.idempotency_key,
                shop=Address(
                    name=settings.name,
                    company=settings.company,
                    street1=settings.street1,
                    street2=settings.street2,
                    city=settings.city,
                    state=settings.state,
                    zip=settings.zip,
                    country=settings.country,
                    phone=settings.phone,
                    email=settings.email,
                ),
                shopper=Address(
                    name=order.ship_name,
                    street1=order.ship_address1,
                    street2=order.ship_address2,
                    city=order.ship_city,
                    state=order.ship_region,
                    zip=order.ship_postcode,
                    country=order.ship_country,
                    phone=order.ship_phone,
                    email=order.email,
                ),
                parcel=parcel,
            ),
            shipment_ref=label.shipment_ref,
            rate_ref=label.rate_ref,
            uncertain=label.uncertain,
            carrier=settings.carrier,
            service=settings.service,
        )
