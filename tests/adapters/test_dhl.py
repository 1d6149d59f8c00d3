import json
from datetime import UTC, datetime

import httpx
import pytest

from shopcare.carriers.base import Carrier, CarrierError, ErrorKind, TrackingQuery, TrackingResult
from shopcare.carriers.dhl import CHECK_NUMBER, SPEC
from shopcare.domain.status import ShipmentStatus as S
from tests.adapters.carrier_server import CarrierServer, Reply, fixture
from tests.conftest import FakeClock

NUMBER = "00340434161094042557"
EXPRESS = "3318810025"
PATH = "/track/shipments"
CREDENTIALS = {"api_key": "shop-dhl-key"}


def dhl(
    server: CarrierServer,
    client: httpx.AsyncClient,
    clock: FakeClock,
    credentials: dict[str, str] = CREDENTIALS,
) -> Carrier:
    return SPEC.create(credentials, client=client, clock=clock, base_url=server.url)


def query(number: str = NUMBER, **extra: str) -> TrackingQuery:
    shipped = datetime(2026, 10, 29, tzinfo=UTC)
    return TrackingQuery(tracking_number=number, shipped_at=shipped, **extra)


async def track_one(carrier: Carrier, q: TrackingQuery | None = None) -> object:
    q = q or query()
    return (await carrier.track([q]))[q.tracking_number]


def one_event(status_code: str, status: str, description: str) -> str:
    event = {
        "timestamp": "2026-11-02T10:00:00+01:00",
        "statusCode": status_code,
        "status": status,
        "description": description,
    }
    return json.dumps({"shipments": [{"id": NUMBER, "events": [event]}]})


async def test_it_maps_a_parcel_journey_with_an_attempt_and_a_locker_in_utc(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("GET", PATH, Reply(200, fixture("dhl", "journey.json")))

    result = await track_one(dhl(carrier_server, http_client, clock))

    assert isinstance(result, TrackingResult)
    assert [e.status for e in result.events] == [
        S.INFO_RECEIVED,
        S.IN_TRANSIT,
        S.IN_TRANSIT,
        S.IN_TRANSIT,
        S.OUT_FOR_DELIVERY,
        S.FAILED_ATTEMPT,
        S.AVAILABLE_FOR_PICKUP,
        S.DELIVERED,
    ]
    assert result.events[0].raw_code == "pre-transit"
    assert result.events[0].occurred_at == datetime(2026, 10, 29, 8, 2, tzinfo=UTC)
    assert result.events[-1].occurred_at == datetime(2026, 11, 2, 16, 21, tzinfo=UTC)
    assert result.events[-1].description == "The shipment has been picked up from the PACKSTATION."
    assert result.events[-1].location == "Leipzig, DE"
    assert result.events[0].location == ""
    assert result.estimated_delivery == datetime(2026, 10, 31, 17, 0, tzinfo=UTC)


async def test_it_sends_the_key_the_service_and_the_postcode(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("GET", PATH, Reply(200, fixture("dhl", "journey.json")))
    carrier = dhl(carrier_server, http_client, clock)

    await track_one(carrier, query(carrier_code="parcel-de", postal_code="04109"))
    await track_one(carrier, query(carrier_code="ups"))

    narrowed, plain = carrier_server.requests
    assert narrowed.headers["dhl-api-key"] == "shop-dhl-key"
    assert narrowed.query == {
        "trackingNumber": [NUMBER],
        "service": ["parcel-de"],
        "recipientPostalCode": ["04109"],
    }
    assert plain.query == {"trackingNumber": [NUMBER]}


@pytest.mark.parametrize(
    ("status_code", "status", "description", "expected"),
    [
        ("transit", "Out for delivery", "With delivery courier", S.OUT_FOR_DELIVERY),
        ("transit", "Arrived", "Arrived at DHL Sort Facility", S.IN_TRANSIT),
        ("transit", "Pickup", "Ready for collection at DHL ServicePoint", S.AVAILABLE_FOR_PICKUP),
        (
            "failure",
            "Returned",
            "The shipment is being returned to the sender.",
            S.RETURNED_TO_SENDER,
        ),
        ("failure", "Attempt", "Delivery attempt unsuccessful", S.FAILED_ATTEMPT),
        ("failure", "Damaged", "The shipment was damaged", S.EXCEPTION),
        (
            "delivered",
            "Delivered",
            "Delivered to the sender (returned to shipper)",
            S.RETURNED_TO_SENDER,
        ),
        ("delivered", "Delivered", "Delivered - Signed for by: MUELLER", S.DELIVERED),
        ("unknown", "", "", S.PENDING),
        ("brand-new-code", "", "", S.PENDING),
    ],
)
async def test_the_text_splits_what_the_coarse_code_cannot(
    carrier_server: CarrierServer,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    status_code: str,
    status: str,
    description: str,
    expected: S,
) -> None:
    carrier_server.route("GET", PATH, Reply(200, one_event(status_code, status, description)))

    result = await track_one(dhl(carrier_server, http_client, clock))

    assert isinstance(result, TrackingResult)
    assert [e.status for e in result.events] == [expected]


async def test_an_unknown_number_is_not_found_for_that_number(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("GET", PATH, Reply(404, fixture("dhl", "not_found_404.json")))

    result = await track_one(dhl(carrier_server, http_client, clock))

    assert isinstance(result, CarrierError)
    assert result.kind is ErrorKind.NOT_FOUND and not result.permanent
    assert "No shipment with given tracking number found" in str(result)


async def test_a_refused_key_stops_the_poll_after_one_call(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("GET", PATH, Reply(401, fixture("dhl", "unauthorized_401.json")))

    with pytest.raises(CarrierError):
        await dhl(carrier_server, http_client, clock).track([query(), query(EXPRESS)])

    assert len(carrier_server.requests) == 1


async def test_missing_optional_fields_and_local_express_times_do_not_fail(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("GET", PATH, Reply(200, fixture("dhl", "express_minimal.json")))

    result = await track_one(dhl(carrier_server, http_client, clock), query(EXPRESS))

    assert isinstance(result, TrackingResult)
    registered, arrived = result.events
    assert (registered.status, registered.description, registered.raw_code) == (
        S.PENDING,
        "",
        "unknown",
    )
    assert arrived.status is S.IN_TRANSIT
    assert arrived.occurred_at == datetime(2026, 10, 30, 22, 10, tzinfo=UTC)  # no offset: UTC
    assert arrived.description == "Arrived at DHL Sort Facility LEIPZIG - GERMANY"
    assert arrived.location == "LEIPZIG - GERMANY"
    assert result.estimated_delivery == datetime(2026, 11, 3, 17, 0, tzinfo=UTC)


async def test_a_shipment_without_events_reports_its_status(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    body = json.loads(fixture("dhl", "journey.json"))
    del body["shipments"][0]["events"]
    carrier_server.route("GET", PATH, Reply(200, json.dumps(body)))

    result = await track_one(dhl(carrier_server, http_client, clock))

    assert isinstance(result, TrackingResult)
    assert [e.status for e in result.events] == [S.DELIVERED]


async def test_check_reads_a_404_for_a_dummy_number_as_a_working_key(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("GET", PATH, Reply(404, fixture("dhl", "not_found_404.json")))

    assert (await dhl(carrier_server, http_client, clock).check()).startswith("ok: ")
    assert carrier_server.requests[0].query == {"trackingNumber": [CHECK_NUMBER]}


async def test_check_says_the_key_was_refused(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    carrier_server.route("GET", PATH, Reply(401, fixture("dhl", "unauthorized_401.json")))

    with pytest.raises(CarrierError) as caught:
        await dhl(carrier_server, http_client, clock).check()

    assert caught.value.kind is ErrorKind.AUTH and caught.value.permanent
    assert "refused (401)" in str(caught.value)


@pytest.mark.parametrize(
    "description",
    [
        "Der Empfänger wurde nicht angetroffen. Die Sendung wird in eine Filiale gebracht.",
        "Recipient not available; we will deliver on the next working day",
        "Adresat nieobecny, pozostawiono awizo",
        "Destinatario assente: la spedizione è in giacenza",
        "Destinataire absent, avis de passage déposé",
        "Niet thuis, pakket gaat naar een servicepunt",
    ],
)
async def test_a_missed_delivery_told_in_the_answers_language_is_a_failed_attempt(
    carrier_server: CarrierServer,
    http_client: httpx.AsyncClient,
    clock: FakeClock,
    description: str,
) -> None:
    """DHL answers in the language asked for; its ``failure`` code does not tell an attempt
    from a lost parcel, the words do."""
    carrier_server.route("GET", PATH, Reply(200, one_event("failure", "", description)))

    result = await track_one(dhl(carrier_server, http_client, clock))

    assert isinstance(result, TrackingResult)
    assert [e.status for e in result.events] == [S.FAILED_ATTEMPT]


async def test_several_shipments_under_the_number_follow_the_one_of_this_parcel(
    carrier_server: CarrierServer, http_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """DHL lists an older shipment under the same number first; ours went to Leipzig."""
    carrier_server.route("GET", PATH, Reply(200, fixture("dhl", "reused_number.json")))

    result = await track_one(dhl(carrier_server, http_client, clock), query(postal_code="04109"))

    assert isinstance(result, TrackingResult)
    assert result.events[-1].status is S.DELIVERED
    assert result.note.startswith("DHL has 2 parcels under 00340434161094042557")
    assert "following the one shipped 2026-10-29, to 04109" in result.note
