from datetime import UTC, datetime, timedelta

from shopcare.domain.messages import (
    MessageKind,
    ShippedOn,
    idempotency_key,
    messages_for_change,
)
from shopcare.domain.polling import error_backoff, poll_interval
from shopcare.domain.progress import Step, StepState, progress
from shopcare.domain.status import CarrierEvent, ShipmentStatus, derive_status

S = ShipmentStatus
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def event(hours: float, status: ShipmentStatus, text: str = "scan") -> CarrierEvent:
    return CarrierEvent(occurred_at=T0 + timedelta(hours=hours), status=status, description=text)


def test_a_shipment_without_events_is_pending() -> None:
    assert derive_status([], now=T0 + timedelta(days=1), since=T0) is S.PENDING


def test_the_latest_event_decides_whatever_order_they_arrive_in() -> None:
    events = [event(30, S.OUT_FOR_DELIVERY), event(0, S.INFO_RECEIVED), event(8, S.IN_TRANSIT)]
    assert derive_status(events, now=T0 + timedelta(hours=31), since=T0) is S.OUT_FOR_DELIVERY


def test_a_parcel_moving_again_after_an_exception_is_in_transit() -> None:
    events = [event(0, S.INFO_RECEIVED), event(5, S.EXCEPTION), event(9, S.IN_TRANSIT)]
    assert derive_status(events, now=T0 + timedelta(hours=10), since=T0) is S.IN_TRANSIT


def test_same_timestamp_ties_go_to_the_later_stage() -> None:
    events = [event(5, S.DELIVERED), event(5, S.OUT_FOR_DELIVERY)]
    assert derive_status(events, now=T0 + timedelta(hours=6), since=T0) is S.DELIVERED


def test_no_news_for_thirty_days_expires_the_shipment() -> None:
    events = [event(0, S.INFO_RECEIVED)]
    assert derive_status(events, now=T0 + timedelta(days=29), since=T0) is S.INFO_RECEIVED
    assert derive_status(events, now=T0 + timedelta(days=31), since=T0) is S.EXPIRED
    assert derive_status([], now=T0 + timedelta(days=31), since=T0) is S.EXPIRED


def test_a_delivered_parcel_never_expires() -> None:
    events = [event(0, S.INFO_RECEIVED), event(40, S.DELIVERED)]
    assert derive_status(events, now=T0 + timedelta(days=400), since=T0) is S.DELIVERED


def test_the_same_scan_has_the_same_key_and_different_scans_do_not() -> None:
    assert event(1, S.IN_TRANSIT).key == event(1, S.IN_TRANSIT).key
    assert event(1, S.IN_TRANSIT).key != event(2, S.IN_TRANSIT).key
    assert event(1, S.IN_TRANSIT, "a").key != event(1, S.IN_TRANSIT, "b").key


def test_milestones_send_the_messages_for_the_status_reached() -> None:
    shipped, transit = MessageKind.SHIPPED, MessageKind.IN_TRANSIT
    assert messages_for_change(S.PENDING, S.INFO_RECEIVED) == [shipped]
    assert messages_for_change(S.INFO_RECEIVED, S.IN_TRANSIT) == [shipped, transit]
    assert messages_for_change(S.IN_TRANSIT, S.OUT_FOR_DELIVERY) == [MessageKind.OUT_FOR_DELIVERY]
    assert messages_for_change(S.OUT_FOR_DELIVERY, S.FAILED_ATTEMPT) == [MessageKind.FAILED_ATTEMPT]
    assert messages_for_change(S.IN_TRANSIT, S.EXCEPTION) == [MessageKind.EXCEPTION]
    assert messages_for_change(S.IN_TRANSIT, S.IN_TRANSIT) == []
    delivered = messages_for_change(S.OUT_FOR_DELIVERY, S.DELIVERED)
    assert delivered[0] is MessageKind.DELIVERED
    assert MessageKind.FEEDBACK_REQUEST in delivered
    # a parcel that skipped stages between two polls only gets the news still true
    assert messages_for_change(S.PENDING, S.DELIVERED)[0] is MessageKind.DELIVERED
    assert MessageKind.OUT_FOR_DELIVERY not in messages_for_change(S.PENDING, S.DELIVERED)


def test_shipped_can_wait_for_the_carriers_first_scan() -> None:
    late = ShippedOn.FIRST_SCAN
    assert messages_for_change(S.PENDING, S.INFO_RECEIVED, shipped_on=late) == []
    assert MessageKind.SHIPPED in messages_for_change(
        S.INFO_RECEIVED, S.IN_TRANSIT, shipped_on=late
    )


def test_answers_to_the_shoppers_own_actions_are_not_optional() -> None:
    assert not MessageKind.ORDER_CONFIRMED.optional
    assert not MessageKind.RETURN_APPROVED.optional
    assert MessageKind.SHIPPED.optional and MessageKind.FEEDBACK_REQUEST.optional


def test_idempotency_keys_are_per_shipment_and_milestone() -> None:
    a = idempotency_key(MessageKind.SHIPPED, order_id=1, shipment_id=7)
    assert a == idempotency_key(MessageKind.SHIPPED, order_id=1, shipment_id=7)
    assert a != idempotency_key(MessageKind.SHIPPED, order_id=1, shipment_id=8)
    assert a != idempotency_key(MessageKind.DELIVERED, order_id=1, shipment_id=7)
    assert idempotency_key(MessageKind.ORDER_CONFIRMED, order_id=1) == "order:1:order_confirmed"


def test_polling_stops_at_final_statuses_and_runs_faster_with_a_fast_clock() -> None:
    assert poll_interval(S.DELIVERED) is None
    assert poll_interval(S.RETURNED_TO_SENDER) is None
    assert poll_interval(S.OUT_FOR_DELIVERY) < poll_interval(S.IN_TRANSIT)  # type: ignore[operator]
    assert poll_interval(S.IN_TRANSIT, clock_speed=1440) == timedelta(seconds=10)
    assert poll_interval(S.OUT_FOR_DELIVERY, clock_speed=1e9) == timedelta(seconds=5)


def test_error_backoff_doubles_and_is_capped() -> None:
    delays = [error_backoff(n) for n in range(1, 12)]
    assert delays[0] == timedelta(minutes=5)
    assert delays[1] == timedelta(minutes=10)
    assert delays == sorted(delays)
    assert delays[-1] == timedelta(hours=24)


def test_progress_marks_steps_done_current_or_problem() -> None:
    states = {p.step: p.state for p in progress(S.IN_TRANSIT)}
    assert states[Step.ORDERED] is StepState.DONE
    assert states[Step.SHIPPED] is StepState.DONE
    assert states[Step.IN_TRANSIT] is StepState.CURRENT
    assert states[Step.DELIVERED] is StepState.TODO
    assert {p.state for p in progress(S.DELIVERED)} == {StepState.DONE}
    failed = {p.step: p.state for p in progress(S.FAILED_ATTEMPT)}
    assert failed[Step.OUT_FOR_DELIVERY] is StepState.PROBLEM


def test_a_scan_after_delivery_does_not_undeliver_but_a_return_does() -> None:
    delivered = [event(0, S.IN_TRANSIT), event(5, S.DELIVERED)]
    echo = [*delivered, event(6, S.IN_TRANSIT)]
    assert derive_status(echo, now=T0 + timedelta(hours=7), since=T0) is S.DELIVERED
    back = [*delivered, event(9, S.RETURNED_TO_SENDER)]
    assert derive_status(back, now=T0 + timedelta(hours=10), since=T0) is S.RETURNED_TO_SENDER


def test_each_stall_is_its_own_delay_message() -> None:
    first = idempotency_key(MessageKind.DELAYED, order_id=1, shipment_id=7, occurrence="a")
    second = idempotency_key(MessageKind.DELAYED, order_id=1, shipment_id=7, occurrence="b")
    assert first != second
