"""Orders through the API: create (and again, idempotently), change, cancel, add parcels;
what a script sees in the answers and what lands in the store."""

from __future__ import annotations

import asyncio
import json

import httpx
import sqlalchemy as sa

from shopcare.app import ShopCare
from tests.api.conftest import order_body
from tests.conftest import FakeClock


def count(shopcare: ShopCare, sql: str) -> int:
    with shopcare.engine.connect() as db:
        return int(db.execute(sa.text(sql)).scalar_one())


async def test_a_new_order_is_created_in_minor_units_with_times_in_utc(
    api: httpx.AsyncClient,
) -> None:
    response = await api.post("/orders", json=order_body())
    assert response.status_code == 201
    answer = response.json()
    assert answer["outcome"] == "created"
    order = answer["order"]
    assert order["source"] == "api"
    assert order["total_minor"] == 3980 and order["currency"] == "EUR"
    assert order["placed_at"] == "2026-11-02T07:30:00Z"
    assert order["shipping_address"]["city"] == "Berlin"
    assert order["status"] == "unfulfilled"
    assert [li["title"] for li in order["lines"]] == ["Linen shirt"]


async def test_sending_the_same_order_again_changes_nothing(
    api: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    await api.post("/orders", json=order_body())
    again = await api.post("/orders", json=order_body())
    assert again.status_code == 200
    assert again.json()["outcome"] == "unchanged"
    assert count(shopcare, "SELECT count(*) FROM shop_order") == 1
    assert count(shopcare, "SELECT count(*) FROM order_line") == 1


async def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(
    api: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    headers = {"Idempotency-Key": "order-1001-attempt"}
    first = await api.post("/orders", json=order_body(), headers=headers)
    retry = await api.post("/orders", json=order_body(), headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert count(shopcare, "SELECT count(*) FROM shop_order") == 1


async def test_an_idempotency_answer_is_forgotten_after_a_day(
    api: httpx.AsyncClient, shopcare: ShopCare, clock: FakeClock
) -> None:
    from shopcare.services.accounts.api_keys import forget_old_answers

    headers = {"Idempotency-Key": "old"}
    await api.post("/orders", json=order_body("1001"), headers=headers)
    clock.advance(hours=23)
    assert forget_old_answers(shopcare.sessions, now=clock()) == 0
    clock.advance(hours=2)
    assert forget_old_answers(shopcare.sessions, now=clock()) == 1
    reused = await api.post("/orders", json=order_body("1002"), headers=headers)
    assert reused.status_code == 201  # the key is free again: a new order
    assert count(shopcare, "SELECT count(*) FROM shop_order") == 2


async def test_an_idempotency_key_reused_with_another_body_is_refused(
    api: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    headers = {"Idempotency-Key": "k1"}
    await api.post("/orders", json=order_body("1001"), headers=headers)
    response = await api.post("/orders", json=order_body("1002"), headers=headers)
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["header", "Idempotency-Key"]
    assert "another request body" in problem["msg"]
    assert count(shopcare, "SELECT count(*) FROM shop_order") == 1


async def test_validation_errors_name_the_field(api: httpx.AsyncClient) -> None:
    body = order_body(placed_at="2026-11-02T08:30:00", currency="euro", total_minor=False)
    body["lines"][0]["quantity"] = 0
    body["lines"][0]["unit_price_minor"] = 19.9
    response = await api.post("/orders", json=body)
    assert response.status_code == 422
    places = {tuple(p["loc"]) for p in response.json()["detail"]}
    assert places == {
        ("body", "placed_at"),
        ("body", "currency"),
        ("body", "total_minor"),
        ("body", "lines", 0, "quantity"),
        ("body", "lines", 0, "unit_price_minor"),
    }


async def test_an_order_without_a_usable_email_is_kept_with_a_warning(
    api: httpx.AsyncClient,
) -> None:
    response = await api.post("/orders", json=order_body(email="not-an-address"))
    assert response.status_code == 201
    answer = response.json()
    assert answer["warnings"] and "no message can reach this shopper" in answer["warnings"][0]
    assert answer["order"]["email"] == ""
    assert answer["order"]["email_problem"]


async def test_an_order_number_of_another_platform_order_is_a_conflict(
    api: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    await api.post("/orders", json=order_body(external_id="A-1"))
    response = await api.post("/orders", json=order_body(external_id="B-2"))
    assert response.status_code == 409
    assert "belongs to another order" in response.json()["detail"]
    assert count(shopcare, "SELECT count(*) FROM shop_order") == 1


async def test_a_body_over_one_megabyte_is_refused_unread(api: httpx.AsyncClient) -> None:
    big = json.dumps(order_body(customer_name="x" * 1_100_000)).encode()
    declared = await api.post("/orders", content=big, headers={"Content-Type": "application/json"})
    assert declared.status_code == 413

    async def chunks():  # no Content-Length: counted as it streams
        for i in range(0, len(big), 65536):
            yield big[i : i + 65536]

    streamed = await api.post(
        "/orders", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413


async def test_a_change_keeps_what_it_does_not_name(api: httpx.AsyncClient) -> None:
    await api.post("/orders", json=order_body())
    response = await api.patch(
        "/orders/1001",
        json={"email": "ada@newmail.example", "shipping_address": {"city": "Hamburg"}},
    )
    assert response.status_code == 200
    order = response.json()["order"]
    assert order["email"] == "ada@newmail.example"
    assert order["shipping_address"]["city"] == "Hamburg"
    assert order["shipping_address"]["address1"] == "Hauptstraße 1"
    assert len(order["lines"]) == 1


async def test_a_change_to_an_address_no_message_can_reach_is_refused(
    api: httpx.AsyncClient,
) -> None:
    await api.post("/orders", json=order_body())
    response = await api.patch("/orders/ 1001 ", json={"email": "ada at example"})
    assert response.status_code == 422
    assert "is not an email address" in response.json()["detail"][0]["msg"]
    assert (await api.get("/orders/1001")).json()["email"] == "ada@example.com"


async def test_changing_or_cancelling_an_unknown_order_is_404(api: httpx.AsyncClient) -> None:
    assert (await api.patch("/orders/nope", json={"email": "a@b.example"})).status_code == 404
    assert (await api.post("/orders/nope/cancel")).status_code == 404
    assert (await api.get("/orders/nope")).status_code == 404
    shipment = {"tracking_number": "1Z999AA10123456784"}
    assert (await api.post("/orders/nope/shipments", json=shipment)).status_code == 404


async def test_a_cancelled_order_stops_being_followed(
    api: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    body = order_body(shipments=[{"tracking_number": "SIM123456789", "carrier": "simulated"}])
    await api.post("/orders", json=body)
    assert count(shopcare, "SELECT count(*) FROM shipment WHERE next_poll_at IS NOT NULL") == 1
    first = await api.post("/orders/1001/cancel")
    again = await api.post("/orders/1001/cancel")
    assert first.status_code == again.status_code == 200
    assert again.json()["status"] == "cancelled"
    assert again.json()["cancelled_at"] == first.json()["cancelled_at"]
    assert count(shopcare, "SELECT count(*) FROM shipment WHERE next_poll_at IS NOT NULL") == 0


async def test_a_parcel_is_added_once_and_found_by_the_order_id_too(
    api: httpx.AsyncClient,
) -> None:
    created = await api.post("/orders", json=order_body())
    order_id = created.json()["order"]["id"]
    parcel = {"tracking_number": "0034 0434 1610 9404 2557", "carrier_code": "DHL"}
    first = await api.post(f"/orders/{order_id}/shipments", json=parcel)
    again = await api.post("/orders/1001/shipments", json=parcel)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["tracking_number"] == "00340434161094042557"
    assert first.json()["carrier_code"] == "dhl"
    listed = await api.get("/orders/1001/shipments")
    assert [s["id"] for s in listed.json()] == [first.json()["id"]]
    order = (await api.get("/orders/1001")).json()
    assert order["status"] == "in_progress"


async def test_a_recent_order_is_confirmed_once_even_when_the_create_is_retried(
    api: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    body = order_body(placed_at="2026-11-02T09:45:00+01:00")  # 15 minutes ago
    headers = {"Idempotency-Key": "confirm-once"}
    for _ in range(2):
        assert (await api.post("/orders", json=body, headers=headers)).status_code == 201
    assert (await api.post("/orders", json=body)).status_code == 200
    with shopcare.engine.connect() as db:
        queued = db.execute(sa.text("SELECT kind, recipient FROM outbox_message")).all()
    assert [tuple(row) for row in queued] == [("order_confirmed", "ada@example.com")]


async def test_simultaneous_retries_with_one_key_make_one_order_and_one_answer(
    api: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    headers = {"Idempotency-Key": "burst"}
    answers = await asyncio.gather(
        *(api.post("/orders", json=order_body(), headers=headers) for _ in range(6))
    )
    assert {a.status_code for a in answers} == {201}
    assert len({a.text for a in answers}) == 1
    assert count(shopcare, "SELECT count(*) FROM shop_order") == 1


async def test_simultaneous_creates_of_one_order_make_it_once(
    api: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    answers = await asyncio.gather(*(api.post("/orders", json=order_body()) for _ in range(6)))
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 200, 200, 201]
    assert count(shopcare, "SELECT count(*) FROM shop_order") == 1


async def test_simultaneous_adds_of_one_parcel_add_it_once(
    api: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    await api.post("/orders", json=order_body())
    parcel = {"tracking_number": "SIM000000042", "carrier": "simulated"}
    answers = await asyncio.gather(
        *(api.post("/orders/1001/shipments", json=parcel) for _ in range(6))
    )
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 200, 200, 201]
    assert count(shopcare, "SELECT count(*) FROM shipment") == 1


async def test_lines_sent_in_a_change_are_merged_and_a_cancelled_order_stays_cancelled(
    api: httpx.AsyncClient,
) -> None:
    await api.post("/orders", json=order_body())
    await api.post("/orders/1001/cancel")
    lines = [
        {"title": "Linen shirt", "sku": "SHIRT-M", "quantity": 3, "unit_price_minor": 1990},
        {"title": "Belt", "sku": "BELT", "quantity": 1, "unit_price_minor": 1500},
    ]
    changed = (await api.patch("/orders/1001", json={"lines": lines})).json()
    assert changed["outcome"] == "updated"
    got = [(li["sku"], li["quantity"]) for li in changed["order"]["lines"]]
    assert got == [("SHIRT-M", 3), ("BELT", 1)]
    assert changed["order"]["status"] == "cancelled"


async def test_an_older_copy_of_an_order_changes_nothing(api: httpx.AsyncClient) -> None:
    newer = order_body(updated_at="2026-11-02T08:00:00Z")
    older = order_body(updated_at="2026-11-02T07:00:00Z", email="old@example.com")
    await api.post("/orders", json=newer)
    answer = (await api.post("/orders", json=older)).json()
    assert answer["outcome"] == "stale"
    assert answer["order"]["email"] == "ada@example.com"


async def test_a_whatsapp_opt_in_sent_with_the_order_is_recorded(
    api: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    await api.post("/orders", json=order_body("1001", phone="+4915112345678"))
    sql = "SELECT count(*) FROM customer WHERE whatsapp_consent_at IS NOT NULL"
    assert count(shopcare, sql) == 0
    body = order_body("1002", phone="+4915112345678", whatsapp_consent=True)
    assert (await api.post("/orders", json=body)).status_code == 201
    assert count(shopcare, sql) == 1
    refused = order_body("1003", whatsapp_consent="yes")
    assert (await api.post("/orders", json=refused)).status_code == 422
