"""The returns of the demo shop's past: a few in a hundred orders, many more after a parcel
was damaged on the way; reasons, resolutions (refund, exchange, store credit) and the
owner's decisions, each logged as the real workflow logs it, all settled."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from shopcare.db.models import ReturnEvent, ReturnLine, ReturnRequest
from shopcare.domain.messages import MessageKind as K
from shopcare.domain.returns import ReturnStatus, make_rma
from shopcare.domain.tokens import public_token
from shopcare.services.demo.history_parcels import Parcel

if TYPE_CHECKING:
    from shopcare.services.demo.history import _Build

RETURNS = 0.07
RETURNS_AFTER_EXCEPTION = 0.4
_REASONS = ("changed_mind", "changed_mind", "not_as_described", "too_large", "wrong_item")
_RESOLUTIONS = {  # resolution -> the status it settles in, its weight
    "refund": (ReturnStatus.REFUNDED, 6),
    "exchange": (ReturnStatus.EXCHANGED, 2),
    "store_credit": (ReturnStatus.CREDITED, 2),
}
_EXCHANGES = {"MUG-SAND": "MUG-SLATE", "MUG-SLATE": "MUG-MOSS", "MUG-MOSS": "MUG-SAND"}


def return_rows(
    build: _Build,
    order: dict[str, Any],
    parcel: Parcel,
    lines: list[tuple[int, tuple[tuple[Any, ...], int]]],
) -> None:
    """Maybe a return of one of the order's lines (``(line id, (product, quantity))``)."""
    rng = build.rng
    damaged = parcel.had_exception
    if rng.random() >= (RETURNS_AFTER_EXCEPTION if damaged else RETURNS):
        return
    assert parcel.delivered_at is not None
    asked = parcel.delivered_at + timedelta(days=rng.uniform(1, 20))
    steps = [asked + timedelta(days=d) for d in (0.2, 4 + rng.random() * 3, 6 + rng.random() * 4)]
    if steps[-1] >= build.now:
        return
    line_id, (product, quantity) = rng.choice(lines)
    reason = "damaged" if damaged else rng.choice(_REASONS)
    rejected = not damaged and rng.random() < 0.08
    resolution = rng.choices(list(_RESOLUTIONS), weights=[w for _, w in _RESOLUTIONS.values()])[0]
    if resolution == "exchange" and product[1] not in _EXCHANGES:
        resolution = "refund"
    settled = ReturnStatus.REJECTED if rejected else _RESOLUTIONS[resolution][0]
    value = product[5] * quantity
    return_id = build.next_id(ReturnRequest)
    build.add(
        ReturnRequest, id=return_id, order_id=order["id"], rma=_rma(build),
        public_token=public_token(), status=settled.value, reason=reason,
        comment="", created_at=asked, owner_note="", resolution=resolution,
        refund_minor=None if rejected or resolution == "exchange" else value,
        fee_minor=0, shipping_paid_by="shop" if reason in ("damaged", "wrong_item") else "shopper",
        auto_approved=damaged, updated_at=steps[-1], exchange_order_id=None,
        store_credit_code="",
    )  # fmt: skip
    build.add(
        ReturnLine, return_id=return_id, order_line_id=line_id, quantity=quantity,
        reason=reason, comment="", exchange_sku=_EXCHANGES.get(product[1], "")
        if resolution == "exchange" else "",
        received_quantity=None if rejected else quantity,
        condition="" if rejected else "damaged" if damaged else "as_new",
    )  # fmt: skip
    path = (
        [("shopper", "requested"), ("owner", "rejected")]
        if rejected
        else [("shopper", "requested"), ("owner", "approved"), ("owner", "received"),
              ("owner", settled.value)]
    )  # fmt: skip
    times = [asked, *steps]
    for (actor, action), at in zip(path, times, strict=False):
        build.add(ReturnEvent, return_id=return_id, at=at, actor=actor, action=action, detail="")
    _messages(build, order, return_id, rejected=rejected, times=times)


def _messages(
    build: _Build, order: dict[str, Any], return_id: int, *, rejected: bool, times: list[datetime]
) -> None:
    kinds = (
        [K.RETURN_REQUESTED, K.RETURN_REJECTED]
        if rejected
        else [K.RETURN_REQUESTED, K.RETURN_APPROVED, K.RETURN_RECEIVED, K.RETURN_REFUNDED]
    )
    for kind, at in zip(kinds, times, strict=False):
        build.message(
            kind, order, at + timedelta(minutes=1), return_id=return_id, occurrence=str(return_id)
        )


def _rma(build: _Build) -> str:
    while True:
        rma = make_rma(build.rng.randrange)
        if rma not in build.rmas:
            build.rmas.add(rma)
            return rma
