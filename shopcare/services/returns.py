"""Returns: open a request for some of an order's items, and make its slip."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session, col, func, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import OrderLine, ReturnLine, ReturnRequest, ShopOrder
from shopcare.domain.messages import MessageKind
from shopcare.domain.returns import check_return_request, make_rma, returnable_quantities
from shopcare.services.errors import InputError
from shopcare.services.outbox import enqueue
from shopcare.services.shop import load_profile
from shopcare.services.views import ReturnView, return_view

REASONS = {
    "too_small": "Too small",
    "too_large": "Too large",
    "damaged": "Arrived damaged",
    "not_as_described": "Not as described",
    "wrong_item": "Wrong item sent",
    "changed_mind": "Changed my mind",
}


def returnable_lines(sessions: SessionFactory, order_token: str) -> dict[int, int] | None:
    """Per order line id, how many units can still be returned; None for an unknown order."""
    with sessions() as session:
        order = _order(session, order_token)
        return _returnable(session, order) if order else None


def open_return(
    sessions: SessionFactory,
    *,
    order_token: str,
    quantities: Mapping[int, int],
    reason: str,
    comment: str = "",
    now: datetime,
) -> str:
    """Create the return request; returns its public token."""
    if reason not in REASONS:
        raise InputError("Choose a reason for the return.")
    with transaction(sessions) as session:
        order = _order(session, order_token)
        if order is None:
            raise InputError("This order could not be found.")
        problems = check_return_request(quantities, _returnable(session, order))
        if problems:
            raise InputError(" ".join(problems))
        assert order.id is not None
        request = ReturnRequest(
            order_id=order.id,
            rma=_unique_rma(session),
            public_token=secrets.token_urlsafe(24),
            reason=reason,
            comment=comment.strip()[:2000],
            created_at=now,
        )
        session.add(request)
        session.flush()
        assert request.id is not None
        session.add_all(
            ReturnLine(return_id=request.id, order_line_id=line, quantity=qty)
            for line, qty in quantities.items()
            if qty
        )
        enqueue(
            session,
            MessageKind.RETURN_REQUESTED,
            order=order,
            return_id=request.id,
            occurrence=request.rma,
            now=now,
        )
    return request.public_token


def return_by_token(sessions: SessionFactory, token: str) -> tuple[ReturnView, str] | None:
    """The return and its order number."""
    with sessions() as session:
        request = _return(session, token)
        if request is None:
            return None
        order = session.get(ShopOrder, request.order_id)
        assert order is not None
        return return_view(session, request, zone=load_profile(session).zone), order.order_number


def return_slip_pdf(sessions: SessionFactory, token: str, *, public_url: str) -> bytes | None:
    # ReportLab is imported on the first slip, not at start-up (~80 ms, ~10 MB).
    from shopcare.pdf.return_slip import ReturnSlip, SlipItem, render_return_slip

    with sessions() as session:
        request = _return(session, token)
        if request is None:
            return None
        profile = load_profile(session)
        view = return_view(session, request, zone=profile.zone)
        order = session.get(ShopOrder, request.order_id)
        assert order is not None
    slip = ReturnSlip(
        shop_name=profile.name,
        rma=view.rma,
        status_url=f"{public_url}/r/{token}",
        return_address=profile.return_address,
        order_number=order.order_number,
        customer_name=order.ship_name,
        created_at=view.created_at,
        reason=REASONS.get(view.reason, view.reason),
        items=[SlipItem(title=title, quantity=qty) for title, qty in view.lines],
    )
    return render_return_slip(slip)


def _return(session: Session, token: str) -> ReturnRequest | None:
    return session.exec(select(ReturnRequest).where(ReturnRequest.public_token == token)).first()


def _order(session: Session, token: str) -> ShopOrder | None:
    return session.exec(select(ShopOrder).where(ShopOrder.public_token == token)).first()


def _returnable(session: Session, order: ShopOrder) -> dict[int, int]:
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    returned: dict[int, int] = defaultdict(int)
    rows = session.exec(
        select(ReturnLine.order_line_id, func.sum(ReturnLine.quantity))
        .join(ReturnRequest, col(ReturnRequest.id) == col(ReturnLine.return_id))
        .where(ReturnRequest.order_id == order.id, ReturnRequest.status != "rejected")
        .group_by(col(ReturnLine.order_line_id))
    ).all()
    for line_id, qty in rows:
        returned[line_id] = int(qty or 0)
    return returnable_quantities({li.id: li.quantity for li in lines if li.id}, returned)


def _unique_rma(session: Session) -> str:
    while True:
        rma = make_rma(secrets.randbelow)
        if not session.exec(select(ReturnRequest).where(ReturnRequest.rma == rma)).first():
            return rma
