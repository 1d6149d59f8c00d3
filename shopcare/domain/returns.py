"""Return rules that need no store: what may still be returned, RMA numbers."""

from __future__ import annotations

from collections.abc import Callable, Mapping

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
