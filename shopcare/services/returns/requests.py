"""Returns: open a request for some of an order's items under the shop's policy, and make
its slip."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path

from sqlmodel import Session, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import OrderLine, ReturnLine, ReturnPhoto, ReturnRequest, ShopOrder
from shopcare.domain.messages import MessageKind
from shopcare.domain.return_offers import bonus_minor
from shopcare.domain.return_policy import (
    DEFAULT_REASONS,
    Draft,
    NotReturnable,
    PolicyLine,
    Reason,
    RequestedLine,
    RequestProblem,
    ReturnPolicy,
    Settlement,
    check_request,
    line_standings,
    settle,
    window_start,
)
from shopcare.domain.returns import Resolution, ReturnStatus, make_rma, returnable_quantities
from shopcare.domain.text import clean_text
from shopcare.domain.tokens import public_token
from shopcare.services.errors import InputError
from shopcare.services.messages.outbox import enqueue
from shopcare.services.orders.views import LineView, ReturnView, return_view
from shopcare.services.returns.history import SHOPPER, SYSTEM, log_return_event
from shopcare.services.returns.instant import start_instant_exchange
from shopcare.services.returns.labels.planning import plan_label
from shopcare.services.returns.offers import ProductChoice, load_offers
from shopcare.services.returns.photos import (
    PhotoUpload,
    StoredPhoto,
    photo_problems,
    remove_photos,
    store_photos,
)
from shopcare.services.returns.policy import order_returns, returned_units
from shopcare.services.shop.profile import load_profile

REASONS = {r.code: r.label for r in DEFAULT_REASONS}
"""The default reasons' labels (translated in the catalogs); the owner may add others."""


class ReturnRefused(InputError):
    """The request breaks the policy; ``problems`` say where, for the shopper's page."""

    def __init__(self, problems: Sequence[RequestProblem]) -> None:
        self.problems = list(problems)
        super().__init__("return refused: " + ", ".join(p.code for p in self.problems))


@dataclass(frozen=True)
class ReturnAsk:
    """What the shopper sends. ``photos`` is None when the caller collects none (the owner
    entering a return by hand); the photo rule then does not apply."""

    order_token: str
    lines: tuple[RequestedLine, ...]
    resolution: str = Resolution.REFUND
    comment: str = ""
    photos: Sequence[PhotoUpload] | None = None


@dataclass(frozen=True)
class LineOption:
    line_id: int
    returnable: int
    why_not: NotReturnable | None
    last_day: date
    variants: list[tuple[str, str]]
    """(sku, words) of the variants an exchange can send instead."""
    products: list[ProductChoice] = field(default_factory=list)
    """Other products of the same or a lower price an exchange can send instead."""


@dataclass(frozen=True)
class ReturnOptions:
    """What the portal's form offers for one order now."""

    lines: dict[int, LineOption]
    reasons: tuple[Reason, ...]
    resolutions: list[Resolution]
    policy: ReturnPolicy


def returnable_lines(
    sessions: SessionFactory, order_token: str, *, now: datetime | None = None
) -> dict[int, int] | None:
    """Per order line id, how many units can still be returned; None for an unknown order.
    Without ``now`` only what was already returned counts; with it, the whole policy."""
    with sessions() as session:
        order = _order(session, order_token)
        if order is None or order.id is None:
            return None
        if now is not None:
            standings = order_returns(session, order, now=now).standings
            return {i: s.returnable for i, s in standings.items() if s.returnable}
        lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
        return returnable_quantities(
            {li.id: li.quantity for li in lines if li.id}, returned_units(session, order.id)
        )


def any_returnable(
    policy: ReturnPolicy,
    lines: Sequence[LineView],
    *,
    returned: Mapping[int, int],
    placed_at: datetime,
    delivered: Iterable[datetime | None],
    now: datetime,
    zone: tzinfo,
) -> bool:
    """Whether the tracking page offers "Start a return": the portal's rules (see
    ``order_returns``) applied to rows the page has loaded already, without reading them
    again. ``returned`` counts the units in this order's not-rejected returns."""
    standings = line_standings(
        policy,
        [
            PolicyLine(
                id=li.id,
                sku=li.sku,
                tags=frozenset(li.tags),
                unit_price_minor=li.unit_price_minor,
                quantity=li.quantity,
            )
            for li in lines
        ],
        returned=returned,
        start=window_start(ordered_at=placed_at, delivered=delivered),
        now=now,
        zone=zone,
    )
    return any(s.returnable for s in standings.values())


def return_options(
    sessions: SessionFactory, order_token: str, *, now: datetime
) -> ReturnOptions | None:
    with sessions() as session:
        order = _order(session, order_token)
        if order is None:
            return None
        state = order_returns(session, order, now=now)
    return ReturnOptions(
        lines={
            i: LineOption(
                line_id=i,
                returnable=s.returnable,
                why_not=s.why_not,
                last_day=s.last_day,
                variants=[(v.sku, v.variant or v.title or v.sku) for v in state.exchange[i]],
                products=state.products.get(i, []),
            )
            for i, s in state.standings.items()
        },
        reasons=state.policy.reasons,
        resolutions=[r for r in Resolution if r in state.policy.resolutions],
        policy=state.policy,
    )


def open_return(
    sessions: SessionFactory,
    *,
    order_token: str,
    quantities: Mapping[int, int],
    reason: str,
    comment: str = "",
    now: datetime,
) -> str:
    """One reason for every line, a refund, no photos: the owner's or a script's way in."""
    ask = ReturnAsk(
        order_token=order_token,
        lines=tuple(RequestedLine(i, q, reason) for i, q in quantities.items()),
        comment=comment,
    )
    return request_return(sessions, ask, now=now, photo_dir=None)


def request_return(
    sessions: SessionFactory, ask: ReturnAsk, *, now: datetime, photo_dir: Path | None
) -> str:
    """Check the request against the policy, store it with its photos, log it, and queue
    the confirmation (and the approval, when the policy approves it at once) in the same
    commit. Returns the return's public token; raises ReturnRefused."""
    photos = list(ask.photos or ())
    problems = photo_problems(photos)
    if photos and photo_dir is None:
        raise InputError("photos need a place to be kept")
    stored: list[StoredPhoto] = []
    try:
        with transaction(sessions) as session:
            order = _order(session, ask.order_token)
            if order is None or order.id is None:
                raise InputError("This order could not be found.")
            state = order_returns(session, order, now=now)
            draft = Draft(
                lines=ask.lines,
                resolution=ask.resolution,
                comment=ask.comment,
                photos=None if ask.photos is None else len(photos),
            )
            problems += check_request(
                state.policy,
                draft,
                lines=state.policy_lines,
                standings=state.standings,
                exchange_options=state.exchange_skus(),
                already_returned_units=state.returned_units,
            )
            if problems:
                raise ReturnRefused(problems)
            if photo_dir is not None:
                stored = store_photos(photo_dir, photos)
            money = settle(state.policy, draft, lines=state.policy_lines)
            bonus = bonus_minor(
                load_offers(session), draft.resolution, value_minor=money.value_minor
            )
            credits = {(i, p.sku): p.credit_minor for i, ps in state.products.items() for p in ps}
            request = _save(
                session, order, draft, money, stored, now=now, bonus=bonus, credits=credits
            )
    except BaseException:
        if photo_dir is not None:
            remove_photos(photo_dir, stored)
        raise
    return request.public_token


def _save(
    session: Session,
    order: ShopOrder,
    draft: Draft,
    money: Settlement,
    photos: Sequence[StoredPhoto],
    *,
    now: datetime,
    bonus: int = 0,
    credits: Mapping[tuple[int, str], int] | None = None,
) -> ReturnRequest:
    """``bonus`` as the shopper was shown it; ``credits`` per (order line, exchange SKU),
    what a cheaper other product leaves over per unit."""
    assert order.id is not None
    chosen = [r for r in draft.lines if r.quantity]
    request = ReturnRequest(
        order_id=order.id,
        rma=_unique_rma(session),
        public_token=public_token(),
        status=ReturnStatus.APPROVED if money.auto_approved else ReturnStatus.REQUESTED,
        reason=chosen[0].reason,
        comment=clean_text(draft.comment, multiline=True).strip()[:2000],
        created_at=now,
        updated_at=now,
        resolution=draft.resolution,
        fee_minor=money.fee_minor,
        shipping_paid_by=money.shipping_paid_by,
        auto_approved=money.auto_approved,
        bonus_minor=bonus,
    )
    session.add(request)
    session.flush()
    assert request.id is not None
    session.add_all(
        ReturnLine(
            return_id=request.id,
            order_line_id=r.line_id,
            quantity=r.quantity,
            reason=r.reason,
            exchange_sku=r.exchange_sku.strip() if draft.resolution == Resolution.EXCHANGE else "",
            exchange_credit_minor=(credits or {}).get((r.line_id, r.exchange_sku.strip()), 0)
            if draft.resolution == Resolution.EXCHANGE
            else 0,
        )
        for r in chosen
    )
    session.add_all(
        ReturnPhoto(
            return_id=request.id,
            stored_name=p.stored_name,
            content_type=p.content_type,
            size=p.size,
            created_at=now,
        )
        for p in photos
    )
    log_return_event(session, request.id, actor=SHOPPER, action="requested", now=now)
    kinds = [MessageKind.RETURN_REQUESTED]
    if money.auto_approved:
        log_return_event(session, request.id, actor=SYSTEM, action="auto_approved", now=now)
        kinds.append(MessageKind.RETURN_APPROVED)
    for kind in kinds:
        enqueue(session, kind, order=order, return_id=request.id, occurrence=request.rma, now=now)
    if money.auto_approved:
        plan_label(session, request, now=now)  # a prepaid label, when the policy buys one
        start_instant_exchange(session, request, now=now)
    return request


def return_by_token(sessions: SessionFactory, token: str) -> tuple[ReturnView, str] | None:
    """The return and its order number."""
    with sessions() as session:
        request = _return(session, token)
        if request is None:
            return None
        order = session.get(ShopOrder, request.order_id)
        assert order is not None
        return return_view(session, request, zone=load_profile(session).zone), order.order_number


def _return(session: Session, token: str) -> ReturnRequest | None:
    return session.exec(select(ReturnRequest).where(ReturnRequest.public_token == token)).first()


def _order(session: Session, token: str) -> ShopOrder | None:
    return session.exec(select(ShopOrder).where(ShopOrder.public_token == token)).first()


def _unique_rma(session: Session) -> str:
    while True:
        rma = make_rma(secrets.randbelow)
        if not session.exec(select(ReturnRequest).where(ReturnRequest.rma == rma)).first():
            return rma
