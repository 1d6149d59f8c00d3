"""WhatsApp as a channel: queued only for shoppers who agreed and for messages with an
approved template, sent through the Twilio account (a loopback server answering as
Twilio does), and Twilio's refusal kept on the outbox row the message log shows."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import Customer, OutboxMessage, ShopOrder
from shopcare.domain.messages import MessageKind
from shopcare.services.intake.by_hand import LineIn, OrderIn, create_order
from shopcare.services.messages.outbox import enqueue
from shopcare.services.messages.rules import set_kind_rule, update_rules
from shopcare.services.messages.subscriptions import record_whatsapp_consent
from shopcare.services.shop.profile import update_profile
from tests.adapters.carrier_server import CarrierServer, Reply
from tests.conftest import FakeClock
from tests.services.helpers import make_order

SID, TOKEN = "AC0123456789abcdef", "tok3n"
PATH = f"/2010-04-01/Accounts/{SID}/Messages.json"
SHIPPED_EN = "HX" + "a" * 32
PHONE = "+4915112345678"


def whatsapp_shop(app: ShopCare, server: CarrierServer) -> None:
    update_rules(
        app.sessions,
        sms_account_sid=SID,
        sms_auth_token=TOKEN,
        sms_api_url=server.url,
        whatsapp_from="+15005550006",
        whatsapp_templates={"shipped:en": SHIPPED_EN},
    )
    for kind in (MessageKind.SHIPPED, MessageKind.DELIVERED):
        set_kind_rule(app.sessions, kind, enabled=True, delay_minutes=0, channels=["whatsapp"])


def queue(app: ShopCare, order: ShopOrder, kind: MessageKind, *, consent: bool) -> None:
    with transaction(app.sessions) as session:
        customer = session.get(Customer, order.customer_id)
        assert customer is not None
        customer.phone = PHONE
        session.add(customer)
    assert order.customer_id is not None
    record_whatsapp_consent(app.sessions, order.customer_id, given=consent, now=app.clock())
    with transaction(app.sessions) as session:
        enqueue(session, kind, order=order, now=app.clock())


def whatsapp_rows(app: ShopCare) -> list[OutboxMessage]:
    with app.sessions() as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.channel == "whatsapp")))


async def test_only_a_consenting_shopper_gets_messages_with_a_template(
    shopcare: ShopCare, carrier_server: CarrierServer
) -> None:
    whatsapp_shop(shopcare, carrier_server)
    order = make_order(shopcare, tracking="")
    queue(shopcare, order, MessageKind.SHIPPED, consent=False)
    assert whatsapp_rows(shopcare) == []
    queue(shopcare, order, MessageKind.DELIVERED, consent=True)  # no template for it
    assert whatsapp_rows(shopcare) == []
    queue(shopcare, order, MessageKind.SHIPPED, consent=True)
    assert [(r.kind, r.recipient) for r in whatsapp_rows(shopcare)] == [("shipped", PHONE)]


async def test_it_sends_the_template_and_keeps_twilios_refusal(
    shopcare: ShopCare, carrier_server: CarrierServer, clock: FakeClock
) -> None:
    whatsapp_shop(shopcare, carrier_server)
    refusal = {"code": 63016, "message": "Failed to send freeform message", "status": 400}
    carrier_server.route("POST", PATH, Reply(400, json.dumps(refusal)))
    order = make_order(shopcare, tracking="")
    queue(shopcare, order, MessageKind.SHIPPED, consent=True)
    await shopcare.dispatch_once()
    (request,) = carrier_server.requests
    form = parse_qs(request.body.decode())
    assert form["To"] == [f"whatsapp:{PHONE}"] and form["ContentSid"] == [SHIPPED_EN]
    assert json.loads(form["ContentVariables"][0])["1"] == "1001"
    (row,) = whatsapp_rows(shopcare)
    assert row.status == "failed"
    assert "outside the 24-hour window" in row.last_error and "(63016)" in row.last_error


async def test_a_shopper_whose_language_is_not_offered_gets_the_fallbacks_template(
    shopcare: ShopCare, carrier_server: CarrierServer
) -> None:
    """The template looked up when queueing is the one of the language the message is
    composed in: the shop's fallback, English here, not the shopper's French."""
    whatsapp_shop(shopcare, carrier_server)
    update_profile(shopcare.sessions, languages=("en", "de"), default_language="en")
    carrier_server.route("POST", PATH, Reply(201, json.dumps({"sid": "SM1", "status": "queued"})))
    order = make_order(shopcare, tracking="")
    with transaction(shopcare.sessions) as session:
        customer = session.get(Customer, order.customer_id)
        assert customer is not None
        customer.locale = "fr"
        session.add(customer)
    queue(shopcare, order, MessageKind.SHIPPED, consent=True)
    assert [r.recipient for r in whatsapp_rows(shopcare)] == [PHONE]
    await shopcare.dispatch_once()
    (request,) = carrier_server.requests
    assert parse_qs(request.body.decode())["ContentSid"] == [SHIPPED_EN]
    assert [r.status for r in whatsapp_rows(shopcare)] == ["sent"]


def test_consent_keeps_its_first_date_until_withdrawn(shopcare: ShopCare, clock: FakeClock) -> None:
    order = make_order(shopcare, tracking="")
    assert order.customer_id is not None
    first = clock()
    record_whatsapp_consent(
        shopcare.sessions, order.customer_id, given=True, now=first, phone="+4915112345678"
    )
    record_whatsapp_consent(
        shopcare.sessions, order.customer_id, given=True, now=clock.advance(minutes=5)
    )
    with shopcare.sessions() as session:
        customer = session.get(Customer, order.customer_id)
        assert customer is not None and customer.whatsapp_consent_at == first
    record_whatsapp_consent(shopcare.sessions, order.customer_id, given=False, now=clock())
    with shopcare.sessions() as session:
        customer = session.get(Customer, order.customer_id)
        assert customer is not None and customer.whatsapp_consent_at is None


def test_an_opt_in_with_the_order_is_recorded_and_confirmed_on_whatsapp(
    shopcare: ShopCare, carrier_server: CarrierServer
) -> None:
    whatsapp_shop(shopcare, carrier_server)
    update_rules(
        shopcare.sessions,
        whatsapp_templates={"shipped:en": SHIPPED_EN, "order_confirmed:en": SHIPPED_EN},
    )
    set_kind_rule(
        shopcare.sessions,
        MessageKind.ORDER_CONFIRMED,
        enabled=True,
        delay_minutes=0,
        channels=["email", "whatsapp"],
    )
    for number, agreed in (("2001", False), ("2002", True)):
        create_order(
            shopcare.sessions,
            OrderIn(
                order_number=number,
                email=f"shopper{number}@example.com",
                placed_at=shopcare.clock(),
                phone=PHONE,
                whatsapp_consent=agreed,
                lines=[LineIn(title="Mug", quantity=1, unit_price_minor=1800)],
            ),
            now=shopcare.clock(),
            carriers=shopcare.carrier_names,
        )
    with shopcare.sessions() as session:
        consents = {c.email: c.whatsapp_consent_at for c in session.exec(select(Customer))}
    assert consents["shopper2001@example.com"] is None
    assert consents["shopper2002@example.com"] == shopcare.clock()
    rows = whatsapp_rows(shopcare)
    assert [(r.kind, r.recipient) for r in rows] == [("order_confirmed", PHONE)]
