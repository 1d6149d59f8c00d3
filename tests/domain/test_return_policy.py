"""The return policy's rules: window edges in the shop's zone, overrides, final sale, the
order's limit, a request's completeness, fees and auto-approval."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shopcare.domain.return_policy import (
    AutoApproveRule,
    Draft,
    LineStanding,
    NotReturnable,
    PolicyLine,
    Problem,
    RequestedLine,
    ReturnPolicy,
    ReturnStep,
    ShippingPayer,
    check_request,
    is_final_sale,
    keep_allowed,
    last_day,
    line_standings,
    return_progress,
    settle,
    window_days_for,
    window_open,
    window_start,
)
from shopcare.domain.returns import Resolution

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
SHIRT = PolicyLine(1, "SHIRT-M", frozenset({"summer"}), 4900, 2)
TOTE = PolicyLine(2, "TOTE", frozenset(), 1900, 1)
LINES = {1: SHIRT, 2: TOTE}


def standings(
    policy: ReturnPolicy, returned: dict[int, int] | None = None, now: datetime = NOW
) -> dict[int, LineStanding]:
    start = datetime(2026, 11, 10, 9, tzinfo=UTC)
    return line_standings(
        policy, [SHIRT, TOTE], returned=returned or {}, start=start, now=now, zone=BERLIN
    )


def check(policy: ReturnPolicy, draft: Draft, returned: dict[int, int] | None = None) -> set:
    problems = check_request(
        policy,
        draft,
        lines=LINES,
        standings=standings(policy, returned),
        exchange_options={1: frozenset({"SHIRT-L"})},
        already_returned_units=sum((returned or {}).values()),
    )
    return {p.code for p in problems}


def draft(*lines: RequestedLine, resolution: str = "refund", **kw: object) -> Draft:
    return Draft(lines=lines, resolution=resolution, **kw)  # type: ignore[arg-type]


# --- the window -------------------------------------------------------------------------


def test_the_window_starts_at_the_latest_delivery() -> None:
    ordered = datetime(2026, 11, 1, tzinfo=UTC)
    first, last = ordered + timedelta(days=2), ordered + timedelta(days=5)
    assert window_start(ordered_at=ordered, delivered=[first, None, last]) == last


def test_an_order_never_delivered_counts_from_its_date() -> None:
    ordered = datetime(2026, 11, 1, tzinfo=UTC)
    assert window_start(ordered_at=ordered, delivered=[None, None]) == ordered
    assert window_start(ordered_at=ordered, delivered=[]) == ordered


def test_the_last_day_is_a_calendar_day_in_the_shops_zone() -> None:
    late_evening_utc = datetime(2026, 11, 2, 23, 30, tzinfo=UTC)  # already 3 Nov in Berlin
    assert last_day(late_evening_utc, 30, zone=BERLIN) == date(2026, 12, 3)
    assert last_day(late_evening_utc, 30, zone=UTC) == date(2026, 12, 2)


def test_the_last_second_of_the_last_day_is_inside_and_the_next_is_outside() -> None:
    start = datetime(2026, 11, 2, 10, tzinfo=BERLIN)
    inside = datetime(2026, 12, 2, 23, 59, 59, tzinfo=BERLIN)
    assert window_open(start, 30, now=inside, zone=BERLIN)
    assert not window_open(start, 30, now=inside + timedelta(seconds=1), zone=BERLIN)


def test_the_edge_holds_across_the_change_to_winter_time() -> None:
    start = datetime(2026, 10, 20, 10, tzinfo=BERLIN)  # summer time (UTC+2)
    # last day 29 Oct, in winter time (UTC+1): midnight there is 23:00 UTC
    assert window_open(start, 9, now=datetime(2026, 10, 29, 22, 59, 59, tzinfo=UTC), zone=BERLIN)
    assert not window_open(start, 9, now=datetime(2026, 10, 29, 23, 0, tzinfo=UTC), zone=BERLIN)


def test_the_edge_holds_across_the_change_to_summer_time() -> None:
    start = datetime(2026, 3, 20, 10, tzinfo=BERLIN)  # winter time (UTC+1)
    # last day 30 Mar, in summer time (UTC+2): midnight there is 22:00 UTC
    assert window_open(start, 10, now=datetime(2026, 3, 30, 21, 59, 59, tzinfo=UTC), zone=BERLIN)
    assert not window_open(start, 10, now=datetime(2026, 3, 30, 22, 0, tzinfo=UTC), zone=BERLIN)


def test_a_zero_day_window_allows_the_delivery_day_only() -> None:
    start = datetime(2026, 11, 2, 8, tzinfo=BERLIN)
    assert window_open(start, 0, now=datetime(2026, 11, 2, 23, 59, tzinfo=BERLIN), zone=BERLIN)
    assert not window_open(start, 0, now=datetime(2026, 11, 3, 0, 0, tzinfo=BERLIN), zone=BERLIN)


# --- overrides and final sale ----------------------------------------------------------


def test_a_sku_override_beats_tags_and_the_default() -> None:
    policy = ReturnPolicy(sku_window_days={"shirt-m": 60}, tag_window_days={"summer": 90})
    assert window_days_for(policy, SHIRT) == 60


def test_the_most_generous_tag_override_applies() -> None:
    line = PolicyLine(3, "X", frozenset({"Summer", "gift"}), 100, 1)
    policy = ReturnPolicy(tag_window_days={"summer": 14, "gift": 45})
    assert window_days_for(policy, line) == 45


def test_a_line_without_overrides_gets_the_shop_window() -> None:
    assert window_days_for(ReturnPolicy(window_days=21), TOTE) == 21


def test_final_sale_by_sku_or_tag_ignores_case() -> None:
    assert is_final_sale(ReturnPolicy(final_sale_skus=frozenset({"tote"})), TOTE)
    assert is_final_sale(ReturnPolicy(final_sale_tags=frozenset({"SUMMER"})), SHIRT)
    assert not is_final_sale(ReturnPolicy(final_sale_tags=frozenset({"sale"})), SHIRT)


# --- standings -------------------------------------------------------------------------


def test_a_partly_returned_line_offers_the_rest() -> None:
    s = standings(ReturnPolicy(), {1: 1})
    assert (s[1].returnable, s[1].why_not) == (1, None)
    assert s[2].returnable == 1


def test_a_fully_returned_line_says_so() -> None:
    s = standings(ReturnPolicy(), {2: 1})
    assert (s[2].returnable, s[2].why_not) == (0, NotReturnable.ALREADY_RETURNED)


def test_a_final_sale_line_is_refused() -> None:
    s = standings(ReturnPolicy(final_sale_skus=frozenset({"TOTE"})))
    assert (s[2].returnable, s[2].why_not) == (0, NotReturnable.FINAL_SALE)


def test_a_closed_window_names_its_last_day() -> None:
    s = standings(ReturnPolicy(window_days=5))
    assert s[1].why_not is NotReturnable.WINDOW_CLOSED
    assert s[1].last_day == date(2026, 11, 15)


def test_an_override_keeps_one_line_open_after_the_shop_window() -> None:
    s = standings(ReturnPolicy(window_days=5, sku_window_days={"TOTE": 30}))
    assert s[1].why_not is NotReturnable.WINDOW_CLOSED
    assert s[2].returnable == 1


def test_the_order_limit_caps_and_then_closes_every_line() -> None:
    policy = ReturnPolicy(max_units_per_order=2)
    assert standings(policy, {2: 1})[1].returnable == 1
    s = standings(policy, {1: 1, 2: 1})
    assert (s[1].returnable, s[1].why_not) == (0, NotReturnable.MAX_REACHED)


# --- a request -------------------------------------------------------------------------


def test_a_complete_request_has_no_problems() -> None:
    assert check(ReturnPolicy(), draft(RequestedLine(1, 1, "too_small"))) == set()


def test_nothing_chosen_is_a_problem() -> None:
    assert check(ReturnPolicy(), draft(RequestedLine(1, 0, "too_small"))) == {
        Problem.NOTHING_CHOSEN
    }


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (RequestedLine(1, 3, "too_small"), Problem.TOO_MANY),
        (RequestedLine(1, -1, "too_small"), Problem.NEGATIVE),
        (RequestedLine(9, 1, "too_small"), Problem.NOT_RETURNABLE),
        (RequestedLine(1, 1, ""), Problem.NO_REASON),
        (RequestedLine(1, 1, "made_up"), Problem.NO_REASON),
    ],
)
def test_each_line_is_checked(line: RequestedLine, problem: Problem) -> None:
    assert problem in check(ReturnPolicy(), draft(line))


def test_an_already_returned_line_cannot_be_asked_again() -> None:
    assert check(ReturnPolicy(), draft(RequestedLine(2, 1, "too_small")), {2: 1}) == {
        Problem.NOT_RETURNABLE
    }


def test_more_than_the_order_limit_is_refused() -> None:
    policy = ReturnPolicy(max_units_per_order=2)
    asked = draft(RequestedLine(1, 2, "too_small"), RequestedLine(2, 1, "too_small"))
    assert Problem.OVER_ORDER_LIMIT in check(policy, asked)


def test_damaged_needs_a_photo() -> None:
    line = RequestedLine(1, 1, "damaged")
    assert check(ReturnPolicy(), draft(line, photos=0)) == {Problem.PHOTO_NEEDED}
    assert check(ReturnPolicy(), draft(line, photos=1)) == set()


def test_the_photo_rule_is_skipped_when_the_caller_collects_none() -> None:
    assert check(ReturnPolicy(), draft(RequestedLine(1, 1, "damaged"), photos=None)) == set()


def test_not_as_described_needs_a_comment() -> None:
    line = RequestedLine(1, 1, "not_as_described")
    assert check(ReturnPolicy(), draft(line, comment="  ")) == {Problem.COMMENT_NEEDED}
    assert check(ReturnPolicy(), draft(line, comment="Blue, not green")) == set()


def test_more_than_five_photos_are_refused() -> None:
    assert Problem.TOO_MANY_PHOTOS in check(
        ReturnPolicy(), draft(RequestedLine(1, 1, "too_small"), photos=6)
    )


def test_a_resolution_the_shop_does_not_offer_is_refused() -> None:
    policy = ReturnPolicy(resolutions=frozenset({Resolution.REFUND}))
    asked = draft(RequestedLine(1, 1, "too_small"), resolution="store_credit")
    assert check(policy, asked) == {Problem.RESOLUTION_NOT_OFFERED}


def test_an_exchange_needs_an_offered_variant() -> None:
    policy = ReturnPolicy()
    assert check(policy, draft(RequestedLine(1, 1, "too_small"), resolution="exchange")) == {
        Problem.EXCHANGE_NEEDS_VARIANT
    }
    other = RequestedLine(1, 1, "too_small", exchange_sku="SHIRT-XXL")
    assert check(policy, draft(other, resolution="exchange")) == {Problem.EXCHANGE_NEEDS_VARIANT}
    good = RequestedLine(1, 1, "too_small", exchange_sku="SHIRT-L")
    assert check(policy, draft(good, resolution="exchange")) == set()


def test_an_exchange_of_an_item_without_other_variants_says_so() -> None:
    """Not "choose the variant": the form offers none to choose for that line."""
    tote = RequestedLine(2, 1, "too_small")
    assert check(ReturnPolicy(), draft(tote, resolution="exchange")) == {Problem.NO_OTHER_VARIANT}
    assert check(ReturnPolicy(), draft(tote, resolution="refund")) == set()


def test_keep_only_below_the_owners_threshold() -> None:
    policy = ReturnPolicy(resolutions=frozenset(Resolution), keep_below_minor=2000)
    assert keep_allowed(policy, TOTE, 1)
    assert not keep_allowed(policy, SHIRT, 1)
    assert check(policy, draft(RequestedLine(2, 1, "too_small"), resolution="keep")) == set()
    assert check(policy, draft(RequestedLine(1, 1, "too_small"), resolution="keep")) == {
        Problem.KEEP_TOO_VALUABLE
    }


def test_keep_is_never_allowed_when_not_offered() -> None:
    assert not keep_allowed(ReturnPolicy(keep_below_minor=99_999), TOTE, 1)


# --- money and approval ----------------------------------------------------------------


def test_a_percent_and_a_fixed_restocking_fee_add_up() -> None:
    policy = ReturnPolicy(restocking_basis_points=1000, restocking_fixed_minor=200)
    money = settle(policy, draft(RequestedLine(1, 2, "too_small")), lines=LINES)
    assert (money.value_minor, money.restocking_minor) == (9800, 980 + 200)
    assert money.refund_minor == 9800 - 1180


def test_the_percent_rounds_half_up_to_the_minor_unit() -> None:
    policy = ReturnPolicy(restocking_basis_points=250)  # 2.5 % of 1900 = 47.5
    assert settle(policy, draft(RequestedLine(2, 1, "too_small")), lines=LINES).fee_minor == 48


def test_no_restocking_fee_for_damaged_or_wrong_items() -> None:
    policy = ReturnPolicy(restocking_basis_points=1000, restocking_fixed_minor=200)
    for reason in ("damaged", "wrong_item"):
        money = settle(policy, draft(RequestedLine(1, 1, reason)), lines=LINES)
        assert money.restocking_minor == 0


def test_no_restocking_fee_on_an_exchange() -> None:
    policy = ReturnPolicy(restocking_basis_points=1000)
    asked = draft(RequestedLine(1, 1, "too_small", "SHIRT-L"), resolution="exchange")
    assert settle(policy, asked, lines=LINES).restocking_minor == 0


def test_the_shopper_pays_postage_unless_the_shop_got_it_wrong() -> None:
    policy = ReturnPolicy(shipping_paid_by=ShippingPayer.SHOPPER, shipping_fee_minor=495)
    paid = settle(policy, draft(RequestedLine(1, 1, "too_small")), lines=LINES)
    assert (paid.shipping_paid_by, paid.shipping_minor) == (ShippingPayer.SHOPPER, 495)
    waived = settle(
        policy,
        draft(RequestedLine(1, 1, "too_small"), RequestedLine(2, 1, "wrong_item")),
        lines=LINES,
    )
    assert (waived.shipping_paid_by, waived.shipping_minor) == (ShippingPayer.SHOP, 0)


def test_the_shop_paying_postage_charges_nothing() -> None:
    policy = ReturnPolicy(shipping_paid_by=ShippingPayer.SHOP, shipping_fee_minor=495)
    assert settle(policy, draft(RequestedLine(1, 1, "too_small")), lines=LINES).fee_minor == 0


def test_keeping_the_item_costs_no_postage_or_restocking() -> None:
    policy = ReturnPolicy(restocking_basis_points=1000, shipping_fee_minor=495)
    money = settle(policy, draft(RequestedLine(2, 1, "too_small"), resolution="keep"), lines=LINES)
    assert (money.fee_minor, money.shipping_paid_by) == (0, ShippingPayer.SHOP)


def test_the_fee_never_exceeds_the_value() -> None:
    policy = ReturnPolicy(restocking_fixed_minor=5000)
    money = settle(policy, draft(RequestedLine(2, 1, "too_small")), lines=LINES)
    assert (money.fee_minor, money.refund_minor) == (1900, 0)


def test_auto_approve_needs_the_reason_and_a_small_value() -> None:
    rule = AutoApproveRule(enabled=True, reasons=frozenset({"too_small"}), below_minor=5000)
    policy = ReturnPolicy(auto_approve=rule)
    assert settle(policy, draft(RequestedLine(1, 1, "too_small")), lines=LINES).auto_approved
    assert not settle(policy, draft(RequestedLine(1, 2, "too_small")), lines=LINES).auto_approved
    assert not settle(policy, draft(RequestedLine(1, 1, "damaged")), lines=LINES).auto_approved


def test_auto_approve_is_off_unless_enabled() -> None:
    policy = ReturnPolicy(auto_approve=AutoApproveRule(enabled=False))
    assert not settle(policy, draft(RequestedLine(2, 1, "too_small")), lines=LINES).auto_approved


def test_auto_approve_without_limits_takes_everything() -> None:
    policy = ReturnPolicy(auto_approve=AutoApproveRule(enabled=True))
    assert settle(policy, draft(RequestedLine(1, 2, "damaged")), lines=LINES).auto_approved


# --- the shopper's steps ---------------------------------------------------------------


def test_a_new_return_waits_for_the_shops_decision() -> None:
    assert return_progress("requested", "refund") == [
        (ReturnStep.REQUESTED, "done"),
        (ReturnStep.APPROVED, "current"),
        (ReturnStep.RECEIVED, "todo"),
        (ReturnStep.REFUNDED, "todo"),
    ]


def test_a_rejected_return_stops_there() -> None:
    assert return_progress("rejected", "refund") == [
        (ReturnStep.REQUESTED, "done"),
        (ReturnStep.REJECTED, "problem"),
    ]


def test_the_last_step_names_the_resolution_and_keep_skips_the_parcel() -> None:
    assert return_progress("exchanged", "exchange")[-1] == (ReturnStep.EXCHANGED, "done")
    assert return_progress("received", "store_credit")[-1] == (ReturnStep.CREDITED, "current")
    assert [s for s, _ in return_progress("approved", "keep")] == [
        ReturnStep.REQUESTED,
        ReturnStep.APPROVED,
        ReturnStep.REFUNDED,
    ]
