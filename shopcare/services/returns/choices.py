"""The figures a shopper chooses between in the returns portal: what a refund, store credit
and an exchange each give for the items chosen (or, before any are, for all of them), by the
same rules the request is then recorded with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import ShopOrder
from shopcare.domain.return_offers import ChoiceFigures, choice_figures, whole_return
from shopcare.domain.return_policy import RequestedLine
from shopcare.services.returns.offers import load_offers
from shopcare.services.returns.policy import order_returns


@dataclass(frozen=True)
class Choice:
    figures: ChoiceFigures
    chosen: bool
    """The figures are for the shopper's chosen items; else for every returnable one."""
    currency: str


def return_choice(
    sessions: SessionFactory,
    order_token: str,
    chosen: Sequence[RequestedLine] = (),
    *,
    now: datetime,
) -> Choice | None:
    """None for an unknown order. Chosen lines the policy would refuse (more units than
    can go back, another order's line) count only as far as they can go back."""
    with sessions() as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.public_token == order_token)).first()
        if order is None:
            return None
        state = order_returns(session, order, now=now)
        left = {i: s.returnable for i, s in state.standings.items()}
        lines = tuple(
            RequestedLine(r.line_id, min(r.quantity, left[r.line_id]), r.reason)
            for r in chosen
            if r.quantity > 0 and left.get(r.line_id, 0) > 0
        )
        figures = choice_figures(
            state.policy,
            load_offers(session),
            lines or whole_return(left),
            order_lines=state.policy_lines,
        )
    return Choice(figures=figures, chosen=bool(lines), currency=order.currency)
