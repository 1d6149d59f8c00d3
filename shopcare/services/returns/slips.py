"""Return slips (one, or a batch of many) and packing slips: load what they show, in a few
queries whatever the batch size, and hand it to the PDF layer.

The logo comes from a file in the data dir (``logo.png`` or ``logo.jpg``), never from the
profile's https address: making a PDF must not wait on the network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from shopcare.db.models import (
    Customer,
    OrderLine,
    ProductVariant,
    ReturnLine,
    ReturnRequest,
    ShopOrder,
)
from shopcare.services.errors import InputError
from shopcare.services.messages.outbox import message_language
from shopcare.services.returns.labels.views import slips_with_labels
from shopcare.services.returns.policy import load_policy
from shopcare.services.returns.print_settings import load_print_settings, page_size
from shopcare.services.returns.requests import REASONS
from shopcare.services.returns.slip_words import (
    RESOLUTION_WORDS,
    packing_words,
    prints_right_to_left,
    slip_words,
    translate,
)
from shopcare.services.shop.countries import address_lines
from shopcare.services.shop.logo import LOGO_NAMES
from shopcare.services.shop.profile import ShopProfile, load_profile

if TYPE_CHECKING:
    from shopcare.db.engine import SessionFactory
    from shopcare.pdf.packing_slip import PackingSlip
    from shopcare.pdf.return_slip import ReturnSlip, SlipItem

MAX_BATCH = 500
"""Slips in one PDF; a few seconds of work, so one request cannot hold the server."""


def logo_file(data_dir: Path | None) -> Path | None:
    if data_dir is None:
        return None
    return next((p for n in LOGO_NAMES if (p := data_dir / n).is_file()), None)


def return_slip_by_token(
    sessions: SessionFactory,
    token: str,
    *,
    public_url: str,
    size: str | None = None,
    data_dir: Path | None = None,
    reasons: Mapping[str, str] | None = None,
) -> bytes | None:
    """The shopper's slip, in the owner's default size unless ``size`` says otherwise."""
    with sessions() as session:
        found = session.exec(select(ReturnRequest.id).where(ReturnRequest.public_token == token))
        return_id = found.first()
    if return_id is None:
        return None
    return return_slips_pdf(
        sessions, [return_id], public_url=public_url, size=size, data_dir=data_dir, reasons=reasons
    )


def return_slips_pdf(
    sessions: SessionFactory,
    return_ids: Sequence[int],
    *,
    public_url: str,
    size: str | None = None,
    data_dir: Path | None = None,
    reasons: Mapping[str, str] | None = None,
) -> bytes | None:
    """One PDF with a slip per return, in the order given; None when one is unknown.
    Raises InputError for an unknown size, no ids or too many."""
    if not return_ids:
        raise InputError("choose at least one return")
    if len(return_ids) > MAX_BATCH:
        raise InputError(f"at most {MAX_BATCH} slips at once")
    with sessions() as session:
        return return_slips_in(
            session,
            return_ids,
            public_url=public_url,
            size=size,
            data_dir=data_dir,
            reasons=reasons,
        )


def return_slips_in(
    session: Session,
    return_ids: Sequence[int],
    *,
    public_url: str,
    size: str | None = None,
    data_dir: Path | None = None,
    reasons: Mapping[str, str] | None = None,
) -> bytes | None:
    """As ``return_slips_pdf``, read in the caller's session: the outbox renders the slip
    the approval email carries while it composes that email."""
    # The PDF layer is imported on the first slip, not at start-up (~80 ms, ~10 MB).
    from shopcare.pdf.return_slip import render_return_slips

    chosen = page_size(size, default=load_print_settings(session).page_size)
    labels = reasons if reasons is not None else reason_labels(session)
    slips = load_return_slips(
        session, return_ids, public_url=public_url, reasons=labels, logo=logo_file(data_dir)
    )
    if slips is None:
        return None
    labelled = slips_with_labels(session, return_ids, slips, size=chosen.value)
    return labelled or render_return_slips(slips, size=chosen.value)


def reason_labels(session: Session) -> dict[str, str]:
    """The owner's reasons from the return policy; the built-in labels for codes a return
    still carries after the owner removed them from the policy."""
    return {**REASONS, **{r.code: r.label for r in load_policy(session).reasons}}


def load_return_slips(
    session: Session,
    return_ids: Sequence[int],
    *,
    public_url: str,
    reasons: Mapping[str, str],
    logo: Path | None,
) -> list[ReturnSlip] | None:
    """Four queries for any number of returns: the requests with their orders, the shoppers'
    languages, the lines with their order lines, and the variants wanted in exchange."""
    from shopcare.pdf.return_slip import ReturnSlip

    profile = load_profile(session)
    found = {
        request.id: (request, order)
        for request, order in session.exec(
            select(ReturnRequest, ShopOrder)
            .join(ShopOrder, col(ShopOrder.id) == col(ReturnRequest.order_id))
            .where(col(ReturnRequest.id).in_(set(return_ids)))
        )
    }
    if any(i not in found for i in return_ids):
        return None
    customers = {o.customer_id for _, o in found.values()}
    locales = {
        c.id: c.locale
        for c in session.exec(select(Customer).where(col(Customer.id).in_(customers)))
    }
    return_locales = {  # as the approval email the slip comes with
        i: message_language(locales.get(o.customer_id, ""), profile) for i, (_, o) in found.items()
    }
    items = _items(session, list(found), reasons=reasons, locales=return_locales)
    slips = []
    for return_id in return_ids:
        request, order = found[return_id]
        locale = return_locales[return_id]
        resolution = RESOLUTION_WORDS.get(request.resolution, request.resolution)
        slips.append(
            ReturnSlip(
                shop_name=profile.name,
                rma=request.rma,
                status_url=f"{public_url}/r/{request.public_token}",
                return_address=profile.return_address,
                order_number=order.order_number,
                customer_name=order.ship_name,
                created_at=request.created_at.astimezone(profile.zone),
                reason=translate(reasons.get(request.reason, request.reason), locale),
                items=items.get(return_id, []),
                shopper_address=shipping_address(order),
                resolution=translate(resolution, locale),
                logo=logo,
                words=slip_words(locale),
                right_to_left=prints_right_to_left(locale),
            )
        )
    return slips


def _items(
    session: Session,
    return_ids: list[int | None],
    *,
    reasons: Mapping[str, str],
    locales: Mapping[int | None, str],
) -> dict[int, list[SlipItem]]:
    from shopcare.pdf.return_slip import SlipItem

    rows = session.exec(
        select(ReturnLine, OrderLine)
        .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
        .where(col(ReturnLine.return_id).in_(return_ids))
        .order_by(col(ReturnLine.id))
    ).all()
    wanted = {rl.exchange_sku for rl, _ in rows if rl.exchange_sku}
    variants = {
        v.sku: v
        for v in session.exec(select(ProductVariant).where(col(ProductVariant.sku).in_(wanted)))
    }
    items: dict[int, list[SlipItem]] = {}
    for rl, line in rows:
        exchange = ""
        if rl.exchange_sku:
            variant = variants.get(rl.exchange_sku)
            words = (variant.variant or variant.title) if variant else ""
            exchange = f"{words} ({rl.exchange_sku})" if words else rl.exchange_sku
        items.setdefault(rl.return_id, []).append(
            SlipItem(
                title=line.title,
                quantity=rl.quantity,
                variant=line.variant,
                sku=line.sku,
                reason=translate(reasons.get(rl.reason, rl.reason), locales[rl.return_id]),
                comment=rl.comment,
                exchange=exchange,
            )
        )
    return items


def packing_slip_pdf(
    sessions: SessionFactory,
    order_id: int,
    *,
    size: str | None = None,
    data_dir: Path | None = None,
) -> bytes | None:
    """The packing slip of one order; None for an unknown order."""
    from shopcare.pdf.packing_slip import render_packing_slip

    with sessions() as session:
        chosen = page_size(size, default=load_print_settings(session).page_size)
        order = session.get(ShopOrder, order_id)
        if order is None:
            return None
        profile = load_profile(session)
        slip = load_packing_slip(session, order, profile=profile, logo=logo_file(data_dir))
    return render_packing_slip(slip, size=chosen.value)


def load_packing_slip(
    session: Session, order: ShopOrder, *, profile: ShopProfile, logo: Path | None = None
) -> PackingSlip:
    from shopcare.pdf.packing_slip import PackingItem, PackingSlip

    lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.id))
    ).all()
    customer = session.get(Customer, order.customer_id)
    locale = message_language(customer.locale if customer else "", profile)
    return PackingSlip(
        shop_name=profile.name,
        shop_address=profile.postal_address or profile.return_address,
        order_number=order.order_number,
        placed_at=order.placed_at.astimezone(profile.zone),
        ship_to=shipping_address(order),
        items=[
            PackingItem(title=li.title, quantity=li.quantity, variant=li.variant, sku=li.sku)
            for li in lines
        ],
        logo=logo,
        words=packing_words(locale),
        right_to_left=prints_right_to_left(locale),
    )


def shipping_address(order: ShopOrder) -> str:
    """One part a line, as on an envelope; empty parts left out, the country by name."""
    return "\n".join(
        address_lines(
            name=order.ship_name,
            address1=order.ship_address1,
            address2=order.ship_address2,
            postcode=order.ship_postcode,
            city=order.ship_city,
            region=order.ship_region,
            country=order.ship_country,
        )
    )
