"""The rules that steer a return towards store credit or an exchange: the bonus and the
handling fee in minor units, the figures each choice gives, other products within the
limit, who gets an instant exchange and when its return is overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shopcare.domain.return_offers import (
    CatalogueItem,
    ReturnOffers,
    bonus_minor,
    choice_figures,
    instant_exchange_allowed,
    other_product_credit,
    percent_of,
    return_overdue,
    settled_bonus,
    whole_return,
)
from shopcare.domain.return_policy import (
    Draft,
    PolicyLine,
    RequestedLine,
    ReturnPolicy,
    ShippingPayer,
    settle,
)
from shopcare.domain.returns import Resolution

SHIRT = PolicyLine(1, "SHIRT-M", frozenset(), 4000, 2)
TOTE = PolicyLine(2, "TOTE", frozenset(), 1995, 1)
LINES = {1: SHIRT, 2: TOTE}
TEN_PERCENT = ReturnOffers(bonus_basis_points=1000)
NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def test_ten_percent_bonus_on_forty_euros_is_four() -> None:
    assert bonus_minor(TEN_PERCENT, Resolution.STORE_CREDIT, value_minor=4000) == 400


@pytest.mark.parametrize(
    ("value", "basis_points", "expected"),
    [(1995, 1000, 200), (1994, 1000, 199), (5, 1000, 1), (4, 1000, 0), (4999, 250, 125)],
)
def test_percentages_round_half_up_to_the_minor_unit(
    value: int, basis_points: int, expected: int
) -> None:
    assert percent_of(value, basis_points) == expected


def test_a_refund_or_keeping_the_item_earns_no_bonus() -> None:
    offers = ReturnOffers(bonus_basis_points=1000, bonus_fixed_minor=500)
    assert bonus_minor(offers, Resolution.REFUND, value_minor=4000) == 0
    assert bonus_minor(offers, Resolution.KEEP, value_minor=4000) == 0
    assert bonus_minor(offers, Resolution.STORE_CREDIT, value_minor=0) == 0


def test_the_fixed_bonus_adds_to_the_percentage_once() -> None:
    offers = ReturnOffers(bonus_basis_points=500, bonus_fixed_minor=300)
    assert bonus_minor(offers, Resolution.STORE_CREDIT, value_minor=8000) == 400 + 300


def test_an_exchange_earns_the_bonus_unless_the_owner_says_not() -> None:
    assert bonus_minor(TEN_PERCENT, Resolution.EXCHANGE, value_minor=4000) == 400
    off = ReturnOffers(bonus_basis_points=1000, bonus_on_exchange=False)
    assert bonus_minor(off, Resolution.EXCHANGE, value_minor=4000) == 0


def test_the_handling_fee_is_taken_off_refunds_only() -> None:
    policy = ReturnPolicy(restocking_basis_points=1000, restocking_fixed_minor=100)
    asked = (RequestedLine(1, 1, "too_small"),)
    refund = settle(policy, Draft(asked, Resolution.REFUND), lines=LINES)
    assert (refund.restocking_minor, refund.refund_minor) == (500, 3500)
    for other in (Resolution.STORE_CREDIT, Resolution.EXCHANGE, Resolution.KEEP):
        assert settle(policy, Draft(asked, other), lines=LINES).restocking_minor == 0


def test_the_figures_refund_forty_or_forty_four_in_credit() -> None:
    figures = choice_figures(
        ReturnPolicy(), TEN_PERCENT, [RequestedLine(1, 1, "too_small")], order_lines=LINES
    )
    assert (figures.refund_minor, figures.credit_minor, figures.credit_bonus_minor) == (
        4000, 4400, 400,
    )  # fmt: skip
    assert figures.exchange_bonus_minor == 400


def test_the_figures_take_the_handling_fee_off_the_refund_and_postage_off_both() -> None:
    policy = ReturnPolicy(
        restocking_basis_points=1000,
        shipping_paid_by=ShippingPayer.SHOPPER,
        shipping_fee_minor=495,
    )
    figures = choice_figures(
        policy, TEN_PERCENT, [RequestedLine(1, 2, "too_small")], order_lines=LINES
    )
    assert figures.value_minor == 8000
    assert figures.handling_minor == 800
    assert figures.refund_minor == 8000 - 800 - 495
    assert figures.credit_minor == 8000 - 495 + 800


def test_a_shops_fault_reason_bears_no_handling_fee_in_the_figures() -> None:
    policy = ReturnPolicy(restocking_basis_points=1000)
    figures = choice_figures(
        policy, ReturnOffers(), [RequestedLine(1, 1, "damaged")], order_lines=LINES
    )
    assert (figures.handling_minor, figures.refund_minor) == (0, 4000)


def test_before_anything_is_chosen_the_figures_are_for_every_returnable_unit() -> None:
    lines = whole_return({1: 2, 2: 0, 3: 1})
    assert [(r.line_id, r.quantity) for r in lines] == [(1, 2), (3, 1)]


def test_the_bonus_follows_what_came_back() -> None:
    assert settled_bonus(400, requested_minor=8000, kept_minor=8000) == 400
    assert settled_bonus(400, requested_minor=8000, kept_minor=4000) == 200
    assert settled_bonus(401, requested_minor=8000, kept_minor=4000) == 201  # 200.5 up
    assert settled_bonus(400, requested_minor=8000, kept_minor=0) == 0


def returned(price: int = 4000) -> CatalogueItem:
    return CatalogueItem("SHIRT-M", "shirt", price)


def test_another_product_of_the_same_price_is_offered_without_credit() -> None:
    offers = ReturnOffers(other_products=True)
    wanted = CatalogueItem("MUG", "mug", 4000)
    assert other_product_credit(offers, returned=returned(), wanted=wanted) == 0


def test_a_cheaper_product_leaves_its_difference_as_credit_up_to_the_limit() -> None:
    offers = ReturnOffers(other_products=True, difference_limit_minor=1000)
    cheaper = CatalogueItem("MUG", "mug", 3000)
    assert other_product_credit(offers, returned=returned(), wanted=cheaper) == 1000
    much_cheaper = CatalogueItem("PIN", "pin", 2999)
    assert other_product_credit(offers, returned=returned(), wanted=much_cheaper) is None


def test_dearer_products_unpriced_ones_and_the_same_product_are_not_offered() -> None:
    offers = ReturnOffers(other_products=True, difference_limit_minor=10_000)
    for wanted in (
        CatalogueItem("COAT", "coat", 4001),
        CatalogueItem("FREE", "free", 0),
        CatalogueItem("SHIRT-L", "shirt", 4000),
        CatalogueItem("SHIRT-M", "", 4000),
    ):
        assert other_product_credit(offers, returned=returned(), wanted=wanted) is None, wanted


def test_other_products_are_off_unless_the_owner_offers_them() -> None:
    wanted = CatalogueItem("MUG", "mug", 4000)
    assert other_product_credit(ReturnOffers(), returned=returned(), wanted=wanted) is None


def test_instant_exchange_only_for_repeat_customers_when_asked() -> None:
    offers = ReturnOffers(instant_exchange=True, instant_min_delivered_orders=2)
    assert not instant_exchange_allowed(offers, earlier_delivered_orders=1)
    assert instant_exchange_allowed(offers, earlier_delivered_orders=2)
    assert not instant_exchange_allowed(ReturnOffers(), earlier_delivered_orders=9)
    anyone = ReturnOffers(instant_exchange=True)
    assert instant_exchange_allowed(anyone, earlier_delivered_orders=0)


def test_a_return_is_overdue_after_the_days_without_a_carrier_scan() -> None:
    offers = ReturnOffers(watch_days=7)
    sent = NOW - timedelta(days=7)
    assert return_overdue(offers, sent_at=sent, parcel_statuses=[], now=NOW)
    assert return_overdue(offers, sent_at=sent, parcel_statuses=["info_received"], now=NOW)
    assert not return_overdue(offers, sent_at=sent, parcel_statuses=["in_transit"], now=NOW)
    early = NOW - timedelta(days=7) + timedelta(seconds=1)
    assert not return_overdue(offers, sent_at=early, parcel_statuses=[], now=NOW)
