"""The shop's return policy as data, and the rules that read it: which units of an order can
still go back, whether a shopper's request is complete, and what it costs.

Pure: the caller passes the order's lines, what is already on its way back, the dates and
``now``; nothing here reads a clock or the store. Problems come back as codes with the line
they concern, so the shopper's pages can word them in the shopper's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from shopcare.domain.returns import Resolution


class ShippingPayer(StrEnum):
    SHOP = "shop"
    SHOPPER = "shopper"


class NotReturnable(StrEnum):
    ALREADY_RETURNED = "already_returned"
    FINAL_SALE = "final_sale"
    WINDOW_CLOSED = "window_closed"
    MAX_REACHED = "max_reached"


class Problem(StrEnum):
    NOTHING_CHOSEN = "nothing_chosen"
    NEGATIVE = "negative"
    NOT_RETURNABLE = "not_returnable"
    TOO_MANY = "too_many"
    OVER_ORDER_LIMIT = "over_order_limit"
    NO_REASON = "no_reason"
    PHOTO_NEEDED = "photo_needed"
    COMMENT_NEEDED = "comment_needed"
    RESOLUTION_NOT_OFFERED = "resolution_not_offered"
    KEEP_TOO_VALUABLE = "keep_too_valuable"
    EXCHANGE_NEEDS_VARIANT = "exchange_needs_variant"
    NO_OTHER_VARIANT = "no_other_variant"
    """An exchange asked for a line the shop has no other variant of."""
    TOO_MANY_PHOTOS = "too_many_photos"
    PHOTO_TYPE = "photo_type"
    PHOTO_TOO_LARGE = "photo_too_large"


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    requires_photo: bool = False
    requires_comment: bool = False


DEFAULT_REASONS: tuple[Reason, ...] = (
    Reason("too_small", "Too small"),
    Reason("too_large", "Too large"),
    Reason("damaged", "Arrived damaged", requires_photo=True),
    Reason("not_as_described", "Not as described", requires_comment=True),
    Reason("wrong_item", "Wrong item sent", requires_photo=True),
    Reason("changed_mind", "Changed my mind"),
)
SHOPS_FAULT = frozenset({"damaged", "wrong_item"})
"""Reasons where the shop got it wrong: by default no restocking fee, free return postage."""
MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class AutoApproveRule:
    """Approve at once when every line's reason is in ``reasons`` (empty: any reason) and
    the returned value is below ``below_minor`` (0: any value)."""

    enabled: bool = False
    reasons: frozenset[str] = frozenset()
    below_minor: int = 0


@dataclass(frozen=True)
class ReturnPolicy:
    window_days: int = 30
    sku_window_days: Mapping[str, int] = field(default_factory=dict)
    tag_window_days: Mapping[str, int] = field(default_factory=dict)
    final_sale_skus: frozenset[str] = frozenset()
    final_sale_tags: frozenset[str] = frozenset()
    max_units_per_order: int = 0
    """Units across all returns of one order; 0: no limit."""
    reasons: tuple[Reason, ...] = DEFAULT_REASONS
    resolutions: frozenset[Resolution] = frozenset(
        {Resolution.REFUND, Resolution.EXCHANGE, Resolution.STORE_CREDIT}
    )
    keep_below_minor: int = 0
    """"Keep it" is offered only for lines worth less than this (0: never)."""
    restocking_basis_points: int = 0
    """Of the returned value: 1000 is 10 %."""
    restocking_fixed_minor: int = 0
    fee_free_reasons: frozenset[str] = SHOPS_FAULT
    shipping_paid_by: ShippingPayer = ShippingPayer.SHOPPER
    shipping_fee_minor: int = 0
    """Taken off the refund when the shopper pays the return postage."""
    shipping_free_reasons: frozenset[str] = SHOPS_FAULT
    auto_approve: AutoApproveRule = AutoApproveRule()

    def reason(self, code: str) -> Reason | None:
        return next((r for r in self.reasons if r.code == code), None)


@dataclass(frozen=True)
class PolicyLine:
    """One order line as the policy sees it."""

    id: int
    sku: str
    tags: frozenset[str]
    unit_price_minor: int
    quantity: int


@dataclass(frozen=True)
class LineStanding:
    line_id: int
    returnable: int
    why_not: NotReturnable | None
    last_day: date
    """The window's last day in the shop's zone (included until 23:59:59 there)."""


@dataclass(frozen=True)
class RequestedLine:
    line_id: int
    quantity: int
    reason: str
    exchange_sku: str = ""


@dataclass(frozen=True)
class Draft:
    """What the shopper asks for. ``photos`` is None when the caller collects none (the owner
    entering a return by hand): the photo rule is then not applied."""

    lines: tuple[RequestedLine, ...]
    resolution: str
    comment: str = ""
    photos: int | None = 0


@dataclass(frozen=True)
class RequestProblem:
    code: Problem
    line_id: int | None = None
    limit: int = 0
    """The number the message needs: a maximum quantity, an amount in minor units."""
    reason: str = ""


@dataclass(frozen=True)
class Settlement:
    value_minor: int
    restocking_minor: int
    shipping_minor: int
    shipping_paid_by: ShippingPayer
    auto_approved: bool

    @property
    def fee_minor(self) -> int:
        return min(self.restocking_minor + self.shipping_minor, self.value_minor)

    @property
    def refund_minor(self) -> int:
        return self.value_minor - self.fee_minor


def _norm(text: str) -> str:
    return text.strip().casefold()


def normalised(values: Iterable[str]) -> frozenset[str]:
    """SKUs and tags compare without case or surrounding spaces."""
    return frozenset(_norm(v) for v in values if v.strip())


def window_start(*, ordered_at: datetime, delivered: Iterable[datetime | None]) -> datetime:
    """The latest delivery of the order's parcels, or the order date when none arrived."""
    return max((d for d in delivered if d is not None), default=ordered_at)


def last_day(start: datetime, days: int, *, zone: tzinfo) -> date:
    return start.astimezone(zone).date() + timedelta(days=days)


def window_open(start: datetime, days: int, *, now: datetime, zone: tzinfo) -> bool:
    """Whole calendar days in the shop's zone: the last day counts until midnight there,
    whatever the clocks did in between."""
    return now.astimezone(zone).date() <= last_day(start, days, zone=zone)


def window_days_for(policy: ReturnPolicy, line: PolicyLine) -> int:
    """A SKU override wins; else the most generous of the line's tag overrides; else the
    shop's window."""
    skus = {_norm(k): v for k, v in policy.sku_window_days.items()}
    if _norm(line.sku) in skus:
        return skus[_norm(line.sku)]
    tags = {_norm(k): v for k, v in policy.tag_window_days.items()}
    matching = [tags[t] for t in normalised(line.tags) if t in tags]
    return max(matching, default=policy.window_days)


def is_final_sale(policy: ReturnPolicy, line: PolicyLine) -> bool:
    return _norm(line.sku) in normalised(policy.final_sale_skus) or bool(
        normalised(line.tags) & normalised(policy.final_sale_tags)
    )


def line_standings(
    policy: ReturnPolicy,
    lines: Sequence[PolicyLine],
    *,
    returned: Mapping[int, int],
    start: datetime,
    now: datetime,
    zone: tzinfo,
) -> dict[int, LineStanding]:
    """Per line: how many units may still go back, or why none may. ``returned`` counts
    the units already in (not rejected) returns of this order."""
    allowance = None
    if policy.max_units_per_order:
        allowance = policy.max_units_per_order - sum(returned.values())
    standings = {}
    for line in lines:
        days = window_days_for(policy, line)
        left = line.quantity - returned.get(line.id, 0)
        why: NotReturnable | None = None
        if left <= 0:
            why = NotReturnable.ALREADY_RETURNED
        elif is_final_sale(policy, line):
            why = NotReturnable.FINAL_SALE
        elif not window_open(start, days, now=now, zone=zone):
            why = NotReturnable.WINDOW_CLOSED
        elif allowance is not None and allowance <= 0:
            why = NotReturnable.MAX_REACHED
        else:
            left = left if allowance is None else min(left, allowance)
        standings[line.id] = LineStanding(
            line_id=line.id,
            returnable=0 if why else left,
            why_not=why,
            last_day=last_day(start, days, zone=zone),
        )
    return standings


def one_reason_for_all(lines: Sequence[RequestedLine]) -> tuple[RequestedLine, ...]:
    """ "Same reason for all items": the first chosen line's reason on every chosen line, so
    the shopper picks it once; lines not chosen are left as they came."""
    first = next((r.reason for r in lines if r.quantity), "")
    return tuple(replace(r, reason=first) if r.quantity else r for r in lines)


def check_request(
    policy: ReturnPolicy,
    draft: Draft,
    *,
    lines: Mapping[int, PolicyLine],
    standings: Mapping[int, LineStanding],
    exchange_options: Mapping[int, frozenset[str]],
    already_returned_units: int = 0,
) -> list[RequestProblem]:
    """Everything that keeps the request from being accepted; empty when it can be."""
    chosen = [r for r in draft.lines if r.quantity]
    if not chosen:
        return [RequestProblem(Problem.NOTHING_CHOSEN)]
    problems = [p for r in chosen for p in _line_problems(policy, r, standings)]
    units = sum(r.quantity for r in chosen if r.quantity > 0)
    if policy.max_units_per_order and units + already_returned_units > policy.max_units_per_order:
        left = max(policy.max_units_per_order - already_returned_units, 0)
        problems.append(RequestProblem(Problem.OVER_ORDER_LIMIT, limit=left))
    problems += _evidence_problems(policy, draft, chosen)
    problems += _resolution_problems(policy, draft, chosen, lines, exchange_options)
    return problems


def _line_problems(
    policy: ReturnPolicy, line: RequestedLine, standings: Mapping[int, LineStanding]
) -> list[RequestProblem]:
    standing = standings.get(line.line_id)
    if line.quantity < 0:
        return [RequestProblem(Problem.NEGATIVE, line.line_id)]
    if standing is None or not standing.returnable:
        return [RequestProblem(Problem.NOT_RETURNABLE, line.line_id)]
    problems = []
    if line.quantity > standing.returnable:
        problems.append(RequestProblem(Problem.TOO_MANY, line.line_id, standing.returnable))
    if policy.reason(line.reason) is None:
        problems.append(RequestProblem(Problem.NO_REASON, line.line_id))
    return problems


def _evidence_problems(
    policy: ReturnPolicy, draft: Draft, chosen: Sequence[RequestedLine]
) -> list[RequestProblem]:
    problems = []
    for code in dict.fromkeys(r.reason for r in chosen):
        reason = policy.reason(code)
        if reason is None:
            continue
        if reason.requires_photo and draft.photos == 0:
            problems.append(RequestProblem(Problem.PHOTO_NEEDED, reason=code))
        if reason.requires_comment and not draft.comment.strip():
            problems.append(RequestProblem(Problem.COMMENT_NEEDED, reason=code))
    if draft.photos is not None and draft.photos > MAX_PHOTOS:
        problems.append(RequestProblem(Problem.TOO_MANY_PHOTOS, limit=MAX_PHOTOS))
    return problems


def _resolution_problems(
    policy: ReturnPolicy,
    draft: Draft,
    chosen: Sequence[RequestedLine],
    lines: Mapping[int, PolicyLine],
    exchange_options: Mapping[int, frozenset[str]],
) -> list[RequestProblem]:
    if draft.resolution not in set(policy.resolutions):
        return [RequestProblem(Problem.RESOLUTION_NOT_OFFERED)]
    problems = []
    for r in chosen:
        line = lines.get(r.line_id)
        if line is None:
            continue
        if draft.resolution == Resolution.KEEP and not keep_allowed(policy, line, r.quantity):
            problems.append(
                RequestProblem(Problem.KEEP_TOO_VALUABLE, r.line_id, policy.keep_below_minor)
            )
        offered = exchange_options.get(r.line_id, frozenset())
        if draft.resolution != Resolution.EXCHANGE:
            continue
        if not offered:
            problems.append(RequestProblem(Problem.NO_OTHER_VARIANT, r.line_id))
        elif r.exchange_sku.strip() not in offered:
            problems.append(RequestProblem(Problem.EXCHANGE_NEEDS_VARIANT, r.line_id))
    return problems


def keep_allowed(policy: ReturnPolicy, line: PolicyLine, quantity: int) -> bool:
    return (
        Resolution.KEEP in policy.resolutions
        and line.unit_price_minor * quantity < policy.keep_below_minor
    )


def settle(policy: ReturnPolicy, draft: Draft, *, lines: Mapping[int, PolicyLine]) -> Settlement:
    """The fee taken off the refund and whether the request needs the owner at all.

    Restocking (the handling fee) is charged per line (not for the shop's-fault reasons),
    the fixed part once when any line bears it, and only on a refund: never on store credit
    or an exchange (the money stays with the shop, which is what the fee steers towards) nor
    when the shopper keeps the item; the postage, when the shopper pays it, is waived if any line is
    the shop's fault and not charged when nothing is sent back."""
    chosen = [r for r in draft.lines if r.quantity > 0 and r.line_id in lines]
    value = sum(lines[r.line_id].unit_price_minor * r.quantity for r in chosen)
    restocking = 0
    if draft.resolution == Resolution.REFUND:
        bearing = [r for r in chosen if r.reason not in policy.fee_free_reasons]
        restocking = sum(
            (lines[r.line_id].unit_price_minor * r.quantity * policy.restocking_basis_points
             + 5_000) // 10_000
            for r in bearing
        )  # fmt: skip
        restocking += policy.restocking_fixed_minor if bearing else 0
    payer = policy.shipping_paid_by
    if draft.resolution == Resolution.KEEP or any(
        r.reason in policy.shipping_free_reasons for r in chosen
    ):
        payer = ShippingPayer.SHOP
    shipping = policy.shipping_fee_minor if payer is ShippingPayer.SHOPPER else 0
    return Settlement(
        value_minor=value,
        restocking_minor=restocking,
        shipping_minor=shipping,
        shipping_paid_by=payer,
        auto_approved=auto_approves(policy.auto_approve, chosen, value_minor=value),
    )


def auto_approves(
    rule: AutoApproveRule, chosen: Sequence[RequestedLine], *, value_minor: int
) -> bool:
    if not rule.enabled or not chosen:
        return False
    reasons_ok = not rule.reasons or all(r.reason in rule.reasons for r in chosen)
    value_ok = not rule.below_minor or value_minor < rule.below_minor
    return reasons_ok and value_ok


class ReturnStep(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    RECEIVED = "received"
    REFUNDED = "refunded"
    EXCHANGED = "exchanged"
    CREDITED = "credited"


_SETTLED_STEP: dict[str, ReturnStep] = {
    Resolution.REFUND: ReturnStep.REFUNDED,
    Resolution.KEEP: ReturnStep.REFUNDED,
    Resolution.EXCHANGE: ReturnStep.EXCHANGED,
    Resolution.STORE_CREDIT: ReturnStep.CREDITED,
}
_RANK = {"requested": 0, "approved": 1, "received": 2, "refunded": 3, "exchanged": 3, "credited": 3}


def return_progress(status: str, resolution: str) -> list[tuple[ReturnStep, str]]:
    """The steps the shopper sees, each "done", "current" (what happens next), "problem" or
    "todo". A return
    the shopper keeps has no parcel to receive; the last step names what was decided (an
    owner may settle an exchange request with a credit)."""
    settled = ReturnStep(status) if status in ("refunded", "exchanged", "credited") else None
    last = settled or _SETTLED_STEP.get(resolution, ReturnStep.REFUNDED)
    rejected = status == "rejected"
    steps = [
        ReturnStep.REQUESTED,
        ReturnStep.REJECTED if rejected else ReturnStep.APPROVED,
        *([] if resolution == Resolution.KEEP or rejected else [ReturnStep.RECEIVED]),
        *([] if rejected else [last]),
    ]
    reached = min(_RANK.get(status, 0), len(steps) - 1)
    result = []
    for position, step in enumerate(steps):
        if step is ReturnStep.REJECTED:
            state = "problem"
        elif position <= reached:
            state = "done"
        elif position == reached + 1:
            state = "current"
        else:
            state = "todo"
        result.append((step, state))
    return result
