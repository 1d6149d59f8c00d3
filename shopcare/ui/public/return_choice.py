"""The figures beside each way of settling a return in the portal's form ("Refund 40.00 EUR
or 44.00 EUR in store credit"), and the other products an exchange can send: presentation
of ``services.returns.choices`` and ``services.returns.offers``, formatted in the order's
currency."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from shopcare.domain.money import format_money
from shopcare.domain.return_policy import RequestedLine
from shopcare.domain.returns import Resolution
from shopcare.services.returns.choices import return_choice
from shopcare.services.returns.offers import ProductChoice

if TYPE_CHECKING:
    from shopcare.app import ShopCare

PREVIEW = "preview"
"""The form's "Update the amounts" button: shows the figures for the items chosen without
sending the request (the page has no scripts to do it live)."""


def choice_context(
    shopcare: ShopCare, token: str, chosen: Sequence[RequestedLine], *, currency: str
) -> dict[str, Any]:
    """What the template shows at the moment of choice: each figure formatted, "" where it
    does not apply. ``chosen``: the lines the form sent (none on a first visit)."""
    choice = return_choice(shopcare.sessions, token, chosen, now=shopcare.clock())
    if choice is None:
        return {}
    f = choice.figures

    def money(minor: int) -> str:
        return format_money(minor, choice.currency or currency)

    return {
        "chosen": choice.chosen,
        Resolution.REFUND.value: money(f.refund_minor),
        "handling": money(f.handling_minor) if f.handling_minor else "",
        Resolution.STORE_CREDIT.value: money(f.credit_minor),
        "credit_bonus": money(f.credit_bonus_minor) if f.credit_bonus_minor else "",
        "exchange_bonus": money(f.exchange_bonus_minor) if f.exchange_bonus_minor else "",
        "differs": f.credit_minor != f.refund_minor,
    }


def product_words(product: ProductChoice, currency: str) -> dict[str, str]:
    """An other product as the exchange picker lists it."""
    name = f"{product.title} – {product.variant}" if product.variant else product.title
    return {
        "sku": product.sku,
        "name": name or product.sku,
        "price": format_money(product.price_minor, currency),
        "credit": format_money(product.credit_minor, currency) if product.credit_minor else "",
    }
