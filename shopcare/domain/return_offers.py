"""What steers a return towards store credit or an exchange instead of a refund: a bonus for
choosing them, the handling (restocking) fee that only a refund bears, exchanges for another
product of the same or a lower price, and instant exchanges for repeat customers.

Pure: amounts are integer minor units, percentages basis points (1000 is 10 %), rounded half
up to the minor unit; times are passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from shopcare.domain.return_policy import Draft, PolicyLine, RequestedLine, ReturnPolicy, settle
from shopcare.domain.returns import Resolution


@dataclass(frozen=True)
class ReturnOffers:
    bonus_basis_points: int = 0
    """Of the returned items' value, added to the credit: 1000 is 10 %."""
    bonus_fixed_minor: int = 0
    """Added once per return that earns a bonus."""
    bonus_on_exchange: bool = True
    """An exchange earns the bonus too (given as store credit beside the new item)."""
    other_products: bool = False
    """An exchange may send another product of the same or a lower price."""
    difference_limit_minor: int = 0
    """Per unit: how much cheaper the other product may be; the difference becomes credit."""
    instant_exchange: bool = False
    """The replacement is sent at approval, before the item comes back."""
    instant_min_delivered_orders: int = 0
    """Only for shoppers with at least this many earlier delivered orders (0: everyone)."""
    watch_days: int = 14
    """An instant exchange whose return parcel has no carrier scan after this many days
    becomes an item on the owner's Problems list."""


def percent_of(value_minor: int, basis_points: int) -> int:
    """Half up to the minor unit, like the restocking fee: 10 % of 4.95 is 0.50."""
    return (value_minor * basis_points + 5_000) // 10_000


def bonus_minor(offers: ReturnOffers, resolution: str, *, value_minor: int) -> int:
    """The bonus a return of ``value_minor`` earns with ``resolution``; none for a refund,
    for "keep it", or for nothing returned."""
    earns = resolution == Resolution.STORE_CREDIT or (
        resolution == Resolution.EXCHANGE and offers.bonus_on_exchange
    )
    if not earns or value_minor <= 0:
        return 0
    return percent_of(value_minor, offers.bonus_basis_points) + offers.bonus_fixed_minor


def settled_bonus(bonus: int, *, requested_minor: int, kept_minor: int) -> int:
    """The promised bonus in proportion to what came back: all of it when everything did,
    none when nothing did; half up to the minor unit."""
    if bonus <= 0 or requested_minor <= 0 or kept_minor <= 0:
        return 0
    if kept_minor >= requested_minor:
        return bonus
    return (2 * bonus * kept_minor + requested_minor) // (2 * requested_minor)


@dataclass(frozen=True)
class ChoiceFigures:
    """What each way of settling gives for the same items, as the shopper chooses."""

    value_minor: int
    refund_minor: int
    """The value less the handling (restocking) fee and the postage the shopper pays."""
    handling_minor: int
    """The handling fee, taken off a refund only."""
    credit_minor: int
    """Store credit: the value less the postage the shopper pays, plus the bonus."""
    credit_bonus_minor: int
    exchange_bonus_minor: int
    """Store credit beside the exchanged item."""


def choice_figures(
    policy: ReturnPolicy,
    offers: ReturnOffers,
    lines: Sequence[RequestedLine],
    *,
    order_lines: Mapping[int, PolicyLine],
) -> ChoiceFigures:
    """The same rules as the request itself (``settle``), applied to each resolution, so
    what the shopper is shown is what the return records."""
    refund = settle(policy, Draft(tuple(lines), Resolution.REFUND), lines=order_lines)
    credit = settle(policy, Draft(tuple(lines), Resolution.STORE_CREDIT), lines=order_lines)
    value = refund.value_minor
    credit_bonus = bonus_minor(offers, Resolution.STORE_CREDIT, value_minor=value)
    return ChoiceFigures(
        value_minor=value,
        refund_minor=refund.refund_minor,
        handling_minor=min(refund.restocking_minor, value),
        credit_minor=credit.refund_minor + credit_bonus,
        credit_bonus_minor=credit_bonus,
        exchange_bonus_minor=bonus_minor(offers, Resolution.EXCHANGE, value_minor=value),
    )


def whole_return(standings: Mapping[int, int]) -> tuple[RequestedLine, ...]:
    """Every unit that can still go back, for figures before the shopper has chosen."""
    return tuple(RequestedLine(i, n, "") for i, n in standings.items() if n > 0)


def without_reasons(lines: Iterable[RequestedLine]) -> tuple[RequestedLine, ...]:
    return tuple(replace(r, reason="") for r in lines)


@dataclass(frozen=True)
class CatalogueItem:
    """A product variant the shop sells, as an exchange sees it."""

    sku: str
    product_key: str
    price_minor: int


def other_product_credit(
    offers: ReturnOffers, *, returned: CatalogueItem, wanted: CatalogueItem
) -> int | None:
    """Per unit, the store credit an exchange of ``returned`` for another product leaves
    over; None when that product is not offered: the option is off, it is the same product
    (its variants are a plain variant exchange), its price is unknown or higher, or it is
    cheaper by more than the limit."""
    same = wanted.sku == returned.sku or (
        bool(returned.product_key) and wanted.product_key == returned.product_key
    )
    if not offers.other_products or same or wanted.price_minor <= 0:
        return None
    difference = returned.price_minor - wanted.price_minor
    if not 0 <= difference <= offers.difference_limit_minor:
        return None
    return difference


def instant_exchange_allowed(offers: ReturnOffers, *, earlier_delivered_orders: int) -> bool:
    return (
        offers.instant_exchange and earlier_delivered_orders >= offers.instant_min_delivered_orders
    )


UNSCANNED = frozenset({"pending", "info_received"})
"""A parcel in these states has not been in a carrier's hands yet (a label is not a scan)."""


def return_overdue(
    offers: ReturnOffers, *, sent_at: datetime, parcel_statuses: Iterable[str], now: datetime
) -> bool:
    """An instant exchange's item should be on its way back by now and no return parcel
    has a carrier scan."""
    scanned = any(status not in UNSCANNED for status in parcel_statuses)
    return not scanned and now >= sent_at + timedelta(days=offers.watch_days)
