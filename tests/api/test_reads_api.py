"""What a syncing script reads: pages that never skip or repeat, filters, an order with its
parcels and events, returns and feedback."""

from __future__ import annotations

import httpx

from shopcare.app import ShopCare
from tests.api.conftest import order_body, seed_history
from tests.conftest import FakeClock


async def all_pages(api: httpx.AsyncClient, path: str, **params: str) -> list[dict]:
    items, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = (await api.get(path, params=query)).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def test_paging_returns_every_order_once_and_later_changes_after_the_cursor(
    api: httpx.AsyncClient, clock: FakeClock
) -> None:
    for n in range(5):
        clock.advance(minutes=1)
        await api.post("/orders", json=order_body(f"10{n}"))
    first = await all_pages(api, "/orders", limit="2")
    assert [o["order_number"] for o in first] == ["100", "101", "102", "103", "104"]

    page = (await api.get("/orders", params={"limit": "5"})).json()
    last_cursor = page["next_cursor"]
    assert last_cursor is None  # exactly one full page: nothing after it
    clock.advance(minutes=1)
    await api.patch("/orders/101", json={"email": "new@example.com"})
    since = (await api.get("/orders", params={"updated_since": clock().isoformat()})).json()
    assert [o["order_number"] for o in since["items"]] == ["101"]
    again = await all_pages(api, "/orders", limit="2")
    assert [o["order_number"] for o in again] == ["100", "102", "103", "104", "101"]


async def test_a_cursor_this_api_did_not_give_is_422(api: httpx.AsyncClient) -> None:
    for cursor in ("garbage", "WzEsMl0", "WyIwMDAxLTAxLTAxVDAwOjAwOjAwKzA1OjAwIiwxXQ"):
        response = await api.get("/orders", params={"cursor": cursor})
        assert response.status_code == 422, cursor
        assert response.json()["detail"][0]["loc"] == ["query", "cursor"]


async def test_an_empty_cursor_is_a_client_mistake_on_every_list(api: httpx.AsyncClient) -> None:
    for path in ("/orders", "/shipments", "/returns", "/feedback"):
        response = await api.get(path, params={"cursor": "", "limit": "1"})
        assert response.status_code == 422, path
        assert response.json()["detail"][0]["loc"] == ["query", "cursor"], path


async def test_orders_filter_by_status_email_and_number(api: httpx.AsyncClient) -> None:
    await api.post("/orders", json=order_body("A", email="Ada@Example.com"))
    parcel = [{"tracking_number": "SIM000000001", "carrier": "simulated"}]
    await api.post("/orders", json=order_body("B", email="bob@example.com", shipments=parcel))
    await api.post("/orders", json=order_body("C", email="cy@example.com"))
    await api.post("/orders/C/cancel")

    async def numbers(**params: str) -> list[str]:
        found = (await api.get("/orders", params=params)).json()["items"]
        return [o["order_number"] for o in found]

    assert await numbers(status="unfulfilled") == ["A"]
    assert await numbers(status="in_progress") == ["B"]
    assert await numbers(status="cancelled") == ["C"]
    assert await numbers(status="delivered") == []
    assert await numbers(email="ADA@example.com") == ["A"]
    assert await numbers(order_number="B") == ["B"]
    assert (await api.get("/orders", params={"status": "lost"})).status_code == 422


async def test_an_order_shows_its_parcels_with_events_newest_first(
    api: httpx.AsyncClient, shopcare: ShopCare
) -> None:
    ids = seed_history(shopcare)
    order = (await api.get("/orders/H-1")).json()
    assert order["status"] == "delivered"
    (parcel,) = order["shipments"]
    assert parcel["status"] == "delivered"
    assert [e["description"] for e in parcel["events"]] == ["Delivered to the front door"]
    assert parcel["events"][0]["at"] == "2026-11-01T09:00:00Z"
    shipment = (await api.get(f"/shipments/{ids['shipment']}")).json()
    assert shipment["order_number"] == "H-1" and shipment["events"] == parcel["events"]
    listed = (await api.get("/shipments", params={"status": "delivered"})).json()
    assert [s["id"] for s in listed["items"]] == [ids["shipment"]]
    assert (await api.get("/shipments/999999")).status_code == 404


async def test_returns_and_feedback_can_be_read(api: httpx.AsyncClient, shopcare: ShopCare) -> None:
    ids = seed_history(shopcare)
    (ret,) = (await api.get("/returns")).json()["items"]
    assert ret["rma"] == "RMA-1" and ret["order_number"] == "H-1" and ret["currency"] == "EUR"
    assert ret["lines"] == [
        {
            "order_line_id": ret["lines"][0]["order_line_id"],
            "title": "Wool scarf",
            "quantity": 1,
            "reason": "",
            "received_quantity": None,
            "condition": "",
        }
    ]
    assert (await api.get(f"/returns/{ids['return']}")).json() == ret
    assert (await api.get("/returns", params={"status": "approved"})).json()["items"] == []
    (feedback,) = (await api.get("/feedback", params={"answered": "true"})).json()["items"]
    assert feedback["score"] == 9 and feedback["comment"] == "Quick!"
    assert (await api.get("/feedback", params={"answered": "false"})).json()["items"] == []


async def test_an_unknown_query_parameter_is_422_not_ignored(api: httpx.AsyncClient) -> None:
    response = await api.get("/orders", params={"updated_after": "2026-11-01T00:00:00Z"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "updated_after"]
