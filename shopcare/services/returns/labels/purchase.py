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
from sqlmodel import Session, col, select, update

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import (
    OrderLine,
    ReturnLabel,
    ReturnLine,
    ReturnRequest,
    Shipment,
    ShopOrder,
)
from shopcare.domain.return_labels import (
    OWNER_WORDS,
    UNCERTAIN,
    FailureKind,
    LabelProvider,
    LabelState,
    Rate,
    amount_minor,
    choose_rate,
    label_kind,
    may_retry,
    parcel_for,
)
from shopcare.domain.returns import ReturnStatus
from shopcare.services.errors import InputError
from shopcare.services.intake.by_hand import add_shipment
from shopcare.services.returns.history import SYSTEM, log_return_event
from shopcare.services.returns.labels.api import (
    Address,
    LabelClient,
    LabelError,
    LabelOrder,
    Purchase,
    Quote,
    download,
)
from shopcare.services.returns.labels.easypost import EasyPostLabels
from shopcare.services.returns.labels.planning import REFUND_WANTED, release_approval
from shopcare.services.returns.labels.settings import LabelSettings, api_key, load_label_settings
from shopcare.services.returns.shipments import carrier_for

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


def make_client(http: httpx.AsyncClient, *, provider: str, base_url: str, key: str) -> LabelClient:
    from shopcare.services.returns.labels.shippo import ShippoLabels

    if provider == LabelProvider.SHIPPO:
        return ShippoLabels(http, base_url=base_url, api_key=key)
    return EasyPostLabels(http, base_url=base_url, api_key=key)


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
    for label_id in await asyncio.to_thread(_refunds_wanted, sessions):
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
        await asyncio.to_thread(_failed, sessions, label_id, exc, now=now)
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
            await asyncio.to_thread(_before_buying, sessions, label_id, quote, rate, now=now)
            purchase = await api.buy(quote, rate, key=job.order.key)
        await asyncio.to_thread(_purchased, sessions, label_id, purchase, now=now)
        data = await download(http, purchase.label_url, provider=provider)
        if label_kind(data) is None:
            raise LabelError(
                f"{provider}: the label is not a PDF or PNG file", kind=FailureKind.GARBAGE
            )
    except LabelError as exc:
        await asyncio.to_thread(_failed, sessions, label_id, exc, now=now)
        return False
    await asyncio.to_thread(_bought, sessions, label_id, purchase, data, now=now, carriers=carriers)
    return True


def retry_label(sessions: SessionFactory, return_id: int, *, now: datetime, by: str = "") -> None:
    """The owner's "try again": a failed label becomes due (an uncertain one is looked up
    first); a bought one is never bought again."""
    with transaction(sessions) as session:
        label = _label_of(session, return_id)
        if not may_retry(LabelState(label.state)):
            raise InputError(f"this return's label is {label.state}: nothing to try again")
        label.state, label.updated_at = LabelState.DUE, now
        session.add(label)
        log_return_event(
            session, return_id, actor=by or SYSTEM, action="label_retry", now=now, detail=""
        )


async def refund_label(
    sessions: SessionFactory, http: httpx.AsyncClient, label_id: int, *, now: datetime
) -> None:
    """Asks the provider for a bought label's money back (a cancelled return)."""
    with sessions() as session:
        label = session.get(ReturnLabel, label_id)
        if label is None or label.state != LabelState.BOUGHT:
            return
        settings = load_label_settings(session)
        key = api_key(session, settings)
        refs = label.provider, label.shipment_ref, label.purchase_ref
    api = make_client(http, provider=refs[0], base_url=_url(settings, refs[0]), key=key)
    try:
        status = await api.refund(refs[1], refs[2])
    except LabelError as exc:
        with transaction(sessions) as session:
            label = session.get(ReturnLabel, label_id)
            assert label is not None
            label.error, label.updated_at = f"refund not asked: {exc}"[:500], now
            session.add(label)
        return
    with transaction(sessions) as session:
        label = session.get(ReturnLabel, label_id)
        assert label is not None
        label.state, label.refund_status = LabelState.VOIDED, status[:32]
        label.error, label.updated_at = "", now
        session.add(label)
        log_return_event(
            session, label.return_id, actor=SYSTEM, action="label_voided", now=now,
            detail=f"refund {status}",
        )  # fmt: skip


def void_label(sessions: SessionFactory, return_id: int, *, now: datetime) -> int:
    """The owner voids the label of a cancelled return: marked for the refund, which
    ``refund_label`` asks for; returns the label's id."""
    with transaction(sessions) as session:
        label = _label_of(session, return_id)
        request = session.get(ReturnRequest, return_id)
        assert request is not None and label.id is not None
        if request.status != ReturnStatus.REJECTED:
            raise InputError("only the label of a cancelled (rejected) return is voided")
        if label.state != LabelState.BOUGHT:
            raise InputError(f"this return's label is {label.state}: there is nothing to void")
        label.refund_status, label.updated_at = REFUND_WANTED, now
        session.add(label)
        return label.id


def _label_of(session: Session, return_id: int) -> ReturnLabel:
    label = session.exec(select(ReturnLabel).where(ReturnLabel.return_id == return_id)).first()
    if label is None:
        raise InputError("this return has no prepaid label")
    return label


def _claim(sessions: SessionFactory, *, now: datetime) -> list[int]:
    """Due rows, and rows a dead process left ``buying`` (then uncertain), taken by this run."""
    with transaction(sessions) as session:
        stale = session.exec(
            update(ReturnLabel)
            .where(
                col(ReturnLabel.state) == LabelState.BUYING,
                col(ReturnLabel.claimed_at) < now - STALE,
            )
            .values(state=LabelState.DUE, uncertain=True)
        )
        del stale
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


def _refunds_wanted(sessions: SessionFactory) -> list[int]:
    with sessions() as session:
        return [
            i
            for i in session.exec(
                select(ReturnLabel.id).where(
                    ReturnLabel.state == LabelState.BOUGHT,
                    ReturnLabel.refund_status == REFUND_WANTED,
                )
            ).all()
            if i is not None
        ]


def _url(settings: LabelSettings, provider: str) -> str:
    from shopcare.services.returns.labels.settings import DEFAULT_URLS

    if settings.base_url and settings.provider == provider:
        return settings.base_url.rstrip("/")
    return DEFAULT_URLS[LabelProvider(provider)]


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
            base_url=_url(settings, label.provider),
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


def _before_buying(
    sessions: SessionFactory, label_id: int, quote: Quote, rate: Rate, *, now: datetime
) -> None:
    """Written before the purchase: should it end without an answer, the next attempt knows
    what to look up."""
    with transaction(sessions) as session:
        label = session.get(ReturnLabel, label_id)
        assert label is not None
        _copy(label, Purchase(quote.shipment_ref, "", rate, "", ""))
        label.uncertain, label.attempts, label.updated_at = True, label.attempts + 1, now
        session.add(label)


def _purchased(
    sessions: SessionFactory, label_id: int, purchase: Purchase, *, now: datetime
) -> None:
    """The purchase as the provider confirmed it, before the file is fetched: a failed
    download then retries the download, never the purchase."""
    with transaction(sessions) as session:
        label = session.get(ReturnLabel, label_id)
        assert label is not None
        _copy(label, purchase)
        label.uncertain, label.updated_at = True, now
        session.add(label)


def _copy(label: ReturnLabel, purchase: Purchase) -> None:
    label.shipment_ref = purchase.shipment_ref[:100] or label.shipment_ref
    label.purchase_ref = purchase.purchase_ref[:100] or label.purchase_ref
    label.rate_ref = purchase.rate.id[:100] or label.rate_ref
    label.carrier = purchase.rate.carrier[:64] or label.carrier
    label.service = purchase.rate.service[:100] or label.service
    label.tracking_number = purchase.tracking_number[:64] or label.tracking_number
    label.label_url = purchase.label_url[:1000] or label.label_url
    if purchase.rate.currency:
        label.cost_minor = amount_minor(purchase.rate.amount, purchase.rate.currency)
        label.currency = purchase.rate.currency[:3].upper()


def _bought(
    sessions: SessionFactory,
    label_id: int,
    purchase: Purchase,
    data: bytes,
    *,
    now: datetime,
    carriers: Sequence[str],
) -> None:
    """The label, its parcel followed like any return parcel, the history and the approval
    email let go, in one commit."""
    with transaction(sessions) as session:
        label = session.get(ReturnLabel, label_id)
        assert label is not None
        _copy(label, purchase)
        label.state, label.uncertain, label.error, label.error_kind = (
            LabelState.BOUGHT, False, "", "",
        )  # fmt: skip
        label.label_data, label.label_type = data, label_kind(data) or ""
        label.bought_at = label.updated_at = now
        session.add(label)
        request = session.get(ReturnRequest, label.return_id)
        assert request is not None and request.id is not None
        if request.status == ReturnStatus.REJECTED:
            label.refund_status = REFUND_WANTED  # cancelled while it was being bought
        else:
            _follow_parcel(session, request, label.tracking_number, now=now, carriers=carriers)
        cost = f"{label.cost_minor} {label.currency}" if label.cost_minor is not None else ""
        log_return_event(
            session, request.id, actor=SYSTEM, action="label_bought", now=now,
            detail=" · ".join(p for p in (label.carrier, label.service, label.tracking_number,
                                          _money(label.cost_minor, label.currency)) if p),
        )  # fmt: skip
        del cost
        release_approval(session, request.id, now=now)


def _money(minor: int | None, currency: str) -> str:
    from shopcare.domain.money import format_money

    return format_money(minor, currency) if minor is not None and currency else ""


def _follow_parcel(
    session: Session,
    request: ReturnRequest,
    number: str,
    *,
    now: datetime,
    carriers: Sequence[str],
) -> None:
    if not number:
        return
    known = session.exec(
        select(Shipment).where(Shipment.return_id == request.id, Shipment.tracking_number == number)
    ).first()
    if known is not None:
        return
    order = session.get(ShopOrder, request.order_id)
    assert order is not None
    shipment = add_shipment(session, order, carrier_for(number, carriers), now=now)
    shipment.return_id = request.id
    session.add(shipment)


def _failed(sessions: SessionFactory, label_id: int, exc: LabelError, *, now: datetime) -> None:
    with transaction(sessions) as session:
        label = session.get(ReturnLabel, label_id)
        assert label is not None
        label.state = LabelState.FAILED
        label.uncertain = label.uncertain and exc.kind in UNCERTAIN
        label.error = f"{OWNER_WORDS[exc.kind]} ({exc})"[:500]
        label.error_kind = exc.kind
        label.updated_at = now
        session.add(label)
        log_return_event(
            session, label.return_id, actor=SYSTEM, action="label_failed", now=now,
            detail=label.error,
        )  # fmt: skip
        release_approval(session, label.return_id, now=now)
    log.warning("return label %s not bought: %s", label_id, exc.kind)
