"""Whatever a signed delivery carries, applying it ends as applied, ignored, stale or
failed with a reason the owner can read: never an internal error."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopcare.app import ShopCare
from shopcare.db.models import WebhookDelivery
from shopcare.services.intake.webhooks import apply_delivery, receive_delivery, set_webhook_secret
from tests.conftest import FakeClock
from tests.intake.webhook_helpers import payload, signature
from tests.platforms.test_payload_robustness import mutations

SECRET = "any"


def _case(platform: str, topic: str, fixture: str) -> st.SearchStrategy[tuple[str, str, Any]]:
    return st.tuples(st.just(platform), st.just(topic), mutations(payload(fixture)))


CASES = st.one_of(
    _case("shopify", "orders/create", "shopify_order.json"),
    _case("shopify", "fulfillments/create", "shopify_fulfillment.json"),
    _case("woocommerce", "order.updated", "woocommerce_order.json"),
)
HEADERS = {
    "shopify": ("x-shopify-topic", "x-shopify-hmac-sha256", "x-shopify-webhook-id"),
    "woocommerce": ("x-wc-webhook-topic", "x-wc-webhook-signature", "x-wc-webhook-delivery-id"),
}


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=CASES)
def test_any_signed_delivery_is_applied_or_says_why(
    shopcare: ShopCare, clock: FakeClock, case: tuple[str, str, Any]
) -> None:
    platform, topic, body = case
    set_webhook_secret(shopcare.sessions, platform, SECRET, now=clock())
    raw = json.dumps(body).encode()
    if not isinstance(body, dict):
        return  # refused with 400 before it is stored (tested over HTTP)
    topic_header, signature_header, id_header = HEADERS[platform]
    headers = {
        topic_header: topic,
        signature_header: signature(raw, SECRET),
        id_header: f"{clock.advance(seconds=1).timestamp()}",
    }
    received = receive_delivery(shopcare.sessions, platform, headers, raw, now=clock())
    assert received.delivery_id is not None
    status = apply_delivery(
        shopcare.sessions, received.delivery_id, now=clock(), carriers=shopcare.carrier_names
    )
    with shopcare.sessions() as session:
        delivery = session.get(WebhookDelivery, received.delivery_id)
    assert delivery is not None
    assert status in {"applied", "ignored", "stale", "failed"}
    assert not delivery.error.startswith("internal error"), delivery.error
