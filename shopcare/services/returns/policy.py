"""The owner's return policy, kept as one settings row of plain JSON values and turned into
the domain's ``ReturnPolicy`` for the rules. Every field has a default, so a shop that never
opened the policy page gets the usual 30 days, refunds, exchanges and store credit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import (
    OrderLine,
    ProductVariant,
    ReturnLine,
    ReturnRequest,
    Shipment,
    ShopOrder,
)
from shopcare.domain.return_policy import (
    DEFAULT_REASONS,
    SHOPS_FAULT,
    AutoApproveRule,
    LineStanding,
    PolicyLine,
    Reason,
    ReturnPolicy,
    ShippingPayer,
    line_standings,
    window_start,
)
from shopcare.domain.returns import Resolution, ReturnStatus
from shopcare.services.errors import InputError
from shopcare.services.orders.catalog import exchange_options
from shopcare.services.returns.offers import ProductChoice, other_products
from shopcare.services.shop.profile import load_profile
from shopcare.services.shop.settings_rows import load_group, update_group

_KEY = POLICY_KEY = "return_policy"
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_WINDOW_DAYS = 3650


def _default_reasons() -> list[dict[str, Any]]:
    return [
        {
            "code": r.code,
            "label": r.label,
            "requires_photo": r.requires_photo,
            "requires_comment": r.requires_comment,
        }
        for r in DEFAULT_REASONS
    ]


@dataclass(frozen=True)
class ReturnPolicySettings:
    window_days: int = 30
    sku_window_days: dict[str, int] = field(default_factory=dict)
    tag_window_days: dict[str, int] = field(default_factory=dict)
    final_sale_skus: list[str] = field(default_factory=list)
    final_sale_tags: list[str] = field(default_factory=list)
    max_units_per_order: int = 0
    reasons: list[dict[str, Any]] = field(default_factory=_default_reasons)
    """Each: code, label, requires_photo, requires_comment."""
    resolutions: list[str] = field(
        default_factory=lambda: [Resolution.REFUND, Resolution.EXCHANGE, Resolution.STORE_CREDIT]
    )
    keep_below_minor: int = 0
    restocking_percent: float = 0.0
    restocking_fixed_minor: int = 0
    fee_free_reasons: list[str] = field(default_factory=lambda: sorted(SHOPS_FAULT))
    shipping_paid_by: str = ShippingPayer.SHOPPER
    shipping_fee_minor: int = 0
    shipping_free_reasons: list[str] = field(default_factory=lambda: sorted(SHOPS_FAULT))
    auto_approve: bool = False
    auto_approve_reasons: list[str] = field(default_factory=list)
    auto_approve_below_minor: int = 0

    def policy(self) -> ReturnPolicy:
        return ReturnPolicy(
            window_days=self.window_days,
            sku_window_days=dict(self.sku_window_days),
            tag_window_days=dict(self.tag_window_days),
            final_sale_skus=frozenset(self.final_sale_skus),
            final_sale_tags=frozenset(self.final_sale_tags),
            max_units_per_order=self.max_units_per_order,
            reasons=tuple(
                Reason(
                    code=str(r["code"]),
                    label=str(r["label"]),
                    requires_photo=bool(r.get("requires_photo")),
                    requires_comment=bool(r.get("requires_comment")),
                )
                for r in self.reasons
            ),
            resolutions=frozenset(Resolution(r) for r in self.resolutions),
            keep_below_minor=self.keep_below_minor,
            restocking_basis_points=round(self.restocking_percent * 100),
            restocking_fixed_minor=self.restocking_fixed_minor,
            fee_free_reasons=frozenset(self.fee_free_reasons),
            shipping_paid_by=ShippingPayer(self.shipping_paid_by),
            shipping_fee_minor=self.shipping_fee_minor,
            shipping_free_reasons=frozenset(self.shipping_free_reasons),
            auto_approve=AutoApproveRule(
                enabled=self.auto_approve,
                reasons=frozenset(self.auto_approve_reasons),
                below_minor=self.auto_approve_below_minor,
            ),
        )


def load_policy_settings(session: Session) -> ReturnPolicySettings:
    return load_group(session, _KEY, ReturnPolicySettings)


def load_policy(session: Session) -> ReturnPolicy:
    return load_policy_settings(session).policy()


def get_policy_settings(sessions: SessionFactory) -> ReturnPolicySettings:
    with sessions() as session:
        return load_policy_settings(session)


def update_policy(sessions: SessionFactory, **changes: Any) -> ReturnPolicySettings:
    """Raises InputError, saying what to fix, before anything is written."""
    return update_group(sessions, _KEY, ReturnPolicySettings, changes, check=check_policy)


def check_policy(s: ReturnPolicySettings) -> None:
    _days("the return window", s.window_days)
    for kind, overrides in (("SKU", s.sku_window_days), ("tag", s.tag_window_days)):
        for name, days in overrides.items():
            if not str(name).strip():
                raise InputError(f"a {kind} window needs a {kind}")
            _days(f"the window for {kind} {name}", days)
    _reasons(s.reasons)
    codes = {str(r["code"]) for r in s.reasons}
    if not s.resolutions:
        raise InputError("offer at least one resolution")
    for resolution in s.resolutions:
        if resolution not in Resolution.__members__.values():
            raise InputError(f"unknown resolution {resolution!r}")
    if Resolution.KEEP in s.resolutions and s.keep_below_minor <= 0:
        raise InputError('"keep the item" needs a value below which it is offered')
    for name in (
        "max_units_per_order",
        "keep_below_minor",
        "restocking_fixed_minor",
        "shipping_fee_minor",
        "auto_approve_below_minor",
    ):
        if getattr(s, name) < 0:
            raise InputError(f"{name.replace('_minor', '').replace('_', ' ')} cannot be negative")
    if not 0 <= s.restocking_percent <= 100:
        raise InputError("the restocking fee must be between 0 and 100 %")
    if s.shipping_paid_by not in ShippingPayer.__members__.values():
        raise InputError("return postage is paid by the shop or the shopper")
    for what, chosen in (
        ("fee-free", s.fee_free_reasons),
        ("free-postage", s.shipping_free_reasons),
        ("auto-approve", s.auto_approve_reasons),
    ):
        unknown = sorted(set(chosen) - codes)
        if unknown:
            raise InputError(f"{what} reasons name unknown reasons: {', '.join(unknown)}")


def _days(what: str, days: object) -> None:
    if not isinstance(days, int) or not 0 <= days <= MAX_WINDOW_DAYS:
        raise InputError(f"{what} must be a whole number of days from 0 to {MAX_WINDOW_DAYS}")


def _reasons(reasons: list[dict[str, Any]]) -> None:
    if not reasons:
        raise InputError("keep at least one reason")
    seen: set[str] = set()
    for reason in reasons:
        code = str(reason.get("code", "")).strip()
        if not _CODE.match(code):
            raise InputError(
                f"reason code {code!r}: lower-case letters, digits and _, starting with a letter"
            )
        if code in seen:
            raise InputError(f"reason code {code} is used twice")
        seen.add(code)
        if not str(reason.get("label", "")).strip():
            raise InputError(f"reason {code} needs a label")


@dataclass(frozen=True)
class OrderReturns:
    """One order as the return rules see it, at one moment."""

    policy: ReturnPolicy
    lines: dict[int, OrderLine]
    policy_lines: dict[int, PolicyLine]
    standings: dict[int, LineStanding]
    returned_units: int
    exchange: dict[int, list[ProductVariant]]
    products: dict[int, list[ProductChoice]] = field(default_factory=dict)
    """Other products an exchange may send instead (``returns.offers``)."""

    def exchange_skus(self) -> dict[int, frozenset[str]]:
        """Per line, every SKU an exchange may send: other variants and other products."""
        return {
            i: frozenset(v.sku for v in vs) | {p.sku for p in self.products.get(i, [])}
            for i, vs in self.exchange.items()
        }


def order_returns(session: Session, order: ShopOrder, *, now: datetime) -> OrderReturns:
    assert order.id is not None
    policy = load_policy(session)
    lines = {
        li.id: li
        for li in session.exec(
            select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.id))
        ).all()
        if li.id is not None
    }
    policy_lines = {
        i: PolicyLine(
            id=i,
            sku=li.sku,
            tags=frozenset(t.strip() for t in li.tags.split(",") if t.strip()),
            unit_price_minor=li.unit_price_minor,
            quantity=li.quantity,
        )
        for i, li in lines.items()
    }
    returned = returned_units(session, order.id)
    delivered = session.exec(
        select(Shipment.delivered_at).where(
            Shipment.order_id == order.id, col(Shipment.return_id).is_(None)
        )
    ).all()
    standings = line_standings(
        policy,
        list(policy_lines.values()),
        returned=returned,
        start=window_start(ordered_at=order.placed_at, delivered=delivered),
        now=now,
        zone=load_profile(session).zone,
    )
    return OrderReturns(
        policy=policy,
        lines=lines,
        policy_lines=policy_lines,
        standings=standings,
        returned_units=sum(returned.values()),
        exchange=exchange_options(session, list(lines.values())),
        products=other_products(session, list(lines.values())),
    )


def returned_units(session: Session, order_id: int) -> dict[int, int]:
    """Per order line, the units in this order's returns that were not rejected."""
    rows = session.exec(
        select(ReturnLine.order_line_id, func.sum(ReturnLine.quantity))
        .join(ReturnRequest, col(ReturnRequest.id) == col(ReturnLine.return_id))
        .where(ReturnRequest.order_id == order_id, ReturnRequest.status != ReturnStatus.REJECTED)
        .group_by(col(ReturnLine.order_line_id))
    ).all()
    return {line_id: int(qty or 0) for line_id, qty in rows}
