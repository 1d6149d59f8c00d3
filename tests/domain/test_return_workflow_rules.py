"""The owner's return workflow as pure rules: which step may follow which, and the money
rules of a refund or a credit."""

import random
import re

import pytest

from shopcare.domain.returns import (
    CREDIT_ALPHABET,
    RefundLimits,
    ReturnStatus,
    can_move,
    make_credit_code,
    move_problem,
    next_statuses,
    outcome,
    received_problem,
    refund_limits,
    refund_problem,
)

S = ReturnStatus
ALLOWED = {
    (S.REQUESTED, S.APPROVED),
    (S.REQUESTED, S.REJECTED),
    (S.APPROVED, S.RECEIVED),
    (S.APPROVED, S.REJECTED),
    (S.RECEIVED, S.REFUNDED),
    (S.RECEIVED, S.EXCHANGED),
    (S.RECEIVED, S.CREDITED),
    (S.RECEIVED, S.REJECTED),
}
KEEP_ALLOWED = (ALLOWED - {(S.APPROVED, S.RECEIVED)}) | {
    (S.APPROVED, S.REFUNDED),
    (S.APPROVED, S.CREDITED),
}


@pytest.mark.parametrize("old", list(S))
@pytest.mark.parametrize("new", list(S))
def test_only_the_workflows_steps_are_allowed(old: S, new: S) -> None:
    assert can_move(old, new) == ((old, new) in ALLOWED)
    assert (move_problem(old, new) is None) == ((old, new) in ALLOWED)
    assert can_move(old, new, resolution="keep") == ((old, new) in KEEP_ALLOWED)


def test_stored_status_values_never_change() -> None:
    assert [s.value for s in S] == [
        "requested", "approved", "rejected", "received", "refunded", "exchanged", "credited",
    ]  # fmt: skip


def test_a_kept_item_is_settled_without_a_parcel() -> None:
    assert next_statuses(S.APPROVED, resolution="keep") == [S.REJECTED, S.REFUNDED, S.CREDITED]
    assert next_statuses(S.APPROVED) == [S.REJECTED, S.RECEIVED]
    assert next_statuses(S.RECEIVED) == [S.REJECTED, S.REFUNDED, S.EXCHANGED, S.CREDITED]
    assert all(next_statuses(s) == [] for s in (S.REJECTED, S.REFUNDED, S.EXCHANGED, S.CREDITED))


def test_refusals_say_what_to_do_first() -> None:
    assert "mark the parcel received first" in (move_problem(S.APPROVED, S.REFUNDED) or "")
    assert "approve it first" in (move_problem(S.REQUESTED, S.EXCHANGED) or "")
    assert "already refunded" in (move_problem(S.REFUNDED, S.APPROVED) or "")
    assert "cannot become requested" in (move_problem(S.APPROVED, S.REQUESTED) or "")


def test_the_suggested_refund_is_what_came_back_less_the_fee() -> None:
    limits = refund_limits(
        items_value=3600, paid_value=3600, fee=500, order_total=4850, given_back=0
    )
    assert limits == RefundLimits(suggested=3100, most=3600)


def test_the_refund_is_never_negative_nor_more_than_was_paid() -> None:
    nothing_back = refund_limits(
        items_value=0, paid_value=1800, fee=500, order_total=4850, given_back=0
    )
    assert nothing_back.suggested == 0
    other_refunds = refund_limits(
        items_value=3600, paid_value=3600, fee=0, order_total=4850, given_back=3000
    )
    assert other_refunds == RefundLimits(suggested=1850, most=1850)
    no_total = refund_limits(items_value=1800, paid_value=1800, fee=0, order_total=0, given_back=0)
    assert no_total.most == 1800
    assert refund_limits(items_value=9, paid_value=9, fee=0, order_total=5, given_back=9).most == 0
    assert refund_problem(-1, no_total) == "the amount cannot be negative"
    assert "more than the shopper paid" in (refund_problem(1801, no_total) or "")
    assert refund_problem(1800, no_total) is None and refund_problem(0, no_total) is None


def test_received_quantities_stay_within_what_was_returned() -> None:
    assert received_problem(2, returned=2) is None and received_problem(0, returned=2) is None
    assert received_problem(3, returned=2) == "at most 2 of this item were returned"
    assert received_problem(-1, returned=2) == "a received quantity cannot be negative"


def test_credit_codes_are_long_and_unambiguous() -> None:
    rng = random.Random(7)
    codes = {make_credit_code(rng.randrange) for _ in range(2000)}
    assert len(codes) == 2000
    pattern = re.compile(rf"^CREDIT-[{CREDIT_ALPHABET}]{{4}}-[{CREDIT_ALPHABET}]{{4}}$")
    assert all(pattern.match(code) for code in codes)
    assert not set("01OI") & set(CREDIT_ALPHABET)


def test_the_shopper_is_told_what_the_owner_did_not_what_they_asked() -> None:
    assert outcome(S.REFUNDED, "exchange") == "refund"
    assert outcome(S.REFUNDED, "keep") == "keep"
    assert outcome(S.CREDITED, "refund") == "store_credit"
    assert outcome(S.EXCHANGED, "exchange") == "exchange"
    assert outcome(S.RECEIVED, "exchange") == "exchange"
