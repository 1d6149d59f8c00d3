"""Message rules, unsubscribe, quiet hours, the hourly cap and the messages that follow a
delivery, observed at the senders (recorders at the outbound seam) and in the store."""

import httpx
from fastapi import FastAPI
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import Customer, Feedback, OutboxMessage
from shopcare.domain.messages import MessageKind
from shopcare.notify.base import Channel
from shopcare.services.messages.dispatch import dispatch_outbox
from shopcare.services.messages.outbox import resend
from shopcare.services.messages.rules import set_kind_rule, update_rules
from shopcare.services.shop.profile import update_profile
from shopcare.ui.public.subscriptions import subscriptions_router
from tests.conftest import PUBLIC_URL, FakeClock
from tests.services.helpers import make_order
from tests.services.test_outbox import Recorder


async def dispatch(app: ShopCare, clock: FakeClock, *senders: Recorder) -> Recorder:
    recorder = senders[0] if senders else Recorder()
    await dispatch_outbox(
        app.sessions, {Channel.EMAIL: recorder}, now=clock(), public_url=PUBLIC_URL
    )
    return recorder


def kinds(app: ShopCare) -> list[str]:
    with app.sessions() as session:
        return [m.kind for m in session.exec(select(OutboxMessage).order_by(OutboxMessage.id))]


async def test_a_message_the_owner_turned_off_is_not_queued(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    set_kind_rule(
        shopcare.sessions, MessageKind.SHIPPED, enabled=False, delay_minutes=0, channels=["email"]
    )
    make_order(shopcare)
    await shopcare.poll_once()
    assert kinds(shopcare) == ["order_confirmed"]


async def test_a_delayed_message_waits_its_time(shopcare: ShopCare, clock: FakeClock) -> None:
    set_kind_rule(
        shopcare.sessions,
        MessageKind.ORDER_CONFIRMED,
        enabled=True,
        delay_minutes=30,
        channels=["email"],
    )
    make_order(shopcare, tracking="")
    assert (await dispatch(shopcare, clock)).sent == []
    clock.advance(minutes=31)
    assert [m.subject for m in (await dispatch(shopcare, clock)).sent] == [
        "Your order 1001 is confirmed"
    ]


async def test_every_message_but_the_confirmation_offers_one_click_unsubscribe(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare)
    await shopcare.poll_once()
    sent = (await dispatch(shopcare, clock)).sent
    confirmed, shipped = sent
    assert "List-Unsubscribe" not in confirmed.headers
    assert shipped.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert shipped.headers["List-Unsubscribe"].startswith(f"<{PUBLIC_URL}/unsubscribe/")


async def test_one_click_unsubscribe_stops_optional_messages_only(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare)
    await shopcare.poll_once()
    shipped = (await dispatch(shopcare, clock)).sent[1]
    link = shipped.headers["List-Unsubscribe"].strip("<>").removeprefix(PUBLIC_URL)
    site = FastAPI()
    site.include_router(subscriptions_router(shopcare))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(site), base_url=PUBLIC_URL) as web:
        page = await web.get(link)  # a mail scanner following the link changes nothing
        assert page.status_code == 200 and "Unsubscribe" in page.text
        with shopcare.sessions() as session:
            assert session.exec(select(Customer)).one().unsubscribed_at is None
        one_click = await web.post(
            link,
            content=b"List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert one_click.status_code == 200
        assert (await web.post("/unsubscribe/not-a-token")).status_code == 404
    make_order(shopcare, number="1002", tracking="SIMOK100002")  # a new order: still confirmed
    clock.advance(hours=41)
    await shopcare.poll_once()
    recorder = await dispatch(shopcare, clock)
    assert [m.subject for m in recorder.sent] == ["Your order 1002 is confirmed"]
    with shopcare.sessions() as session:
        skipped = session.exec(select(OutboxMessage).where(OutboxMessage.status == "skipped")).all()
    assert skipped and all(m.last_error == "the shopper unsubscribed" for m in skipped)


async def test_quiet_hours_hold_optional_messages_until_morning(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    update_profile(shopcare.sessions, timezone="Europe/Berlin")
    update_rules(shopcare.sessions, quiet_start=22, quiet_end=7)
    clock.now = clock.now.replace(hour=22, minute=30)  # 23:30 in Berlin
    make_order(shopcare)
    await shopcare.poll_once()
    recorder = await dispatch(shopcare, clock)
    assert [m.kind for m in recorder.sent] == ["order_confirmed"]  # answers are never held
    clock.advance(hours=7)  # 06:30 in Berlin: still quiet
    assert (await dispatch(shopcare, clock)).sent == []
    clock.advance(minutes=31)
    assert [m.kind for m in (await dispatch(shopcare, clock)).sent] == ["shipped"]


async def test_the_hourly_cap_holds_the_rest_for_later(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    update_rules(shopcare.sessions, hourly_cap=2)
    for n in range(4):
        make_order(shopcare, number=str(1001 + n), tracking="", email=f"s{n}@example.com")
    assert len((await dispatch(shopcare, clock)).sent) == 2
    clock.advance(minutes=30)
    assert (await dispatch(shopcare, clock)).sent == []
    clock.advance(minutes=31)
    assert len((await dispatch(shopcare, clock)).sent) == 2


async def test_a_delivery_is_followed_by_a_feedback_request_days_later(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare)
    clock.advance(days=2)
    await shopcare.poll_once()
    await dispatch(shopcare, clock)
    assert "feedback_request" in kinds(shopcare)
    assert "review_reminder" not in kinds(shopcare)  # off by default
    clock.advance(days=3)
    recorder = await dispatch(shopcare, clock)
    (request,) = recorder.sent
    assert request.kind == "feedback_request"
    with shopcare.sessions() as session:
        token = session.exec(select(Feedback)).one().public_token
    assert f"{PUBLIC_URL}/feedback/{token}" in request.text


async def test_the_owner_can_resend_a_failed_message(shopcare: ShopCare, clock: FakeClock) -> None:
    from shopcare.notify.base import SendError

    make_order(shopcare, tracking="")
    await dispatch(
        shopcare, clock, Recorder(fail=SendError("550 no such user", permanent=True), times=1)
    )
    with shopcare.sessions() as session:
        failed = session.exec(select(OutboxMessage)).one()
    assert failed.status == "failed"
    resend(shopcare.sessions, failed.id or 0, now=clock())
    assert len((await dispatch(shopcare, clock)).sent) == 1
    resend(shopcare.sessions, failed.id or 0, now=clock())  # sent: a fresh copy
    assert len((await dispatch(shopcare, clock)).sent) == 1
    assert kinds(shopcare) == ["order_confirmed", "order_confirmed"]
