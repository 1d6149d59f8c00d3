from datetime import UTC, datetime, timedelta

from shopcare.carriers.base import TrackingQuery
from shopcare.carriers.simulated import Scenario, SimulatedCarrier, journey, scenario_for
from shopcare.domain.status import ShipmentStatus, derive_status

S = ShipmentStatus
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def statuses(number: str, *, hours: float) -> list[ShipmentStatus]:
    result = journey(number, shipped_at=T0, now=T0 + timedelta(hours=hours))
    return [e.status for e in result.events]


def test_the_scenario_comes_from_the_tracking_number() -> None:
    assert scenario_for("SIMOK1") is Scenario.ON_TIME
    assert scenario_for("simlate1") is Scenario.DELAYED
    assert scenario_for("SIMFAIL1") is Scenario.FAILED_ATTEMPT
    assert scenario_for("SIMEXC1") is Scenario.EXCEPTION
    assert scenario_for("SIMRTS1") is Scenario.RETURNED
    assert scenario_for("ANYTHING123") is scenario_for("ANYTHING123")


def test_an_on_time_parcel_goes_through_every_stage() -> None:
    final = statuses("SIMOK1", hours=100)
    assert final[0] is S.INFO_RECEIVED
    assert final[-2:] == [S.OUT_FOR_DELIVERY, S.DELIVERED]
    assert statuses("SIMOK1", hours=0) == [S.INFO_RECEIVED]
    assert S.DELIVERED not in statuses("SIMOK1", hours=45)


def test_each_scenario_ends_where_its_name_says() -> None:
    def end(number: str) -> ShipmentStatus:
        events = journey(number, shipped_at=T0, now=T0 + timedelta(days=20)).events
        return derive_status(events, now=T0 + timedelta(days=20), since=T0)

    assert end("SIMOK1") is S.DELIVERED
    assert end("SIMLATE1") is S.DELIVERED
    assert end("SIMFAIL1") is S.DELIVERED
    assert S.FAILED_ATTEMPT in statuses("SIMFAIL1", hours=100)
    assert end("SIMEXC1") is S.EXCEPTION
    assert end("SIMRTS1") is S.RETURNED_TO_SENDER


def test_a_delayed_parcel_misses_its_promised_date() -> None:
    result = journey("SIMLATE1", shipped_at=T0, now=T0 + timedelta(days=10))
    delivered = next(e for e in result.events if e.status is S.DELIVERED)
    assert result.estimated_delivery is not None
    assert delivered.occurred_at > result.estimated_delivery


def test_speed_compresses_the_journey_into_minutes() -> None:
    fast = journey("SIMOK1", shipped_at=T0, now=T0 + timedelta(minutes=2), speed=1440)
    assert [e.status for e in fast.events][-1] is S.DELIVERED


async def test_the_carrier_answers_a_batch_with_the_same_journeys() -> None:
    carrier = SimulatedCarrier(clock=lambda: T0 + timedelta(hours=41))
    answer = await carrier.track(
        [TrackingQuery("SIMOK1", shipped_at=T0), TrackingQuery("SIMEXC2", shipped_at=T0)]
    )
    ok = answer["SIMOK1"]
    exc = answer["SIMEXC2"]
    assert not isinstance(ok, Exception) and not isinstance(exc, Exception)
    assert ok.events[-1].status is S.OUT_FOR_DELIVERY
    assert exc.events[-1].status is S.EXCEPTION
    assert all(e.provider == "simulated" and e.raw_code for e in ok.events)
