"""The return form says beside each reason who pays the return postage when that depends on
the reason, so the shopper knows before choosing: in their language, escaped, and only when
the reasons differ."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import Customer
from shopcare.services.returns.labels.settings import save_label_settings
from shopcare.services.returns.policy import update_policy
from tests.ui.test_returns_portal import order_token

__all__ = ["order_token"]  # the fixture, shared with the portal's tests


def reason_options(page: str) -> dict[str, str]:
    """The first reason list's options, value to text."""
    first = page.split('name="reason_', 1)[1].split("</select>", 1)[0]
    return dict(re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]*)</option>', first))


async def test_each_reason_says_who_pays_the_postage_when_it_differs(
    shopcare: ShopCare, order_token: str, client: httpx.AsyncClient
) -> None:
    # the default policy: the shopper pays, except when the shop got it wrong
    options = reason_options((await client.get(f"/t/{order_token}/return")).text)
    assert options["too_small"] == "Too small (return postage paid by you)"
    assert options["damaged"] == "Arrived damaged (free return postage)"
    assert options["wrong_item"] == "Wrong item sent (free return postage)"

    save_label_settings(
        shopcare.sessions, api_key="EZTKkey", provider="easypost", labels_for="shop_pays",
        street1="2 Test Street", city="Berlin", zip="10115", country="DE",
    )  # fmt: skip
    options = reason_options((await client.get(f"/t/{order_token}/return")).text)
    assert options["damaged"] == "Arrived damaged (free return label)"
    assert options["changed_mind"] == "Changed my mind (return postage paid by you)"

    update_policy(shopcare.sessions, shipping_paid_by="shop")  # the same for every reason
    options = reason_options((await client.get(f"/t/{order_token}/return")).text)
    assert options["too_small"] == "Too small" and options["damaged"] == "Arrived damaged"
    assert "return label" not in options.values()


@pytest.mark.parametrize(
    ("locale", "paid", "free"),
    [
        ("de", "Zu klein (Rückporto zahlen Sie)", "kostenlose Rücksendung"),
        ("ar", "(تكاليف شحن الإرجاع عليك)", "(شحن إرجاع مجاني)"),
    ],
)
async def test_the_postage_words_are_in_the_shoppers_language_and_escaped(
    shopcare: ShopCare,
    order_token: str,
    client: httpx.AsyncClient,
    locale: str,
    paid: str,
    free: str,
) -> None:
    with transaction(shopcare.sessions) as session:
        for customer in session.exec(select(Customer)).all():
            customer.locale = locale
            session.add(customer)
    reasons = [
        {"code": "too_small", "label": "Too small"},
        {"code": "broken", "label": "Broken <b>badly</b> & more"},
    ]
    update_policy(
        shopcare.sessions, reasons=reasons, shipping_free_reasons=["broken"],
        fee_free_reasons=[], auto_approve_reasons=[],
    )  # fmt: skip
    page = (await client.get(f"/t/{order_token}/return")).text
    options = reason_options(page)
    assert paid in options["too_small"]
    assert options["broken"].startswith("Broken &lt;b&gt;badly&lt;/b&gt; &amp; more (")
    assert free in options["broken"]
    assert "<b>badly" not in page
