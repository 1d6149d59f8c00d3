"""Erasing one shopper (issue 15, §5): over a store with rows in every table, the shopper's
email, name, address and phone are in no text column afterwards, another shopper's rows are
as they were, the dashboard counts the same, and a second erasure finds nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import (
    ApiIdempotency,
    Customer,
    ImportRun,
    OrderNote,
    OutboxMessage,
    ProblemReport,
    ReturnRequest,
    Shipment,
    ShipmentWatch,
    ShopOrder,
    ShopperErasure,
    WebhookDelivery,
)
from shopcare.domain.insight import Period
from shopcare.domain.privacy import ERASED, email_digest
from shopcare.services.errors import InputError
from shopcare.services.insight.panels import PANELS, InsightContext, build_panel
from shopcare.services.messages.outbox import resend
from shopcare.services.privacy.erase import erase_shopper
from shopcare.services.privacy.export import find_shopper, shopper_document
from shopcare.services.privacy.links import is_erased_link
from shopcare.services.returns.photos import PHOTO_DIR
from tests.services.export_store import fill_every_table

ANNA = "anna@example.com"
ANNA_WORDS = ("anna@example.com", "Anna Schmidt", "Lindenallee 42", "+4915100000042", "10999")
LUCAS_WORDS = ("lucas@example.com", "Lucas Martin", "75001")


@dataclass
class Store:
    anna_order: int
    lucas_order: int
    old_tokens: list[str]


def annas_store(app: ShopCare) -> Store:
    """The store with a row in every table; Anna (the demo's first shopper) also given an
    address of her own, and named in the places a shopper's data ends up."""
    filled = fill_every_table(app)
    now = app.clock()
    with transaction(app.sessions) as session:
        anna = session.exec(select(ShopOrder).where(ShopOrder.email == ANNA)).one()
        lucas = session.exec(select(ShopOrder).where(ShopOrder.email == LUCAS_WORDS[0])).one()
        assert anna.id == filled.order_id
        anna.ship_address1, anna.ship_postcode, anna.ship_phone = ANNA_WORDS[2:5]
        customer = session.get(Customer, anna.customer_id)
        assert customer is not None
        customer.phone = ANNA_WORDS[3]
        session.add_all([anna, customer])
        lucas_parcel = session.exec(select(Shipment).where(Shipment.order_id == lucas.id)).first()
        assert lucas_parcel is not None
        session.add(  # Anna follows the parcel of a gift Lucas ordered for her
            ShipmentWatch(shipment_id=lucas_parcel.id, email=ANNA, token="w-anna", created_at=now)
        )
        report = session.exec(select(ProblemReport)).one()
        report.message = "Anna Schmidt here: call +4915100000042"
        request = session.exec(select(ReturnRequest)).one()
        request.comment = "Please pick it up at Lindenallee 42, 10999 Berlin"
        session.add_all([report, request])
        session.add(OrderNote(order_id=anna.id, created_at=now, text=f"Wrote to {ANNA}"))
        session.add(OrderNote(order_id=lucas.id, created_at=now, text="Gift for ANNA@example.com"))
        delivery = session.exec(select(WebhookDelivery)).one()
        delivery.body = json.dumps({"number": "1001", "email": ANNA, "name": "Anna Schmidt"})
        delivery.order_number = "1001"
        answer = session.exec(select(ApiIdempotency)).one()
        answer.response = json.dumps({"order_number": "1001", "email": ANNA})
        run = session.exec(select(ImportRun)).first()
        assert run is not None
        run.message = f"row 3: {ANNA} is already a customer"
        session.add_all([delivery, answer, run])
        session.add(
            OutboxMessage(
                idempotency_key="waiting-1", kind="shipped", order_id=anna.id or 0,
                recipient=ANNA, status="queued", next_attempt_at=now, created_at=now,
                subject="Anna Schmidt, your order is on its way",
            )
        )  # fmt: skip
        tokens = [anna.public_token, request.public_token, "w-anna"]
        ids = (anna.id or 0, lucas.id or 0)
    photos = app.settings.data_dir / PHOTO_DIR
    photos.mkdir(parents=True)
    (photos / "p1.jpg").write_bytes(b"\xff\xd8\xff photo of Anna's parcel")
    app.settings.mailbox_dir.mkdir(parents=True)
    (app.settings.mailbox_dir / "1-anna.eml").write_text(f"To: {ANNA}\n\nHello Anna Schmidt")
    (app.settings.mailbox_dir / "2-lucas.eml").write_text("To: lucas@example.com\n\nHello")
    return Store(anna_order=ids[0], lucas_order=ids[1], old_tokens=tokens)


def erase(app: ShopCare, email: str = ANNA) -> dict[str, int]:
    return erase_shopper(
        app.sessions, email, data_dir=app.settings.data_dir,
        mailbox_dir=app.settings.mailbox_dir, secret=app.settings.secret, actor="owner",
        now=app.clock(),
    ).counts  # fmt: skip


def every_text(app: ShopCare) -> dict[str, list[str]]:
    """Each table's rows, every value as text."""
    with app.engine.connect() as connection:
        return {
            table.name: [
                " | ".join(str(v) for v in row)
                for row in connection.execute(sa.select(table).order_by(*table.primary_key))
            ]
            for table in SQLModel.metadata.sorted_tables
        }


def rows_naming(texts: dict[str, list[str]], words: tuple[str, ...]) -> list[str]:
    return [
        f"{table}: {row}"
        for table, rows in texts.items()
        for row in rows
        if any(w.lower() in row.lower() for w in words)
    ]


def dashboard(app: ShopCare) -> list[object]:
    now = app.clock()
    period = Period.last_days(60, now=now, zone=ZoneInfo("UTC"))
    context = InsightContext(now=now)
    return [build_panel(app.sessions, key, period, context) for key in PANELS]


def test_the_shopper_is_in_no_text_column_afterwards_and_the_others_are_untouched(
    shopcare: ShopCare,
) -> None:
    store = annas_store(shopcare)
    before = every_text(shopcare)
    assert len(rows_naming(before, ANNA_WORDS)) >= 12
    lucas_before = rows_naming(before, LUCAS_WORDS)
    figures_before = dashboard(shopcare)

    counts = erase(shopcare)

    after = every_text(shopcare)
    assert rows_naming(after, ANNA_WORDS) == []
    assert rows_naming(after, LUCAS_WORDS) == lucas_before
    removed = {"return_photo": 1, "shipment_watch": 1, "api_idempotency": 1}
    added = {"shopper_erasure": 1, "erased_link": 5}  # order, return, feedback, unsubscribe, watch
    assert {t: len(rows) for t, rows in after.items()} == {
        t: len(rows) - removed.get(t, 0) + added.get(t, 0) for t, rows in before.items()
    }
    assert dashboard(shopcare) == figures_before
    assert counts["shop_order"] == 1 and counts["customer"] == 1
    assert counts["photo files"] == 1 and counts["dev mailbox emails"] == 1
    assert not (shopcare.settings.data_dir / PHOTO_DIR / "p1.jpg").exists()
    assert [p.name for p in shopcare.settings.mailbox_dir.iterdir()] == ["2-lucas.eml"]
    with shopcare.sessions() as session:
        lucas_note = session.exec(
            select(OrderNote).where(OrderNote.order_id == store.lucas_order)
        ).all()
        assert [n.text for n in lucas_note][-1] == f"Gift for {ERASED}"
        order = session.get(ShopOrder, store.anna_order)
        assert order is not None
        assert (order.order_number, order.total_minor, order.ship_country) == ("1001", 3600, "DE")
        waiting = session.exec(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == "waiting-1")
        ).one()
        assert (waiting.status, waiting.recipient, waiting.subject) == ("skipped", "", "")


def test_the_erasure_is_recorded_without_the_address_and_a_second_finds_nothing(
    shopcare: ShopCare, clock: object
) -> None:
    annas_store(shopcare)
    assert erase(shopcare, " Anna@Example.com ")
    assert erase(shopcare) == {}
    with shopcare.sessions() as session:
        digest = email_digest(ANNA, secret=shopcare.settings.secret)
        (record,) = session.exec(
            select(ShopperErasure).where(ShopperErasure.email_hash == digest)
        ).all()
    assert ANNA not in record.summary and json.loads(record.summary)["shop_order"] == 1
    assert (record.actor, record.erased_at) == ("owner", shopcare.clock())


def test_the_old_links_are_known_as_erased(shopcare: ShopCare) -> None:
    store = annas_store(shopcare)
    erase(shopcare)
    for token in store.old_tokens:
        assert is_erased_link(shopcare.sessions, f"/t/{token}/return")
    assert not is_erased_link(shopcare.sessions, "/t/some-other-token")


def test_the_export_has_every_row_that_names_the_shopper_and_lists_the_photos(
    shopcare: ShopCare,
) -> None:
    store = annas_store(shopcare)
    found = find_shopper(
        shopcare.sessions, ANNA, data_dir=shopcare.settings.data_dir,
        mailbox_dir=shopcare.settings.mailbox_dir,
    )  # fmt: skip
    document = json.loads(json.dumps(shopper_document(found, now=shopcare.clock())))
    tables = document["tables"]
    assert document["email"] == ANNA
    assert [o["id"] for o in tables["shop_order"]] == [store.anna_order]
    assert tables["shop_order"][0]["ship_address1"] == "Lindenallee 42"
    assert tables["customer"][0]["name"] == "Anna Schmidt"
    assert [w["token"] for w in tables["shipment_watch"]] == ["w-anna"]
    assert len(tables["order_note"]) == 3  # the demo's, ours, and Lucas's that names her
    assert {"webhook_delivery", "api_idempotency", "import_run", "return_request"} <= set(tables)
    assert {"problem_report", "feedback", "outbox_message", "tracking_event"} <= set(tables)
    assert document["photos"] == [
        {"return_id": tables["return_request"][0]["id"], "file": f"{PHOTO_DIR}/p1.jpg",
         "content_type": "image/jpeg", "size": 10, "on_disk": True}
    ]  # fmt: skip
    assert document["dev_mailbox"] == ["1-anna.eml"]
    assert document["counts"]["shop_order"] == 1
    assert tables["shop_order"][0]["placed_at"].endswith("+00:00")
    assert "lucas@example.com" not in json.dumps(document)


def test_an_address_that_is_none_is_refused(shopcare: ShopCare) -> None:
    with pytest.raises(InputError, match="is not an email address"):
        erase(shopcare, "")
    with pytest.raises(InputError, match="is not an email address"):
        erase(shopcare, "anna at example")


def test_an_unknown_address_finds_nothing_and_changes_nothing(shopcare: ShopCare) -> None:
    annas_store(shopcare)
    before = every_text(shopcare)
    shopcare.clock.advance(days=1)  # type: ignore[attr-defined]
    assert erase(shopcare, "nobody@example.com") == {}
    assert every_text(shopcare) == before


def test_an_erased_shoppers_message_is_never_sent_again(shopcare: ShopCare) -> None:
    store = annas_store(shopcare)
    erase(shopcare)
    with shopcare.sessions() as session:
        ids = session.exec(
            select(OutboxMessage.id).where(OutboxMessage.order_id == store.anna_order)
        ).all()
    assert ids
    for message_id in ids:
        resend(shopcare.sessions, message_id or 0, now=shopcare.clock())
    with shopcare.sessions() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.order_id == store.anna_order))
        assert {m.status for m in rows if m.channel != "webhook"} <= {"sent", "failed", "skipped"}
