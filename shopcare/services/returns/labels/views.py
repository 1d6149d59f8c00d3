"""What the labels show: the label pages of the slip PDF, the shopper's label file, the
label on the owner's return page and the month's label costs."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from sqlmodel import Session, col, func, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import Customer, ReturnLabel, ReturnRequest, ShopOrder
from shopcare.domain.money import format_money
from shopcare.domain.return_labels import (
    LabelsFor,
    LabelState,
    PostageNote,
    may_retry,
    postage_notes,
)
from shopcare.domain.return_policy import ReturnPolicy, ShippingPayer
from shopcare.domain.returns import ReturnStatus
from shopcare.services.returns.labels.settings import load_label_settings

if TYPE_CHECKING:
    from shopcare.pdf.label_pages import LabelPage
    from shopcare.pdf.return_slip import ReturnSlip

CAPTION = "Prepaid return label: cut it out and stick it on the parcel."


def bought_labels(session: Session, return_ids: Sequence[int]) -> dict[int, tuple[bytes, str]]:
    """The label files of those returns that have one (bought, not voided)."""
    rows = session.exec(
        select(ReturnLabel.return_id, ReturnLabel.label_file, ReturnLabel.label_type).where(
            col(ReturnLabel.return_id).in_(set(return_ids)),
            ReturnLabel.state == LabelState.BOUGHT,
            col(ReturnLabel.label_file) != "",
        )
    ).all()
    return {rid: (label_bytes(text), kind) for rid, text, kind in rows}


def label_bytes(text: str) -> bytes:
    """The label file from its stored base64 text."""
    return base64.b64decode(text)


def slips_with_labels(
    session: Session,
    return_ids: Sequence[int],
    slips: Sequence[ReturnSlip],
    *,
    size: str,
) -> bytes | None:
    """The slips PDF with each bought label as the page before its return's slip; None when
    none of the returns has a label (the caller renders the slips as ever)."""
    labels = bought_labels(session, return_ids)
    if not labels:
        return None
    from shopcare.pdf.label_pages import LabelPage, with_labels
    from shopcare.pdf.return_slip import render_return_slips
    from shopcare.services.returns.slip_words import translate

    locales = _languages(session, [i for i in return_ids if i in labels])
    parts: list[tuple[LabelPage | None, bytes]] = []
    for return_id, slip in zip(return_ids, slips, strict=True):
        found = labels.get(return_id)
        caption = translate(CAPTION, locales.get(return_id, ""))
        page = LabelPage(found[0], found[1], caption) if found else None
        parts.append((page, render_return_slips([slip], size=size)))
    return with_labels(parts, size=size)


def _languages(session: Session, return_ids: Sequence[int]) -> dict[int, str]:
    """The shopper's language per return, as their slip and approval email use it."""
    from shopcare.services.messages.outbox import message_language
    from shopcare.services.shop.profile import load_profile

    profile = load_profile(session)
    rows = session.exec(
        select(ReturnRequest.id, Customer.locale)
        .join(ShopOrder, col(ShopOrder.id) == col(ReturnRequest.order_id))
        .join(Customer, col(Customer.id) == col(ShopOrder.customer_id))
        .where(col(ReturnRequest.id).in_(set(return_ids)))
    ).all()
    return {rid: message_language(locale, profile) for rid, locale in rows if rid is not None}


def reason_postage(sessions: SessionFactory, policy: ReturnPolicy) -> dict[str, PostageNote]:
    """Per reason of the policy, who pays the return postage and whether a prepaid label
    comes with it, for the portal's reason options; empty when it is the same for all."""
    with sessions() as session:
        settings = load_label_settings(session)
    return postage_notes(
        [r.code for r in policy.reasons],
        shopper_pays=policy.shipping_paid_by == ShippingPayer.SHOPPER,
        free_reasons=policy.shipping_free_reasons,
        labels_for=LabelsFor(settings.labels_for),
        label_reasons=frozenset(settings.reasons),
        buys_labels=bool(settings.provider),
    )


def label_file_by_token(sessions: SessionFactory, token: str) -> tuple[bytes, str] | None:
    """The shopper's label, on their return's page, while the return is open."""
    with sessions() as session:
        row = session.exec(
            select(ReturnLabel.label_file, ReturnLabel.label_type, ReturnRequest.status)
            .join(ReturnRequest, col(ReturnRequest.id) == col(ReturnLabel.return_id))
            .where(ReturnRequest.public_token == token, ReturnLabel.state == LabelState.BOUGHT)
        ).first()
    if row is None or not row[0] or row[2] == ReturnStatus.REJECTED:
        return None
    return label_bytes(row[0]), row[1]


def has_label(sessions: SessionFactory, token: str) -> bool:
    with sessions() as session:
        found = session.exec(
            select(ReturnLabel.id)
            .join(ReturnRequest, col(ReturnRequest.id) == col(ReturnLabel.return_id))
            .where(
                ReturnRequest.public_token == token,
                ReturnRequest.status != ReturnStatus.REJECTED,
                ReturnLabel.state == LabelState.BOUGHT,
            )
        ).first()
    return found is not None


@dataclass(frozen=True)
class LabelView:
    """The label on the owner's return page."""

    state: str
    provider: str
    carrier: str
    service: str
    tracking_number: str
    cost: str
    error: str
    refund_status: str
    can_retry: bool
    can_void: bool


def label_view(sessions: SessionFactory, return_id: int) -> LabelView | None:
    with sessions() as session:
        row = session.exec(
            select(ReturnLabel, ReturnRequest.status)
            .join(ReturnRequest, col(ReturnRequest.id) == col(ReturnLabel.return_id))
            .where(ReturnLabel.return_id == return_id)
        ).first()
    if row is None:
        return None
    label, status = row
    cost = (
        format_money(label.cost_minor, label.currency)
        if label.cost_minor is not None and label.currency
        else ""
    )
    return LabelView(
        state=label.state,
        provider="Shippo" if label.provider == "shippo" else "EasyPost",
        carrier=label.carrier,
        service=label.service,
        tracking_number=label.tracking_number,
        cost=cost,
        error=label.error,
        refund_status=label.refund_status,
        can_retry=may_retry(LabelState(label.state)),
        can_void=label.state == LabelState.BOUGHT
        and status == ReturnStatus.REJECTED
        and label.refund_status in ("", "failed", "rejected"),
    )


@dataclass(frozen=True)
class LabelCosts:
    currency: str
    labels: int
    total_minor: int

    @property
    def total(self) -> str:
        return format_money(self.total_minor, self.currency)


def label_costs(sessions: SessionFactory, *, start: datetime, end: datetime) -> list[LabelCosts]:
    """Labels bought in [start, end) and what they cost, per currency; voided labels count
    until their refund arrives (the provider pays it back later, if at all)."""
    with sessions() as session:
        rows = session.exec(
            select(ReturnLabel.currency, func.count(), func.sum(ReturnLabel.cost_minor))
            .where(
                col(ReturnLabel.bought_at) >= start,
                col(ReturnLabel.bought_at) < end,
                col(ReturnLabel.cost_minor).is_not(None),
            )
            .group_by(col(ReturnLabel.currency))
            .order_by(col(ReturnLabel.currency))
        ).all()
    return [LabelCosts(c, int(n), int(t or 0)) for c, n, t in rows]


def month_bounds(now: datetime, zone: tzinfo) -> tuple[datetime, datetime]:
    """The calendar month of ``now`` in the shop's zone, as UTC instants."""
    local = now.astimezone(zone)
    start = datetime(local.year, local.month, 1, tzinfo=zone)
    after = datetime(local.year + local.month // 12, local.month % 12 + 1, 1, tzinfo=zone)
    return start.astimezone(UTC), after.astimezone(UTC)


@dataclass(frozen=True)
class FailedLabel:
    return_id: int
    rma: str
    error: str


def failed_labels(sessions: SessionFactory) -> list[FailedLabel]:
    """Labels whose purchase failed, waiting for the owner's "try again" (a cancelled
    return's label is voided, so these are all of open returns)."""
    with sessions() as session:
        rows = session.exec(
            select(ReturnLabel.return_id, ReturnRequest.rma, ReturnLabel.error)
            .join(ReturnRequest, col(ReturnRequest.id) == col(ReturnLabel.return_id))
            .where(ReturnLabel.state == LabelState.FAILED)
            .order_by(col(ReturnLabel.updated_at))
        ).all()
    return [FailedLabel(rid, rma, error) for rid, rma, error in rows]
