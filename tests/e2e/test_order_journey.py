"""One real order through every part: store, simulated carrier, pure rules, outbox, SMTP
(a real aiosmtpd server on loopback), and the tracking page the emails link to."""

import re
from dataclasses import replace

import httpx
from fastapi import FastAPI
from sqlmodel import col, select

from shopcare.app import build
from shopcare.config import Settings, SmtpConfig
from shopcare.db.models import PageView, Shipment
from shopcare.domain.status import ShipmentStatus
from shopcare.services.shopper_site.view_counts import flush_views
from shopcare.ui.public.routes import public_router
from tests.conftest import PUBLIC_URL, FakeClock, SmtpInbox, set_up_shop
from tests.services.helpers import make_order

LINK = re.compile(re.escape(PUBLIC_URL) + r"(/t/[A-Za-z0-9_-]+\?m=[a-z_]+)")


async def test_an_order_is_tracked_to_delivery_with_one_email_per_milestone(
    settings: Settings, clock: FakeClock, smtp_inbox: SmtpInbox
) -> None:
    smtp = SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port, security="plain")
    app = build(replace(settings, smtp=smtp), clock=clock, simulated=True)
    set_up_shop(app)
    make_order(app, number="1001", tracking="SIMOK100001", email="anna@example.com")

    for _ in range(60):  # two and a half days, polled and dispatched hourly
        await app.poll_once()
        await app.dispatch_once()
        clock.advance(hours=1)

    with app.sessions() as session:
        assert session.exec(select(Shipment)).one().status == ShipmentStatus.DELIVERED
    assert smtp_inbox.subjects() == [
        "Your order 1001 is confirmed",
        "Your order 1001 is on its way",
        "Your order 1001 is out for delivery",
        "Your order 1001 has been delivered",
    ]
    assert {str(m["To"]) for m in smtp_inbox.messages} == {"anna@example.com"}
    # Out-of-office replies stay away (RFC 3834); every unsubscribe header has its link.
    assert {str(m["Auto-Submitted"]) for m in smtp_inbox.messages} == {"auto-generated"}
    unsubscribe = [str(m["List-Unsubscribe"]).strip() for m in smtp_inbox.messages[1:]]
    assert all(u.startswith(f"<{PUBLIC_URL}/unsubscribe/") for u in unsubscribe), unsubscribe

    site = FastAPI()
    site.include_router(public_router(app))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(site), base_url=PUBLIC_URL) as web:
        for message in smtp_inbox.messages:
            text = message.get_body(preferencelist=("plain",)).get_content()
            html = message.get_body(preferencelist=("html",)).get_content()
            path = LINK.search(text).group(1)
            assert f'href="{PUBLIC_URL}{path}"' in html
            page = await web.get(path)
            assert page.status_code == 200
            assert "1001" in page.text and "Ceramic mug" in page.text
    flush_views(app.sessions)  # each view records the message its link came in
    with app.sessions() as session:
        came_from = session.exec(select(PageView.message_kind).order_by(col(PageView.id))).all()
    assert came_from == ["order_confirmed", "shipped", "out_for_delivery", "delivered"]

    for _ in range(3):  # running the jobs again sends nothing more
        await app.poll_once()
        await app.dispatch_once()
    assert len(smtp_inbox.messages) == 4
    clock.advance(days=5)  # ... until the feedback request, three days after delivery
    for _ in range(3):
        await app.poll_once()
        await app.dispatch_once()
        clock.advance(hours=6)
    assert len(smtp_inbox.messages) == 5
    request = smtp_inbox.messages[4]
    for kind in ("plain", "html"):  # the 0-10 scale itself, one link per score
        body = request.get_body(preferencelist=(kind,)).get_content()
        scores = re.findall(re.escape(PUBLIC_URL) + r"/feedback/[\w-]+\?score=(\d+)", body)
        assert scores == [str(n) for n in range(11)], kind


async def test_a_mail_server_that_is_down_then_up_gets_the_message_exactly_once(
    settings: Settings, clock: FakeClock
) -> None:
    from aiosmtpd.controller import Controller

    from tests.conftest import SmtpInbox, free_port

    port = free_port()
    smtp = SmtpConfig(host="127.0.0.1", port=port, security="plain", timeout_s=2)
    app = build(replace(settings, smtp=smtp), clock=clock, simulated=True)
    set_up_shop(app)
    make_order(app, tracking="")
    report = await app.dispatch_once()  # nothing listens on the port yet
    assert report.retrying == 1 and report.sent == 0
    inbox = SmtpInbox(host="127.0.0.1", port=port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        await app.dispatch_once()
        assert inbox.messages == []  # waiting out its back-off
        clock.advance(minutes=2)
        for _ in range(3):
            await app.dispatch_once()
            clock.advance(minutes=5)
    finally:
        await app.stop()
        controller.stop()
    assert inbox.subjects() == ["Your order 1001 is confirmed"]
