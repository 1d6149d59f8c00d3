"""Return rules that need no store: what may still be returned, RMA numbers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    RECEIVED = "received"
    REFUNDED = "refunded"


_NEXT: dict[ReturnStatus, frozenset[ReturnStatus]] = {
    ReturnStatus.REQUESTED: frozenset({ReturnStatus.APPROVED, ReturnStatus.REJECTED}),
    ReturnStatus.APPROVED: frozenset({ReturnStatus.RECEIVED, ReturnStatus.REJECTED}),
    ReturnStatus.RECEIVED: frozenset({ReturnStatus.REFUNDED}),
    ReturnStatus.REJECTED: frozenset(),
    ReturnStatus.REFUNDED: frozenset(),
}


def can_move(old: ReturnStatus, new: ReturnStatus) -> bool:
    """The owner's workflow: a request is approved or rejected, an approved parcel is
    received (or rejected after all), a received one is refunded; nothing goes back."""
    return new in _NEXT[old]


def next_statuses(old: ReturnStatus) -> list[ReturnStatus]:
    return sorted(_NEXT[old])
