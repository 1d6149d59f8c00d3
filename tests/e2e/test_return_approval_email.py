"""The approval email promises the slip, so it carries it (issue 12, §3): a return approved by
the owner reaches a real SMTP server (aiosmtpd on loopback) with its slip as a PDF, in the
shopper's language, beside the link to the return's page; a slip that cannot be made does
not hold the email back."""

from __future__ import annotations

import logging
from dataclasses import replace
from email.message import EmailMessage

import pytest
from sqlmodel import select

from shopcare.app import ShopCare, build
from shopcare.config import Settings, SmtpConfig
from shopcare.db.engine import transaction
from shopcare.db.models import OrderLine, ReturnRequest, Setting
from shopcare.services.intake.by_hand import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.services.returns.requests import open_return
from shopcare.services.returns.workflow import approve_return
from shopcare.services.shop.profile import update_profile
from tests.conftest import PUBLIC_URL, FakeClock, SmtpInbox, set_up_shop
from tests.pdf.reading import text

APPROVED_DE = "Ihre Rücksendung zu Bestellung 4004 ist genehmigt"


def approve_a_return(app: ShopCare, clock: FakeClock) -> ReturnRequest:
    """A German shopper's return of one tote, approved by the owner."""
    order = create_order(
        app.sessions,
        OrderIn(
            order_number="4004",
            email="greta@example.com",
            placed_at=clock(),
            customer_name="Greta Weber",
            ship_postcode="10115",
            lines=[LineIn(title="Canvas tote", quantity=1, unit_price_minor=1900)],
            shipments=[ShipmentIn(carrier="simulated", tracking_number="SIMOK100004")],
            locale="de",
        ),
        now=clock(),
        carriers=app.carrier_names,
    )
    with app.sessions() as session:
        line = session.exec(select(OrderLine.id).where(OrderLine.order_id == order.id)).one()
    assert line is not None
    token = open_return(
        app.sessions, order_token=order.public_token, quantities={line: 1}, reason="too_small",
        now=clock(),
    )  # fmt: skip
    with app.sessions() as session:
        request = session.exec(select(ReturnRequest).where(ReturnRequest.public_token == token))
        found = request.one()
    assert found.id is not None
    approve_return(app.sessions, found.id, now=clock())
    return found


def the_approval(inbox: SmtpInbox) -> EmailMessage:
    found = [m for m in inbox.messages if str(m["Subject"]) == APPROVED_DE]
    assert len(found) == 1, inbox.subjects()
    return found[0]


def plain_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


async def test_the_approval_email_carries_the_return_slip_as_a_pdf(
    settings: Settings, clock: FakeClock, smtp_inbox: SmtpInbox
) -> None:
    smtp = SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port, security="plain")
    app = build(replace(settings, smtp=smtp), clock=clock, simulated=True)
    set_up_shop(app)
    try:
        request = approve_a_return(app, clock)
        await app.dispatch_once()
    finally:
        app.engine.dispose()

    message = the_approval(smtp_inbox)
    files = list(message.iter_attachments())
    assert [(f.get_content_type(), f.get_filename()) for f in files] == [
        ("application/pdf", f"return-{request.rma}.pdf")
    ]
    slip = text(files[0].get_content())
    assert request.rma in slip
    assert "Rücksendeschein" in slip  # the shopper's language
    assert "Canvas tote" in slip
    body = plain_text(message)
    assert f"{PUBLIC_URL}/r/{request.public_token}" in body  # the link stays
    assert "Der Rücksendeschein ist angehängt" in body
    requested = [m for m in smtp_inbox.messages if m is not message]
    assert requested and all(not list(m.iter_attachments()) for m in requested)


async def test_a_slip_that_cannot_be_made_leaves_the_approval_with_its_link(
    settings: Settings,
    clock: FakeClock,
    smtp_inbox: SmtpInbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    smtp = SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port, security="plain")
    app = build(replace(settings, smtp=smtp), clock=clock, simulated=True)
    set_up_shop(app)
    try:
        request = approve_a_return(app, clock)
        with transaction(app.sessions) as session:  # a page size no version ever offered
            session.merge(Setting(key="printing", value='{"page_size": "a3"}'))
        with caplog.at_level(logging.ERROR):
            await app.dispatch_once()
    finally:
        app.engine.dispose()

    message = the_approval(smtp_inbox)
    assert list(message.iter_attachments()) == []
    body = plain_text(message)
    assert f"{PUBLIC_URL}/r/{request.public_token}" in body
    assert "Drucken Sie den Rücksendeschein auf der Seite Ihrer Rücksendung aus" in body
    assert f"return slip {request.rma} not attached" in caplog.text


async def test_a_shopper_whose_language_the_shop_does_not_offer_is_written_in_its_fallback(
    settings: Settings, clock: FakeClock, smtp_inbox: SmtpInbox
) -> None:
    smtp = SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port, security="plain")
    app = build(replace(settings, smtp=smtp), clock=clock, simulated=True)
    set_up_shop(app)
    update_profile(app.sessions, languages=("en", "fr"), default_language="fr")
    try:
        approve_a_return(app, clock)  # Greta's order is in German
        await app.dispatch_once()
    finally:
        app.engine.dispose()
    assert "Votre retour pour la commande 4004 est accepté" in smtp_inbox.subjects()
    assert APPROVED_DE not in smtp_inbox.subjects()
