"""Review and reorder reminders end to end: delivered by the simulated carrier, queued by
the job when each line's tag says so, sent through the outbox, counted afterwards."""

from datetime import timedelta

from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import Customer, OutboxMessage, PageView, Shipment
from shopcare.domain.messages import MessageKind
from shopcare.services.intake.by_hand import LineIn, OrderIn, ShipmentIn, create_order
from shopcare.services.messages.reminder_results import reminder_results
from shopcare.services.messages.rules import set_kind_rule, set_reminder_tags
from shopcare.services.shopper_site.feedback import (
    feedback_token_after_delivery,
    record_feedback,
)
from tests.conftest import FakeClock
from tests.services.return_builders import open_return_rows
from tests.services.test_notifications import dispatch, kinds

REORDER = MessageKind.REORDER_REMINDER


def order_with_beans(app: ShopCare, number: str = "1001", email: str = "anna@example.com") -> int:
    order = create_order(
        app.sessions,
        OrderIn(
            order_number=number,
            email=email,
            customer_name="Anna Schmidt",
            placed_at=app.clock(),
            ship_postcode="10115",
            lines=[
                LineIn(
                    title="Coffee beans",
                    unit_price_minor=1450,
                    sku="BEANS",
                    tags="Consumable,coffee",
                ),
                LineIn(title="Ceramic mug", unit_price_minor=1800, sku="MUG", tags="ceramics"),
            ],
            shipments=[ShipmentIn(carrier="simulated", tracking_number=f"SIMOK{number}01")],
        ),
        now=app.clock(),
        carriers=app.carrier_names,
    )
    assert order.id is not None
    return order.id


def turn_on_reorder(app: ShopCare) -> None:
    """Consumables after 30 days, everything else after 90 (the message's own delay)."""
    minutes = 90 * 24 * 60
    set_kind_rule(app.sessions, REORDER, enabled=True, delay_minutes=minutes, channels=["email"])
    set_reminder_tags(app.sessions, REORDER, {"consumable": 30})


async def delivered(app: ShopCare, clock: FakeClock) -> None:
    """Past the delivery, with the messages it caused sent."""
    clock.advance(days=3)
    await app.poll_once()
    clock.advance(days=4)
    await dispatch(app, clock)


async def test_a_consumable_gets_one_reorder_reminder_after_its_days(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    turn_on_reorder(shopcare)
    order_id = order_with_beans(shopcare)
    await delivered(shopcare, clock)
    clock.advance(days=24)  # 29 days after the delivery
    assert await shopcare.queue_reminders() == 0
    clock.advance(days=1)
    assert await shopcare.queue_reminders() == 1
    (sent,) = (await dispatch(shopcare, clock)).sent
    assert sent.subject == "Running low? Reorder the items from order 1001"
    for _ in range(5):
        clock.advance(days=1)
        assert await shopcare.queue_reminders() == 0  # never twice for the line
    assert kinds(shopcare).count(REORDER) == 1
    with shopcare.sessions() as session:
        key = session.exec(select(OutboxMessage.idempotency_key).where(
            OutboxMessage.kind == REORDER)).one()  # fmt: skip
        assert key.startswith(f"order:{order_id}:reorder_reminder:lines:")


async def test_no_reminder_for_a_returned_item_or_an_unhappy_shopper(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    turn_on_reorder(shopcare)
    returned = order_with_beans(shopcare, "1001", "anna@example.com")
    unhappy = order_with_beans(shopcare, "1002", "ben@example.com")
    happy = order_with_beans(shopcare, "1003", "chloe@example.com")
    await delivered(shopcare, clock)
    open_return_rows(shopcare.sessions, "1001", now=clock(), quantities={"BEANS": 1})
    for order_id, score in ((unhappy, 6), (happy, 7)):
        token = feedback_token_after_delivery(shopcare.sessions, order_id, now=clock())
        record_feedback(shopcare.sessions, token, score=score, now=clock())
    clock.advance(days=25)
    assert await shopcare.queue_reminders() == 1
    with shopcare.sessions() as session:
        reminded = session.exec(select(OutboxMessage.order_id).where(
            OutboxMessage.kind == REORDER)).all()  # fmt: skip
        assert reminded == [happy] and returned not in reminded


async def test_reminders_are_off_by_default_and_queue_nothing(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    order_with_beans(shopcare)
    await delivered(shopcare, clock)
    clock.advance(days=60)
    for _ in range(10):
        clock.advance(days=3)
        assert await shopcare.queue_reminders() == 0


async def test_results_count_the_sent_reminders_views_and_repeat_orders(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    turn_on_reorder(shopcare)
    first = order_with_beans(shopcare, "1001", "anna@example.com")
    order_with_beans(shopcare, "1002", "ben@example.com")
    await delivered(shopcare, clock)
    clock.advance(days=25)
    start = clock()
    assert await shopcare.queue_reminders() == 2
    await dispatch(shopcare, clock)
    clock.advance(days=2)
    with shopcare.sessions() as session:
        session.add(PageView(at=clock(), kind="tracking_view", order_id=first))
        session.commit()
    order_with_beans(shopcare, "1004", "anna@example.com")  # Anna orders beans again
    with shopcare.sessions() as session:
        figures = reminder_results(session, start, clock() + timedelta(days=1))
    assert (figures.reorder.sent, figures.reorder.viewed, figures.reorder.reordered) == (2, 1, 1)
    assert figures.review.sent == 0


async def test_an_order_reminded_the_old_way_at_delivery_is_not_reminded_again(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    """Before the job, a reminder was queued per parcel when it was delivered."""
    turn_on_reorder(shopcare)
    order_id = order_with_beans(shopcare)
    await delivered(shopcare, clock)
    with shopcare.sessions() as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.order_id == order_id)).first()
        assert row is not None and row.shipment_id is None
        parcel = session.exec(select(Shipment.id).where(Shipment.order_id == order_id)).one()
        old = OutboxMessage(**row.model_dump(exclude={"id"}))
        old.idempotency_key, old.kind = f"shipment:{parcel}:{REORDER}", REORDER
        session.add(old)
        session.commit()
    clock.advance(days=25)
    assert await shopcare.queue_reminders() == 0


async def test_a_shopper_who_unsubscribed_gets_no_reminder(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    turn_on_reorder(shopcare)
    order_with_beans(shopcare)
    await delivered(shopcare, clock)
    with shopcare.sessions() as session:
        shopper = session.exec(select(Customer)).one()
        shopper.unsubscribed_at = clock()
        session.add(shopper)
        session.commit()
    clock.advance(days=25)
    assert await shopcare.queue_reminders() == 1  # the outbox decides, as for every message
    assert (await dispatch(shopcare, clock)).sent == []
    with shopcare.sessions() as session:
        status = session.exec(select(OutboxMessage.status).where(
            OutboxMessage.kind == REORDER)).one()  # fmt: skip
    assert status == "skipped"
