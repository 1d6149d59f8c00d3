"""The owner's changes to a stored order: a parcel added later, the order edited (email,
name, phone, address, items), the order cancelled.

Parcels and cancellation go through the order writer (``services.intake``), so a parcel
added by hand is chosen a carrier, or kept waiting for an account, exactly like one from a
platform, and a cancellation stops tracking and queued messages the same way. Editing is
the owner's own correction and is written here: lines already in a return stay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, func, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import (
    Customer,
    OrderLine,
    OutboxMessage,
    ReturnLine,
    Shipment,
    ShipmentLine,
    ShopOrder,
)
from shopcare.domain.intake import (
    ShipmentIn,
    email_problem,
    line_problems,
    normalise_tracking_number,
)
from shopcare.domain.tokens import public_token
from shopcare.services.errors import InputError
from shopcare.services.intake.writer import Outcome, ParcelIn, add_parcels, cancel_order
from shopcare.services.messages.outbox import QUEUED, SKIPPED
from shopcare.services.orders.notes import record_action


@dataclass(frozen=True)
class LineEdit:
    title: str
    quantity: int
    unit_price_minor: int
    line_id: int | None = None
    """The stored line; None adds one."""


@dataclass(frozen=True)
class OrderEdit:
    email: str
    customer_name: str = ""
    phone: str = ""
    ship_name: str = ""
    ship_address1: str = ""
    ship_address2: str = ""
    ship_postcode: str = ""
    ship_city: str = ""
    ship_region: str = ""
    ship_country: str = ""
    lines: Sequence[LineEdit] = ()
    returned_line_ids: frozenset[int] = field(default_factory=frozenset)
    """Lines in a return: shown, never removed (only when read by ``order_edit``)."""


def order_edit(sessions: SessionFactory, order_id: int) -> OrderEdit | None:
    """The order as the Edit dialog starts from."""
    with sessions() as session:
        order = session.get(ShopOrder, order_id)
        if order is None:
            return None
        customer = session.get(Customer, order.customer_id)
        lines = _lines(session, order_id)
        return OrderEdit(
            email=order.email,
            customer_name=customer.name if customer else "",
            phone=customer.phone if customer else order.ship_phone,
            ship_name=order.ship_name,
            ship_address1=order.ship_address1,
            ship_address2=order.ship_address2,
            ship_postcode=order.ship_postcode,
            ship_city=order.ship_city,
            ship_region=order.ship_region,
            ship_country=order.ship_country,
            lines=[LineEdit(li.title, li.quantity, li.unit_price_minor, li.id) for li in lines],
            returned_line_ids=frozenset(_returned(session, order_id)),
        )


def update_order(
    sessions: SessionFactory, order_id: int, edit: OrderEdit, *, now: datetime, by: str = ""
) -> str:
    """Store the owner's corrections; returns a warning ("" when none), e.g. that no
    message can reach an order left without a usable email. The total moves by what the
    lines changed, so shipping and taxes a platform added stay in it."""
    problems = _problems(edit)
    if problems:
        raise InputError("; ".join(problems))
    with transaction(sessions) as session:
        order = session.get(ShopOrder, order_id)
        if order is None:
            raise InputError("this order does not exist any more")
        assert order.id is not None
        before = _described(session, order)
        _set_lines(session, order, edit.lines)
        _set_email(session, order, edit, now=now)
        order.ship_name = edit.ship_name.strip()[:200]
        order.ship_address1 = edit.ship_address1.strip()[:200]
        order.ship_address2 = edit.ship_address2.strip()[:200]
        order.ship_postcode = edit.ship_postcode.strip()[:20]
        order.ship_city = edit.ship_city.strip()[:100]
        order.ship_region = edit.ship_region.strip()[:100]
        order.ship_country = edit.ship_country.strip().upper()[:2]
        order.ship_phone = edit.phone.strip()[:32]
        order.updated_at = now
        session.add(order)
        changed = [k for k, v in _described(session, order).items() if before[k] != v]
        if changed:
            record_action(
                session, order.id, action="edited", by=by, detail=", ".join(changed), now=now
            )
        problem = order.email_problem
    return f"{problem}: no message can reach this shopper" if problem else ""


def _described(session: Session, order: ShopOrder) -> dict[str, object]:
    """What an edit can change, in words the timeline shows ("email, address, items")."""
    session.flush()
    return {
        "email": order.email,
        "name": order.ship_name,
        "address": (
            order.ship_address1, order.ship_address2, order.ship_postcode, order.ship_city,
            order.ship_region, order.ship_country,
        ),
        "phone": order.ship_phone,
        "items": tuple(
            (li.id, li.quantity, li.unit_price_minor, li.title)
            for li in _lines(session, order.id or 0)
        ),
    }  # fmt: skip


def _problems(edit: OrderEdit) -> list[str]:
    problems = line_problems(edit.lines)
    country = edit.ship_country.strip()
    if country and not (len(country) == 2 and country.isalpha()):
        problems.append(f"country {country!r} is not a two-letter ISO code")
    return problems


def _set_lines(session: Session, order: ShopOrder, edits: Sequence[LineEdit]) -> None:
    assert order.id is not None
    stored = {li.id or 0: li for li in _lines(session, order.id)}
    returned = _returned(session, order.id)
    kept: set[int] = {li.line_id for li in edits if li.line_id is not None}
    if unknown := kept - set(stored):
        raise InputError(f"item {min(unknown)} is not on this order")
    if gone_returned := (set(stored) - kept) & returned:
        title = stored[min(gone_returned)].title
        raise InputError(f"{title!r} is part of a return and cannot be removed")
    before = sum(li.quantity * li.unit_price_minor for li in stored.values())
    for line_id in set(stored) - kept:
        for packed in session.exec(
            select(ShipmentLine).where(ShipmentLine.order_line_id == line_id)
        ).all():
            session.delete(packed)
        session.delete(stored[line_id])
    for li in edits:
        line = (
            stored[li.line_id] if li.line_id is not None else OrderLine(order_id=order.id, title="")
        )
        line.title = li.title.strip()[:300]
        line.quantity = li.quantity
        line.unit_price_minor = li.unit_price_minor
        session.add(line)
    after = sum(li.quantity * li.unit_price_minor for li in edits)
    order.total_minor = max(0, order.total_minor + after - before)


def _set_email(session: Session, order: ShopOrder, edit: OrderEdit, *, now: datetime) -> None:
    """The order's customer is the one with the new address (found, renamed when the old
    one had no other order, or made), so lookups and unsubscribes follow the address.
    Messages still queued go to the new address, or are skipped when there is none."""
    assert order.id is not None
    problem = email_problem(edit.email)
    email = "" if problem else edit.email.strip().lower()
    customer = session.get(Customer, order.customer_id)
    if email != order.email or customer is None:
        customer = _customer_for(session, order, email, customer, now=now)
        order.customer_id = customer.id  # type: ignore[assignment]
        order.email, order.email_problem = email, problem[:200]
        _redirect_queued(session, order.id, email)
    customer.name = edit.customer_name.strip()[:200]
    customer.phone = edit.phone.strip()[:32]
    session.add(customer)


def _customer_for(
    session: Session, order: ShopOrder, email: str, current: Customer | None, *, now: datetime
) -> Customer:
    if email:
        found = session.exec(select(Customer).where(Customer.email == email)).first()
        if found is not None:
            return found
    if current is not None and _order_count(session, current.id) == 1:
        current.email = email or None
        return current
    made = Customer(
        email=email or None,
        name=current.name if current else "",
        locale=current.locale if current else "en",
        phone=current.phone if current else "",
        unsubscribe_token=public_token(),
        created_at=now,
    )
    session.add(made)
    session.flush()
    return made


def _order_count(session: Session, customer_id: int | None) -> int:
    return int(
        session.exec(
            select(func.count()).select_from(ShopOrder).where(ShopOrder.customer_id == customer_id)
        ).one()
    )


def _redirect_queued(session: Session, order_id: int, email: str) -> None:
    queued = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.order_id == order_id,
            OutboxMessage.status == QUEUED,
            OutboxMessage.channel == "email",
        )
    ).all()
    for message in queued:
        if email:
            message.recipient = email
        else:
            message.status, message.last_error = SKIPPED, "no email address"
        session.add(message)


def add_parcel(
    sessions: SessionFactory,
    order_id: int,
    *,
    tracking_number: str,
    carrier: str,
    shipped_at: datetime | None,
    lines: Mapping[int, int],
    now: datetime,
    carriers: Sequence[str],
    by: str = "",
) -> Shipment:
    """A parcel for a stored order, with what went in it (order line id -> quantity). With
    no account able to follow it, it is kept and waits for one (``waiting_parcels``)."""
    number = normalise_tracking_number(tracking_number)
    if not number:
        raise InputError("tracking number is missing")
    if carrier and carrier not in carriers:
        raise InputError(f"no account for carrier {carrier!r}; set it up under Carriers first")
    if shipped_at is not None and shipped_at > now:
        raise InputError("the shipped date is in the future")
    with transaction(sessions) as session:
        order = session.get(ShopOrder, order_id)
        if order is None:
            raise InputError("this order does not exist any more")
        _check_packed(session, order_id, lines)
        parcel = ParcelIn(order.order_number, ShipmentIn(carrier, number, shipped_at=shipped_at))
        (written,) = add_parcels(session, [parcel], now=now, carriers=carriers)
        if written.outcome is Outcome.REJECTED:
            raise InputError("; ".join(written.problems))
        if written.outcome is Outcome.UNCHANGED:
            raise InputError(f"parcel {number} is on this order already")
        shipment = session.exec(
            select(Shipment).where(
                Shipment.order_id == order_id, Shipment.tracking_number == number[:64]
            )
        ).one()
        assert shipment.id is not None
        for line_id, quantity in lines.items():
            if quantity > 0:
                session.add(
                    ShipmentLine(shipment_id=shipment.id, order_line_id=line_id, quantity=quantity)
                )
        record_action(
            session, order_id, action="parcel_added", by=by,
            detail=f"{shipment.carrier or 'carrier not known yet'} {number}", now=now,
        )  # fmt: skip
        session.flush()
        session.refresh(shipment)
    return shipment


def _check_packed(session: Session, order_id: int, lines: Mapping[int, int]) -> None:
    stored = {li.id: li for li in _lines(session, order_id)}
    for line_id, quantity in lines.items():
        line = stored.get(line_id)
        if line is None:
            raise InputError(f"item {line_id} is not on this order")
        if not 0 <= quantity <= line.quantity:
            raise InputError(f"{line.title!r}: between 0 and {line.quantity} can be in a parcel")


def cancel(sessions: SessionFactory, order_id: int, *, now: datetime, by: str = "") -> bool:
    """Cancel the order: its parcels are no longer asked about and its queued messages are
    skipped. False when it was cancelled already."""
    with transaction(sessions) as session:
        if session.get(ShopOrder, order_id) is None:
            raise InputError("this order does not exist any more")
        changed = cancel_order(session, order_id, now=now)
        if changed:
            record_action(session, order_id, action="cancelled", by=by, detail="", now=now)
        return changed


def _lines(session: Session, order_id: int) -> list[OrderLine]:
    return list(
        session.exec(
            select(OrderLine).where(OrderLine.order_id == order_id).order_by(col(OrderLine.id))
        ).all()
    )


def _returned(session: Session, order_id: int) -> set[int]:
    found = session.exec(
        select(ReturnLine.order_line_id)
        .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
        .where(OrderLine.order_id == order_id)
    ).all()
    return set(found)
