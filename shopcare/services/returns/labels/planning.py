"""What the returns workflow asks of labels, inside its own transaction: at approval, a
``due`` label row when the policy wants one (and the approval email held back until the
label is bought or has failed); at a rejection (a cancelled return), nothing left to buy and
a bought label's money asked back."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from shopcare.db.models import OutboxMessage, ReturnLabel, ReturnLine, ReturnRequest
from shopcare.domain.messages import MessageKind
from shopcare.domain.return_labels import LabelsFor, LabelState, idempotency_key, label_wanted
from shopcare.domain.returns import Resolution, ReturnStatus
from shopcare.services.returns.labels.settings import load_label_settings

HOLD = timedelta(minutes=10)
"""The longest the approval email waits for its label: a process that died mid-purchase
must not keep the shopper waiting; it then goes with the plain slip."""
REFUND_WANTED = "wanted"


def follow_return(
    session: Session, request: ReturnRequest, to: ReturnStatus, *, now: datetime
) -> None:
    """Called by the workflow after each step, in its transaction."""
    if to is ReturnStatus.APPROVED:
        plan_label(session, request, now=now)
    elif to is ReturnStatus.REJECTED:
        cancel_label(session, request, now=now)


def plan_label(session: Session, request: ReturnRequest, *, now: datetime) -> ReturnLabel | None:
    assert request.id is not None
    settings = load_label_settings(session)
    reasons = session.exec(
        select(ReturnLine.reason).where(ReturnLine.return_id == request.id)
    ).all()
    wanted = label_wanted(
        LabelsFor(settings.labels_for),
        reasons=frozenset(settings.reasons),
        shipping_paid_by=request.shipping_paid_by,
        line_reasons=[*reasons, request.reason],
        parcel_comes_back=request.resolution != Resolution.KEEP,
    )
    if not wanted or not settings.provider:
        return None
    if session.exec(select(ReturnLabel).where(ReturnLabel.return_id == request.id)).first():
        return None
    label = ReturnLabel(
        return_id=request.id,
        provider=settings.provider,
        state=LabelState.DUE,
        idempotency_key=idempotency_key(request.id, request.rma),
        created_at=now,
        updated_at=now,
    )
    session.add(label)
    session.flush()
    hold_approval(session, request.id, until=now + HOLD)
    return label


def cancel_label(session: Session, request: ReturnRequest, *, now: datetime) -> None:
    label = session.exec(select(ReturnLabel).where(ReturnLabel.return_id == request.id)).first()
    if label is None:
        return
    if label.state in (LabelState.DUE, LabelState.FAILED):
        label.state = LabelState.VOIDED
    elif label.state in (LabelState.BOUGHT, LabelState.BUYING):
        label.refund_status = REFUND_WANTED  # the scheduler asks the provider
    label.updated_at = now
    session.add(label)


def hold_approval(session: Session, return_id: int, *, until: datetime) -> None:
    _approval_due(session, return_id, until)


def release_approval(session: Session, return_id: int, *, now: datetime) -> None:
    """The approval email may go now (with the label, or with the plain slip)."""
    _approval_due(session, return_id, now)


def _approval_due(session: Session, return_id: int, at: datetime) -> None:
    session.flush()
    session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.return_id) == return_id,
            col(OutboxMessage.kind) == MessageKind.RETURN_APPROVED,
            col(OutboxMessage.status) == "queued",
        )
        .values(next_attempt_at=at)
    )
