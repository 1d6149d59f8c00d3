"""A small demo-like shop for the browser tests, made through the services as the app makes
it: orders with several parcels and real carrier events, a delivered order with a return, a
German shopper, an apron and napkins that can be exchanged for other colours, and one banner
offer for everyone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.carriers.base import TrackingResult
from shopcare.db.models import Offer, Shipment
from shopcare.domain.status import CarrierEvent, ShipmentStatus
from shopcare.services.intake.by_hand import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.services.messages.rules import update_rules
from shopcare.services.messages.subscriptions import record_whatsapp_consent
from shopcare.services.orders.catalog import VariantIn, save_variants
from shopcare.services.orders.views import order_view_by_token
from shopcare.services.returns.requests import open_return
from shopcare.services.shop.profile import update_profile
from shopcare.services.tracking.recording import record_tracking

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
"""When the orders were placed; the browser tests' clock stands 36 hours later."""
OFFER_LINK = "https://demo-coffee.example/autumn-sale"
"""Not on the network: the tests answer it themselves with ``page.route``."""


@dataclass(frozen=True)
class ShopperOrder:
    number: str
    token: str
    name: str
    email: str
    postcode: str
    tracking_numbers: tuple[str, ...]


@dataclass
class ShopData:
    orders: dict[str, ShopperOrder] = field(default_factory=dict)
    return_token: str = ""
    offer_id: int = 0
    customer_ids: dict[str, int] = field(default_factory=dict)


_MUG = LineIn(title="Ceramic mug, sand", quantity=2, unit_price_minor=1800, sku="MUG-SAND")
_TOWEL = LineIn(title="Linen tea towel", quantity=1, unit_price_minor=1250, sku="TOWEL-LIN")
_POUR = LineIn(title="Pour-over coffee set", quantity=1, unit_price_minor=4900, sku="POUR-SET")
_APRON = LineIn(title="Linen apron", quantity=1, unit_price_minor=3200, sku="APRON-SAND",
                variant="Sand", product_key="apron")  # fmt: skip
_NAPKINS = LineIn(title="Cotton napkins", quantity=1, unit_price_minor=1600, sku="NAPKIN-OAT",
                  variant="Oat", product_key="napkins")  # fmt: skip
_OTHER_COLOURS = [
    VariantIn("APRON-MOSS", "apron", "Linen apron", "Moss"),
    VariantIn("NAPKIN-RUST", "napkins", "Cotton napkins", "Rust"),
]
"""What the apron and the napkins can be exchanged for."""

# key: (order number, name, email, postcode, locale, lines, parcels: scans per tracking number)
_ORDERS = {
    "two_parcels": ("3001", "Ada Lovelace", "ada@example.com", "10115", "en",
                    [_MUG, _TOWEL, _POUR], {"SIMOK300101": "in_transit", "SIMOK300102": "out"}),
    "delivered": ("3002", "Grace Hopper", "grace@example.com", "94105", "en",
                  [_MUG, _TOWEL], {"SIMOK300201": "delivered"}),
    "german": ("3003", "Klaus Müller", "klaus@example.de", "80331", "de",
               [_POUR, _MUG], {"SIMOK300301": "in_transit"}),
    "lookup": ("3004", "Alan Turing", "alan@example.com", "SW1A 1AA", "en",
               [_TOWEL], {"SIMOK300401": "in_transit"}),
    "lookup_nojs": ("3005", "Edsger Dijkstra", "edsger@example.nl", "1012 AB", "en",
                    [_MUG], {"SIMOK300501": "out"}),
    "by_number": ("3006", "Barbara Liskov", "barbara@example.com", "02139", "en",
                  [_POUR], {"SIMOK300601": "in_transit"}),
    "report": ("3007", "Margaret Hamilton", "margaret@example.com", "02142", "en",
               [_TOWEL, _POUR], {"SIMOK300701": "delivered"}),
    "exchange": ("3008", "Hedy Lamarr", "hedy@example.com", "10117", "en",
                 [_APRON, _NAPKINS], {"SIMOK300801": "delivered"}),
    "whatsapp": ("3009", "Katherine Johnson", "katherine@example.com", "23666", "en",
                 [_MUG], {"SIMOK300901": "in_transit"}),
}  # fmt: skip
WHATSAPP_AGREED = "delivered"
"""The order whose shopper agreed to WhatsApp updates (the shop sends on WhatsApp)."""


LATE = "SIMOK300101"
"""In transit past its carrier's estimate: the page says so plainly."""
VIA_DHL = "SIMOK300102"
"""Carried by DHL behind the (simulated) aggregator: the page links to DHL's own page."""


def _code(tracking_number: str) -> str:
    return "dhl" if tracking_number == VIA_DHL else ""


def _due(tracking_number: str) -> datetime:
    return START + timedelta(days=0 if tracking_number == LATE else 3)


def _scans(kind: str, start: datetime) -> list[CarrierEvent]:
    """Carrier scans up to ``kind``: in_transit, out (for delivery) or delivered."""
    steps = [
        (ShipmentStatus.INFO_RECEIVED, "Shipment information received", ""),
        (ShipmentStatus.IN_TRANSIT, "Picked up by the carrier", "Berlin"),
        (ShipmentStatus.IN_TRANSIT, "Arrived at the sorting hub", "Leipzig"),
        (ShipmentStatus.OUT_FOR_DELIVERY, "Out for delivery", "Munich"),
        (ShipmentStatus.DELIVERED, "Delivered, handed to the recipient", "Munich"),
    ]
    upto = {"in_transit": 3, "out": 4, "delivered": 5}[kind]
    return [
        CarrierEvent(start + timedelta(hours=6 * i), status, text, location, provider="simulated")
        for i, (status, text, location) in enumerate(steps[:upto])
    ]


def seed_shop(app: ShopCare) -> ShopData:
    """Orders placed at START, scans over the following day; the app's clock must stand
    between 30 and 48 hours after START (one parcel late, the others not yet)."""
    update_profile(
        app.sessions,
        name="Demo Coffee Goods",
        support_email="support@demo-coffee.example",
        timezone="Europe/Berlin",
    )
    save_variants(app.sessions, _OTHER_COLOURS, now=START)
    data = ShopData()
    for key, (number, name, email, postcode, locale, lines, parcels) in _ORDERS.items():
        order = create_order(
            app.sessions,
            OrderIn(
                order_number=number,
                email=email,
                customer_name=name,
                placed_at=START - timedelta(hours=2),
                ship_address1="Example street 1",
                ship_postcode=postcode,
                locale=locale,
                lines=lines,
                shipments=[
                    ShipmentIn(carrier="simulated", tracking_number=n, carrier_code=_code(n))
                    for n in parcels
                ],
            ),
            now=START,
            carriers=app.carrier_names,
        )
        for number_, kind in parcels.items():
            result = TrackingResult(events=_scans(kind, START), estimated_delivery=_due(number_))
            record_tracking(app.sessions, _shipment_id(app, number_), result, now=app.clock())
        data.orders[key] = ShopperOrder(
            number, order.public_token, name, email, postcode, tuple(parcels)
        )
        data.customer_ids[key] = order.customer_id
    data.return_token = _a_return(app, data.orders["delivered"].token)
    update_rules(
        app.sessions, sms_account_sid="AC0123456789abcdef", sms_auth_token="tok3n",
        whatsapp_from="+15005550006",
    )  # fmt: skip
    record_whatsapp_consent(
        app.sessions, data.customer_ids[WHATSAPP_AGREED], given=True, now=app.clock(),
        phone="+14155550123",
    )  # fmt: skip
    data.offer_id = _banner(app)
    return data


def _shipment_id(app: ShopCare, tracking_number: str) -> int:
    with app.sessions() as session:
        shipment = session.exec(
            select(Shipment).where(Shipment.tracking_number == tracking_number)
        ).one()
        assert shipment.id is not None
        return shipment.id


def _a_return(app: ShopCare, order_token: str) -> str:
    order = order_view_by_token(app.sessions, order_token)
    assert order is not None
    towel = next(line.id for line in order.lines if line.sku == "TOWEL-LIN")
    return open_return(
        app.sessions,
        order_token=order_token,
        quantities={towel: 1},
        reason="damaged",
        comment="The hem came loose",
        now=app.clock(),
    )


def _banner(app: ShopCare) -> int:
    """A banner with no segment rules: every order sees it."""
    with app.sessions() as session:
        offer = Offer(
            name="Autumn sale",
            kind="banner",
            title="Autumn sale: 20 % off beans",
            body="Fresh roasts for your new pour-over set.",
            link_url=OFFER_LINK,
            button="Shop the sale",
            rules="{}",
            active=True,
            created_at=app.clock(),
        )
        session.add(offer)
        session.commit()
        assert offer.id is not None
        return offer.id
