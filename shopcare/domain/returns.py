"""Return rules that need no store: what may still be returned, RMA numbers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

RMA_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I: read aloud on the phone
RMA_LENGTH = 8


def returnable_quantities(
    ordered: Mapping[int, int], already_returned: Mapping[int, int]
) -> dict[int, int]:
    """Per order line, how many units are still open for a return."""
    return {
        line: max(qty - already_returned.get(line, 0), 0)
        for line, qty in ordered.items()
        if qty - already_returned.get(line, 0) > 0
    }


def check_return_request(requested: Mapping[int, int], returnable: Mapping[int, int]) -> list[str]:
    """Reasons the request cannot be accepted; empty when it can."""
    chosen = {line: qty for line, qty in requested.items() if qty}
    if not chosen:
        return ["Choose at least one item to return."]
    problems = []
    for line, qty in chosen.items():
        if qty < 0:
            problems.append("Quantities cannot be negative.")
        elif line not in returnable:
            problems.append("One of the items cannot be returned any more.")
        elif qty > returnable[line]:
            problems.append(f"At most {returnable[line]} of one item can be returned.")
    return problems


def make_rma(randbelow: Callable[[int], int]) -> str:
    """A short code the shopper writes on the parcel; randomness comes from the caller."""
    body = "".join(RMA_ALPHABET[randbelow(len(RMA_ALPHABET))] for _ in range(RMA_LENGTH))
    return f"R-{body[:4]}-{body[4:]}"


class ReturnStatus(StrEnum):
    """Stored in ``return_request.status``: the values never change once written."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    RECEIVED = "received"
    REFUNDED = "refunded"
    EXCHANGED = "exchanged"
    CREDITED = "credited"

    @property
    def settled(self) -> bool:
        """Nothing more can happen to the return."""
        return not _NEXT[self]

    @property
    def slip_ready(self) -> bool:
        """The owner has accepted the return (or the policy did), so the shopper may print
        the slip and send the items back; before the decision, or after a rejection, a slip
        would tell them to post a parcel nobody agreed to take."""
        return self not in (ReturnStatus.REQUESTED, ReturnStatus.REJECTED)


class Resolution(StrEnum):
    """What the shopper asked for (``return_request.resolution``)."""

    REFUND = "refund"
    EXCHANGE = "exchange"
    STORE_CREDIT = "store_credit"
    KEEP = "keep"
    """The shopper keeps the item; the shop refunds or credits without a parcel."""


class Condition(StrEnum):
    """How the owner found a returned line."""

    AS_NEW = "as_new"
    OPENED = "opened"
    USED = "used"
    DAMAGED = "damaged"
    MISSING = "missing"


_S = ReturnStatus
_NEXT: dict[ReturnStatus, frozenset[ReturnStatus]] = {
    _S.REQUESTED: frozenset({_S.APPROVED, _S.REJECTED}),
    _S.APPROVED: frozenset({_S.RECEIVED, _S.REJECTED}),
    _S.RECEIVED: frozenset({_S.REFUNDED, _S.EXCHANGED, _S.CREDITED, _S.REJECTED}),
    _S.REJECTED: frozenset(),
    _S.REFUNDED: frozenset(),
    _S.EXCHANGED: frozenset(),
    _S.CREDITED: frozenset(),
}
_KEEP_NEXT = {_S.APPROVED: frozenset({_S.REFUNDED, _S.CREDITED, _S.REJECTED})}
"""When the shopper keeps the item no parcel comes back: an approved return is settled."""


def can_move(old: ReturnStatus, new: ReturnStatus, *, resolution: str = Resolution.REFUND) -> bool:
    """The owner's workflow: a request is approved or rejected, an approved parcel is
    received (or rejected after all), a received one is refunded, exchanged or credited (or
    refused after inspection); nothing goes back."""
    return new in _next(old, resolution)


def next_statuses(old: ReturnStatus, *, resolution: str = Resolution.REFUND) -> list[ReturnStatus]:
    """In the order the owner usually takes them (the enum's order)."""
    allowed = _next(old, resolution)
    return [status for status in ReturnStatus if status in allowed]


def _next(old: ReturnStatus, resolution: str) -> frozenset[ReturnStatus]:
    if resolution == Resolution.KEEP:
        return _KEEP_NEXT.get(old, _NEXT[old])
    return _NEXT[old]


def move_problem(
    old: ReturnStatus, new: ReturnStatus, *, resolution: str = Resolution.REFUND
) -> str | None:
    """Why the return cannot take this step, in words for the owner; None when it can."""
    if can_move(old, new, resolution=resolution):
        return None
    if old.settled:
        return f"this return is already {old}; nothing more can be done with it"
    if old is _S.REQUESTED and new is not _S.RECEIVED:
        return f"a return that is {old} cannot be {new} yet: approve it first"
    if new in (_S.REFUNDED, _S.CREDITED, _S.EXCHANGED) and old is not _S.RECEIVED:
        return f"a return that is {old} cannot be {new} yet: mark the parcel received first"
    return f"a return that is {old} cannot become {new}"


@dataclass(frozen=True)
class RefundLimits:
    """The money rules of one return's refund or credit, in minor units."""

    suggested: int
    """Value of the items received (kept, for "keep") minus the shopper's fee, never less
    than nothing and never more than ``most``."""
    most: int
    """What the shopper paid for the returned items, less what other returns of the same
    order already gave back."""


def refund_limits(
    *, items_value: int, paid_value: int, fee: int, order_total: int, given_back: int
) -> RefundLimits:
    """``items_value`` counts what came back (or what the shopper keeps); ``paid_value`` all
    the lines of the return; ``order_total`` 0 when the shop sent no total."""
    most = paid_value
    if order_total > 0:
        most = min(most, order_total - given_back)
    most = max(most, 0)
    return RefundLimits(suggested=min(max(items_value - fee, 0), most), most=most)


def refund_problem(amount: int, limits: RefundLimits) -> str | None:
    if amount < 0:
        return "the amount cannot be negative"
    if amount > limits.most:
        return "the amount is more than the shopper paid for these items"
    return None


def received_problem(quantity: int, *, returned: int) -> str | None:
    if quantity < 0:
        return "a received quantity cannot be negative"
    if quantity > returned:
        return f"at most {returned} of this item were returned"
    return None


CREDIT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""As the RMA: no 0/O or 1/I, so a code read aloud or typed from paper works."""


def make_credit_code(randbelow: Callable[[int], int]) -> str:
    """CREDIT-XXXX-XXXX: 32^8 (about 10^12) codes, so guessing one is hopeless."""
    body = "".join(CREDIT_ALPHABET[randbelow(len(CREDIT_ALPHABET))] for _ in range(8))
    return f"CREDIT-{body[:4]}-{body[4:]}"


def outcome(status: ReturnStatus, resolution: str) -> str:
    """What the return ends in, for the shopper's messages: once settled, what the owner
    did (a refund even when an exchange was asked for); before, what the shopper asked for."""
    if status is ReturnStatus.EXCHANGED:
        return Resolution.EXCHANGE
    if status is ReturnStatus.CREDITED:
        return Resolution.STORE_CREDIT
    if status is ReturnStatus.REFUNDED:
        return Resolution.KEEP if resolution == Resolution.KEEP else Resolution.REFUND
    return resolution
