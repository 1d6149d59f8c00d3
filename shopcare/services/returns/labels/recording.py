"""What a purchase writes, each step in its own commit: the shipment and rate before
buying, the confirmed purchase before the file is fetched, then the label with its parcel
followed, its history and the approval email let go; or the failure, in words for the
owner."""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import ReturnLabel, ReturnRequest, Shipment, ShopOrder
from shopcare.domain.money import format_money
from shopcare.domain.return_labels import (
    OWNER_WORDS,
    UNCERTAIN,
    LabelState,
    Rate,
    amount_minor,
    label_kind,
)
from shopcare.domain.returns import ReturnStatus
from shopcare.services.intake.by_hand import add_shipment
from shopcare.services.returns.history import SYSTEM, log_return_event
from shopcare.services.returns.labels.api import LabelError, Purchase, Quote
from shopcare.services.returns.labels.planning import REFUND_WANTED, release_approval
from shopcare.services.returns.shipments import carrier_for

log = logging.getLogger("shopcare")


def before_buying(
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


def purchased(
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


def bought(
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
        label.label_file = base64.b64encode(data).decode("ascii")
        label.label_type = label_kind(data) or ""
        label.bought_at = label.updated_at = now
        session.add(label)
        request = session.get(ReturnRequest, label.return_id)
        assert request is not None and request.id is not None
        if request.status == ReturnStatus.REJECTED:
            label.refund_status = REFUND_WANTED  # cancelled while it was being bought
        else:
            _follow_parcel(session, request, label.tracking_number, now=now, carriers=carriers)
        log_return_event(
            session, request.id, actor=SYSTEM, action="label_bought", now=now,
            detail=" · ".join(p for p in (label.carrier, label.service, label.tracking_number,
                                          _money(label.cost_minor, label.currency)) if p),
        )  # fmt: skip
        release_approval(session, request.id, now=now)


def _money(minor: int | None, currency: str) -> str:
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


def failed(sessions: SessionFactory, label_id: int, exc: LabelError, *, now: datetime) -> None:
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
