"""Voiding the label of a cancelled return: the provider is asked for its money back
(EasyPost ``POST /shipments/{id}/refund``, Shippo ``POST /refunds``). A refusal is kept for
the owner; a refund that met a timeout or a server error is asked again on the next run."""

from __future__ import annotations

from datetime import datetime

import httpx
from sqlmodel import Session, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import ReturnLabel, ReturnRequest
from shopcare.domain.return_labels import UNCERTAIN, LabelState
from shopcare.domain.returns import ReturnStatus
from shopcare.services.errors import InputError
from shopcare.services.returns.history import SYSTEM, log_return_event
from shopcare.services.returns.labels.api import LabelError
from shopcare.services.returns.labels.clients import make_client, provider_url
from shopcare.services.returns.labels.planning import REFUND_WANTED
from shopcare.services.returns.labels.settings import api_key, load_label_settings

REFUND_FAILED = "failed"


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
    api = make_client(http, provider=refs[0], base_url=provider_url(settings, refs[0]), key=key)
    try:
        status = await api.refund(refs[1], refs[2])
    except LabelError as exc:
        with transaction(sessions) as session:
            label = session.get(ReturnLabel, label_id)
            assert label is not None
            label.error, label.updated_at = f"refund not asked: {exc}"[:500], now
            if exc.kind not in UNCERTAIN:  # refused: the owner decides (void again)
                label.refund_status = REFUND_FAILED
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
        label = label_of(session, return_id)
        request = session.get(ReturnRequest, return_id)
        assert request is not None and label.id is not None
        if request.status != ReturnStatus.REJECTED:
            raise InputError("only the label of a cancelled (rejected) return is voided")
        if label.state != LabelState.BOUGHT:
            raise InputError(f"this return's label is {label.state}: there is nothing to void")
        if label.refund_status not in ("", REFUND_FAILED, "rejected"):
            raise InputError(f"the refund is already {label.refund_status}")
        label.refund_status, label.updated_at = REFUND_WANTED, now
        session.add(label)
        return label.id


def refunds_wanted(sessions: SessionFactory) -> list[int]:
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


def label_of(session: Session, return_id: int) -> ReturnLabel:
    label = session.exec(select(ReturnLabel).where(ReturnLabel.return_id == return_id)).first()
    if label is None:
        raise InputError("this return has no prepaid label")
    return label
