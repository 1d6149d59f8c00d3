"""The owner works returns in the admin: from the order page, in the returns queue with its
filters, and on a return's own page from approval to refund, exchange or store credit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import col, select

from shopcare.app import ShopCare, build
from shopcare.config import load_settings
from shopcare.db.models import (
    OrderLine,
    OutboxMessage,
    ReturnEvent,
    ReturnLine,
    ReturnPhoto,
    ReturnRequest,
    ShopOrder,
)
from shopcare.domain.roles import Role
from shopcare.services.accounts.users import add_user
from shopcare.services.returns.photos import PHOTO_DIR
from tests.services.return_builders import add_variant, open_return_rows
from tests.ui.admin_support import only, sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")
MARCH = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
STAFF = "staff password 1234"


@contextmanager
def store() -> Iterator[ShopCare]:
    """The admin's store, opened beside the running app."""
    app = build(load_settings())
    try:
        yield app
    finally:
        app.engine.dispose()


def a_return(order: str = "1001", **kw: object) -> int:
    kw.setdefault("quantities", {"MUG-SAND": 1})
    with store() as app:
        return open_return_rows(app.sessions, order, now=kw.pop("now", MARCH), **kw)  # type: ignore[arg-type]


def order_id(number: str) -> int:
    with store() as app, app.sessions() as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.order_number == number)).one()
    return order.id or 0


def stored(return_id: int) -> tuple[ReturnRequest, list[str], list[str]]:
    """The return, its queued message kinds and its history actions."""
    with store() as app, app.sessions() as session:
        request = session.get(ReturnRequest, return_id)
        assert request is not None
        kinds = [
            m.kind
            for m in session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.return_id == return_id)
                .order_by(col(OutboxMessage.id))
            )
        ]
        actions = [
            e.action
            for e in session.exec(
                select(ReturnEvent)
                .where(ReturnEvent.return_id == return_id)
                .order_by(col(ReturnEvent.id))
            )
        ]
    return request, kinds, actions


async def test_a_kept_item_is_settled_from_the_order_page_without_a_parcel(user: User) -> None:
    return_id = a_return(resolution="keep")
    await sign_in(user)
    await user.open(f"/admin/orders/{order_id('1001')}")
    user.find(marker=f"return-{return_id}-approved").click()
    user.find(marker="return-confirm").click()
    await user.open(f"/admin/orders/{order_id('1001')}")
    await user.should_see(marker=f"return-{return_id}-refunded")
    await user.should_not_see(marker=f"return-{return_id}-received")  # nothing comes back


async def test_the_owner_approves_a_return_with_a_note_then_refunds_it(user: User) -> None:
    return_id = a_return()
    await sign_in(user)
    await user.open(f"/admin/orders/{order_id('1001')}")
    await user.should_see("Approve")
    assert only(user, ui.link, f"return-{return_id}-open").props["href"] == (
        f"/admin/returns/{return_id}"
    )
    user.find(marker=f"return-{return_id}-approved").click()
    user.find(marker="return-note").type("Please use any post office.")
    user.find(marker="return-confirm").click()
    request, kinds, _ = stored(return_id)
    assert (request.status, request.owner_note) == ("approved", "Please use any post office.")
    assert kinds == ["return_approved"]

    await user.open(f"/admin/orders/{order_id('1001')}")
    user.find(marker=f"return-{return_id}-received").click()
    user.find(marker="return-confirm").click()
    await user.open(f"/admin/orders/{order_id('1001')}")
    user.find(marker=f"return-{return_id}-refunded").click()
    user.find(marker="return-amount").type("18.5x")
    user.find(marker="return-confirm").click()
    assert user.notify.contains("not an amount")
    user.find(marker="return-amount").clear().type("18.50")
    user.find(marker="return-confirm").click()
    assert user.notify.contains("more than the shopper paid")
    user.find(marker="return-amount").clear().type("17.50")
    user.find(marker="return-confirm").click()
    request, kinds, _ = stored(return_id)
    assert (request.status, request.refund_minor) == ("refunded", 1750)
    assert kinds[-1] == "return_refunded"


def queue_rmas(user: User) -> list[str]:
    return [row["rma"] for row in only(user, ui.table, "returns-table").rows]


async def test_the_queue_narrows_by_status_resolution_reason_dates_and_text(user: User) -> None:
    early = a_return("1001", rma="R-AAAA-0001", now=datetime(2026, 3, 1, 12, tzinfo=UTC))
    a_return(
        "1002", rma="R-BBBB-0002", resolution="exchange", reason="too_large",
        quantities={"TOWEL-LIN": 1}, now=datetime(2026, 3, 10, 12, tzinfo=UTC),
    )  # fmt: skip
    a_return(
        "1003", rma="R-CCCC-0003", resolution="store_credit", reason="damaged",
        now=datetime(2026, 3, 20, 23, 30, tzinfo=UTC),  # 21 March, 00:30 in Berlin
    )  # fmt: skip
    with store() as app, app.sessions() as session:
        approved = session.get(ReturnRequest, early)
        assert approved is not None
        approved.status = "approved"
        session.add(approved)
        session.commit()
    await sign_in(user)
    await user.open("/admin/returns")
    assert queue_rmas(user) == ["R-CCCC-0003", "R-BBBB-0002", "R-AAAA-0001"]  # newest first
    assert only(user, ui.button, "count-requested").text == "Requested 2"
    assert only(user, ui.button, "count-approved").text == "Approved 1"

    only(user, ui.select, "returns-status").value = "approved"
    assert queue_rmas(user) == ["R-AAAA-0001"]
    only(user, ui.select, "returns-status").value = ""
    only(user, ui.select, "returns-wants").value = "exchange"
    assert queue_rmas(user) == ["R-BBBB-0002"]
    assert only(user, ui.button, "count-approved").text == "Approved 0"
    only(user, ui.select, "returns-wants").value = ""
    only(user, ui.select, "returns-reason").value = "damaged"
    assert queue_rmas(user) == ["R-CCCC-0003"]
    only(user, ui.select, "returns-reason").value = ""

    only(user, ui.input, "returns-since").value = "2026-03-05"
    only(user, ui.input, "returns-until").value = "2026-03-20"
    assert queue_rmas(user) == ["R-BBBB-0002"]  # the 21st (Berlin time) is after the range
    only(user, ui.input, "returns-until").value = "2026-03-2"  # still typing: ignored
    assert queue_rmas(user) == ["R-CCCC-0003", "R-BBBB-0002"]
    only(user, ui.input, "returns-since").value = ""
    only(user, ui.input, "returns-until").value = ""

    for text, expected in (
        ("bbbb", ["R-BBBB-0002"]),
        ("1003", ["R-CCCC-0003"]),
        ("ANNA@example", ["R-AAAA-0001"]),
        ("nobody", []),
    ):
        only(user, ui.input, "returns-search").value = text
        assert queue_rmas(user) == expected, text

    user.find(marker="count-approved").click()
    assert only(user, ui.select, "returns-status").value == "approved"


async def test_ticked_returns_print_as_one_batch_of_slips(user: User) -> None:
    first = a_return("1001", rma="R-AAAA-0001")
    second = a_return("1002", rma="R-BBBB-0002")
    await sign_in(user)
    await user.open("/admin/returns")
    table = only(user, ui.table, "returns-table")
    await user.should_not_see(marker="print-slips")
    rows = [r for r in table.rows if r["id"] in (first, second)]
    # Quasar's selection event, as the browser sends it when the owner ticks rows:
    user.find(marker="returns-table").trigger(
        "selection", {"added": True, "rows": rows, "keys": [r["id"] for r in rows]}
    )
    link = only(user, ui.link, "print-slips")
    assert link.props["href"] == f"/admin/returns/slips.pdf?ids={first},{second}"
    assert link.props["target"] == "_blank"
    user.find(marker="returns-table").trigger(
        "selection", {"added": False, "rows": rows[:1], "keys": [rows[0]["id"]]}
    )
    assert link.props["href"] == f"/admin/returns/slips.pdf?ids={rows[1]['id']}"


async def approve_and_receive(user: User, return_id: int, *, condition: str = "opened") -> None:
    await user.open(f"/admin/returns/{return_id}")
    await user.should_see("Approve")
    user.find(marker="step-approved").click()
    user.find(marker="step-note").type("Send it to our Berlin address.")
    user.find(marker="step-confirm").click()
    await user.should_see("the shopper will be told")
    await user.open(f"/admin/returns/{return_id}")
    user.find(marker="step-received").click()
    with store() as app, app.sessions() as session:
        line_ids = [
            line.id
            for line in session.exec(select(ReturnLine).where(ReturnLine.return_id == return_id))
        ]
    for line_id in line_ids:
        only(user, ui.number, f"receive-qty-{line_id}").value = 1
        only(user, ui.select, f"receive-condition-{line_id}").value = condition
    user.find(marker="step-confirm").click()
    await user.open(f"/admin/returns/{return_id}")


async def test_a_return_goes_from_approval_to_refund_on_its_own_page(user: User) -> None:
    return_id = a_return("1002", quantities={"MUG-SAND": 2, "TOWEL-LIN": 1}, fee_minor=300)
    await sign_in(user)
    await approve_and_receive(user, return_id, condition="damaged")
    request, kinds, actions = stored(return_id)
    assert request.status == "received"
    with store() as app, app.sessions() as session:
        lines = session.exec(select(ReturnLine).where(ReturnLine.return_id == return_id)).all()
    assert [(li.received_quantity, li.condition) for li in lines] == [(1, "damaged")] * 2
    received = [row["received"] for row in only(user, ui.table, "return-lines").rows]
    assert received == ["1 (damaged)", "1 (damaged)"]

    user.find(marker="step-refunded").click()
    assert only(user, ui.input, "step-amount").value == "27.50"  # 18.00 + 12.50 − 3.00
    only(user, ui.input, "step-amount").value = "-1"
    user.find(marker="step-confirm").click()
    assert user.notify.contains("The amount cannot be negative")
    only(user, ui.input, "step-amount").value = "25.00"
    user.find(marker="step-confirm").click()
    request, kinds, actions = stored(return_id)
    assert (request.status, request.refund_minor) == ("refunded", 2500)
    assert kinds == ["return_approved", "return_received", "return_refunded"]
    assert actions == ["requested", "approved", "received", "refunded"]
    await user.open(f"/admin/returns/{return_id}")
    await user.should_see("Refunded: 25.00 EUR")
    await user.should_see("This return is settled.")
    await user.should_see("Send it to our Berlin address.")  # the history keeps the note
    assert only(user, ui.link, "return-order").props["href"] == f"/admin/orders/{order_id('1002')}"


async def test_a_return_is_settled_with_an_exchange_order(user: User) -> None:
    with store() as app:
        add_variant(app.sessions, "MUG-TEST-BLUE", now=MARCH)
    return_id = a_return("1001", resolution="exchange", exchange={"MUG-SAND": "MUG-TEST-BLUE"})
    await sign_in(user)
    await user.open(f"/admin/returns/{return_id}")
    exchange = [row["exchange"] for row in only(user, ui.table, "return-lines").rows]
    assert exchange == ["Ceramic mug · Colour Blue (MUG-TEST-BLUE)"]
    await approve_and_receive(user, return_id)
    user.find(marker="step-exchanged").click()
    user.find(marker="step-confirm").click()
    request, kinds, actions = stored(return_id)
    assert request.status == "exchanged" and request.exchange_order_id
    assert actions[-1] == "exchanged" and kinds[-1] == "return_refunded"
    with store() as app, app.sessions() as session:
        exchange = session.get(ShopOrder, request.exchange_order_id)
        assert exchange is not None
        skus = [
            li.sku
            for li in session.exec(select(OrderLine).where(OrderLine.order_id == exchange.id))
        ]
        confirmed = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.order_id == exchange.id, OutboxMessage.kind == "order_confirmed"
            )
        ).all()
    assert (exchange.order_number, exchange.total_minor, skus) == ("1001-EX1", 0, ["MUG-TEST-BLUE"])
    assert len(confirmed) == 1
    await user.open(f"/admin/returns/{return_id}")
    link = only(user, ui.link, "return-exchange-order")
    assert link.props["href"] == f"/admin/orders/{exchange.id}"


async def test_a_return_is_settled_with_store_credit(user: User) -> None:
    return_id = a_return("1001", resolution="store_credit")
    await sign_in(user)
    await approve_and_receive(user, return_id)
    user.find(marker="step-credited").click()
    assert only(user, ui.input, "step-amount").value == "18.00"
    user.find(marker="step-confirm").click()
    request, kinds, _ = stored(return_id)
    assert (request.status, kinds[-1]) == ("credited", "return_refunded")
    assert request.store_credit_code.startswith("CREDIT-")
    await user.open(f"/admin/returns/{return_id}")
    await user.should_see(f"Store credit {request.store_credit_code} · 18.00 EUR")


async def test_rejecting_needs_a_note_for_the_shopper(user: User) -> None:
    return_id = a_return("1001")
    await sign_in(user)
    await user.open(f"/admin/returns/{return_id}")
    user.find(marker="step-rejected").click()
    user.find(marker="step-confirm").click()
    assert user.notify.contains("Write the shopper a note")
    user.find(marker="step-note").type("Final sale item.")
    user.find(marker="step-confirm").click()
    request, kinds, _ = stored(return_id)
    assert (request.status, request.owner_note, kinds) == (
        "rejected", "Final sale item.", ["return_rejected"],
    )  # fmt: skip


async def test_a_staff_members_return_decisions_carry_their_name(user: User) -> None:
    return_id = a_return("1001")
    with store() as app:
        add_user(app.sessions, username="anna", password=STAFF, role=Role.STAFF, now=MARCH)
        rma = stored(return_id)[0].rma
    await sign_in(user, STAFF, username="anna")
    await user.open(f"/admin/orders/{order_id('1001')}")  # the order page's quick step
    user.find(marker=f"return-{return_id}-approved").click()
    user.find(marker="return-confirm").click()
    await user.open(f"/admin/returns/{return_id}")  # and the return's own page
    user.find(marker="step-received").click()
    user.find(marker="step-confirm").click()
    with store() as app, app.sessions() as session:
        actors = session.exec(
            select(ReturnEvent.actor)
            .where(ReturnEvent.return_id == return_id)
            .order_by(col(ReturnEvent.id))
        ).all()
    assert actors == ["shopper", "anna", "anna"]

    await user.open(f"/admin/returns/{return_id}")
    history = [only(user, ui.timeline_entry, f"history-{i}").props["title"] for i in range(3)]
    assert history == ["Received by anna", "Approved by anna", "Requested by the shopper"]
    await user.open(f"/admin/orders/{order_id('1001')}")
    subtitles = {
        label.text: only(user, ui.timeline_entry, f"timeline-entry-{marker[9:]}").props["subtitle"]
        for label in user.find(kind=ui.label).elements
        for marker in label._markers
        if marker.removeprefix("timeline-").isdigit()
    }
    assert subtitles[f"Return {rma}: approved"].endswith(" · by anna")
    assert subtitles[f"Return {rma}: received"].endswith(" · by anna")


async def test_an_unknown_return_gets_a_friendly_page(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/returns/abc")
    await user.should_see("There is no return 'abc'. It may have been removed.")
    await user.open("/admin/returns/999")
    await user.should_see("There is no return '999'.")
    await user.open("/admin/returns/²")
    await user.should_see("There is no return '²'.")


async def test_photos_are_served_to_the_signed_in_owner_only(
    user: User, admin_data_dir: Path
) -> None:
    return_id = a_return("1001")
    folder = admin_data_dir / PHOTO_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "abc123.jpg").write_bytes(b"\xff\xd8\xff\xe0 a jpeg")
    with store() as app, app.sessions() as session:
        photo = ReturnPhoto(
            return_id=return_id, stored_name="abc123.jpg", content_type="image/jpeg", size=13,
            created_at=MARCH,
        )  # fmt: skip
        session.add(photo)
        session.commit()
        photo_id = photo.id
    url = f"/admin/returns/photos/{photo_id}"
    signed_out = await user.http_client.get(url)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/admin/login")
    await sign_in(user)
    photo_response: httpx.Response = await user.http_client.get(url)
    assert photo_response.status_code == 200
    assert photo_response.content == b"\xff\xd8\xff\xe0 a jpeg"
    assert photo_response.headers["content-type"] == "image/jpeg"
    assert (await user.http_client.get(f"/admin/returns/photos/{photo_id + 1}")).status_code == 404
    await user.open(f"/admin/returns/{return_id}")
    assert only(user, ui.image, f"photo-{photo_id}").source == url
