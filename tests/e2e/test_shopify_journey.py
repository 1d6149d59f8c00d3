"""From "connect Shopify" to "the shopper got the shipped email", every part real but the
platform and the carrier, which are loopback servers answering as Shopify's GraphQL Admin
API and DHL's tracking API do; the email arrives at a real SMTP server (aiosmtpd)."""

import json
from dataclasses import replace
from datetime import timedelta

import httpx
from sqlmodel import select

from shopcare.app import build
from shopcare.config import Settings, SmtpConfig
from shopcare.db.models import Shipment
from shopcare.domain.status import ShipmentStatus
from shopcare.services.intake.backfill import run_backfill, start_backfill
from shopcare.services.intake.connection import platform_client, save_connection
from shopcare.services.intake.connection import test_connection as check_connection
from shopcare.services.intake.reconcile import reconcile
from shopcare.services.tracking.carrier_accounts import save_account
from tests.adapters.carrier_server import CarrierServer, Reply, serve
from tests.conftest import FakeClock, SmtpInbox, set_up_shop
from tests.platforms.shopify_server import (
    ADMIN_TOKEN,
    ShopifyShop,
    Stopwatch,
    fulfillment,
    iso,
    order_node,
)

NUMBER = "3318810025"


def dhl_says_in_transit(carrier: CarrierServer, clock: FakeClock) -> None:
    event = {
        "timestamp": iso(clock() - timedelta(minutes=30)),
        "statusCode": "transit",
        "status": "Arrived at DHL Sort Facility LEIPZIG - GERMANY",
        "location": {"address": {"addressLocality": "LEIPZIG - GERMANY"}},
    }
    body = {"shipments": [{"id": NUMBER, "service": "express", "events": [event]}]}
    carrier.route("GET", "/track/shipments", Reply(200, json.dumps(body)))


async def test_a_shopify_order_shipped_on_the_platform_reaches_the_shopper_by_email(
    settings: Settings, clock: FakeClock, smtp_inbox: SmtpInbox
) -> None:
    smtp = SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port, security="plain")
    app = build(replace(settings, smtp=smtp), clock=clock)
    set_up_shop(app)
    watch = Stopwatch()
    shop_servers, carrier_servers = serve(), serve()
    shop = ShopifyShop(next(shop_servers), watch)
    carrier = next(carrier_servers)
    try:
        placed = clock() - timedelta(days=3)
        shop.add(order_node(1001, created=placed, email="anna@example.com"))
        for number in range(1002, 1006):  # the shop's other recent orders
            shop.add(order_node(number, created=placed - timedelta(days=number - 1000)))
        save_account(
            app.sessions, "dhl", enabled=True, values={"api_key": "k"}, base_url=carrier.url,
            now=clock(),
        )  # fmt: skip
        app.reload_carriers()

        # Connect, test, import the last 60 days: history, so nothing is sent.
        save_connection(
            app.sessions, "shopify", shop_url=shop.url, values={"access_token": ADMIN_TOKEN},
            now=clock(),
        )  # fmt: skip
        async with httpx.AsyncClient() as http:
            assert (
                await check_connection(app.sessions, "shopify", http=http, clock=clock)
                == "connected to Test Shop"
            )
            run_id = start_backfill(app.sessions, "shopify", days=60, now=clock())
            client = platform_client(
                app.sessions, "shopify", http=http, clock=clock, sleep=watch.sleep,
                monotonic=watch,
            )  # fmt: skip
            run = await run_backfill(
                app.sessions, run_id, client=client, clock=clock, carriers=app.carrier_names
            )
            assert (run.status, run.created) == ("done", 5)
            await app.dispatch_once()
            assert smtp_inbox.messages == []

            # The owner ships #1001 on Shopify; its webhook never arrives.
            clock.advance(hours=2)
            shipped = fulfillment(
                88, number=NUMBER, company="DHL Express", created=clock() - timedelta(hours=1)
            )
            shop.orders[0] = order_node(
                1001, created=placed, updated=clock(), email="anna@example.com",
                fulfillments=[shipped],
            )  # fmt: skip
            clock.advance(minutes=15)
            (reconciled,) = await reconcile(
                app.sessions, http=http, clock=clock, carriers=app.carrier_names,
                sleep=watch.sleep,
            )  # fmt: skip
        assert (reconciled.status, reconciled.updated) == ("done", 1)

        # ShopCare follows the parcel with DHL and tells the shopper.
        dhl_says_in_transit(carrier, clock)
        await app.poll_once()
        await app.dispatch_once()
    finally:
        for servers in (shop_servers, carrier_servers):
            servers.close()
        await app.stop()

    with app.sessions() as session:
        parcel = session.exec(select(Shipment)).one()
    assert (parcel.carrier, parcel.tracking_number) == ("dhl", NUMBER)
    assert parcel.status == ShipmentStatus.IN_TRANSIT and not parcel.silent
    # Shopify says the shopper's locale is German, so ShopCare writes in German.
    assert smtp_inbox.subjects() == ["Ihre Bestellung #1001 wurde versandt"]
    assert {str(m["To"]) for m in smtp_inbox.messages} == {"anna@example.com"}
    assert any(c.path == "/track/shipments" for c in carrier.requests)
