"""Prepaid return labels against loopback servers that answer as EasyPost's and Shippo's
documentation shows: the purchase, every failure the owner must hear about, and that
nothing is bought twice."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import (
    OutboxMessage,
    ReturnLabel,
    ReturnRequest,
    Setting,
    Shipment,
    ShopOrder,
)
from shopcare.domain.return_labels import FailureKind, LabelState
from shopcare.notify.base import Channel
from shopcare.services.errors import InputError
from shopcare.services.messages.dispatch import dispatch_outbox
from shopcare.services.returns.labels.purchase import buy_due_labels, retry_label
from shopcare.services.returns.labels.settings import get_label_settings, save_label_settings
from shopcare.services.returns.labels.views import (
    label_bytes,
    label_costs,
    label_view,
    month_bounds,
)
from shopcare.services.returns.labels.voiding import void_label
from shopcare.services.returns.policy import update_policy
from shopcare.services.returns.requests import open_return, returnable_lines
from shopcare.services.returns.slips import return_slips_pdf
from shopcare.services.returns.workflow import approve_return, reject_return
from shopcare.services.secrets_at_rest.box import SecretBox
from shopcare.services.secrets_at_rest.stored import reseal_secrets
from tests.adapters.carrier_server import CarrierServer, Reply
from tests.conftest import PUBLIC_URL, FakeClock
from tests.pdf.reading import scan_pages
from tests.services.helpers import make_order
from tests.services.labels.label_servers import TRACKING, FakeEasyPost, FakeShippo, label_png
from tests.services.return_builders import open_return_rows
from tests.services.test_outbox import Recorder

KEY = "EZTKsecret0123456789"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """Short timeouts so the timeout cases stay fast."""
    async with httpx.AsyncClient(timeout=httpx.Timeout(1.0, connect=1.0)) as client:
        yield client


def set_up_labels(shopcare: ShopCare, *, provider: str, url: str, key: str = KEY) -> None:
    save_label_settings(
        shopcare.sessions,
        api_key=key,
        provider=provider,
        base_url=url,
        labels_for="reasons",
        reasons=["damaged"],
        name="Test Shop Returns",
        street1="417 Montgomery Street",
        city="San Francisco",
        state="CA",
        zip="94104",
        country="US",
        presets=[["MUG", 20, 15, 12, 700]],
    )


def approved_return(shopcare: ShopCare, clock: FakeClock, *, reason: str = "damaged") -> int:
    order = make_order(shopcare, tracking="")
    with transaction(shopcare.sessions) as session:
        row = session.get(ShopOrder, order.id)
        assert row is not None
        row.ship_name, row.ship_address1, row.ship_city = (
            "Anna Schmidt",
            "179 N Harbor Dr",
            "Redondo Beach",
        )
        row.ship_region, row.ship_postcode, row.ship_country = "CA", "90277", "US"
        session.add(row)
    return_id = open_return_rows(
        shopcare.sessions, "1001", now=clock(), quantities={"MUG": 2}, reason=reason
    )
    approve_return(shopcare.sessions, return_id, now=clock())
    return return_id


def label_row(shopcare: ShopCare, return_id: int) -> ReturnLabel:
    with shopcare.sessions() as session:
        label = session.exec(select(ReturnLabel).where(ReturnLabel.return_id == return_id)).one()
        session.expunge(label)
        return label


def approval_due_at(shopcare: ShopCare, return_id: int):  # type: ignore[no-untyped-def]
    with shopcare.sessions() as session:
        row = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.return_id == return_id, OutboxMessage.kind == "return_approved"
            )
        ).one()
        return row.next_attempt_at


async def test_the_cheapest_easypost_return_label_is_bought_once_and_its_parcel_followed(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer,
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    easypost = FakeEasyPost(carrier_server).install()
    set_up_labels(shopcare, provider="easypost", url=easypost.url)
    return_id = approved_return(shopcare, clock)
    assert label_row(shopcare, return_id).state == LabelState.DUE
    assert approval_due_at(shopcare, return_id) > clock()  # held for the label

    assert await buy_due_labels(shopcare.sessions, http, now=clock()) == 1
    assert await buy_due_labels(shopcare.sessions, http, now=clock()) == 0  # nothing twice

    [create] = [r for r in carrier_server.requests if r.path == "/v2/shipments"]
    assert (
        create.headers["authorization"] == "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    )
    shipment = create.json()["shipment"]
    assert shipment["is_return"] is True
    # the outbound parcel's addresses; EasyPost swaps them for a return
    assert shipment["to_address"]["street1"] == "179 N Harbor Dr"
    assert shipment["from_address"]["street1"] == "417 Montgomery Street"
    assert shipment["options"] == {"label_format": "PDF"}
    assert shipment["parcel"]["weight"] == pytest.approx(1400 / 28.349523125, abs=0.1)
    assert shipment["reference"].startswith(f"shopcare-return-{return_id}-")
    [buy] = easypost.buys()
    assert buy.json() == {"rate": {"id": "rate_priority"}}  # 7.58 beats 9.10 and 27.20

    label = label_row(shopcare, return_id)
    assert (label.state, label.tracking_number, label.cost_minor, label.currency) == (
        LabelState.BOUGHT, TRACKING, 758, "USD",
    )  # fmt: skip
    assert label.label_type == "application/pdf" and label_bytes(label.label_file) == easypost.label
    with shopcare.sessions() as session:
        parcel = session.exec(select(Shipment).where(Shipment.return_id == return_id)).one()
        assert parcel.tracking_number == TRACKING and parcel.carrier == "usps"
    assert approval_due_at(shopcare, return_id) == clock()  # the email may go now
    view = label_view(shopcare.sessions, return_id)
    assert view is not None and view.cost == "7.58 USD" and not view.can_retry
    start, end = month_bounds(clock(), shopcare_zone())
    [costs] = label_costs(shopcare.sessions, start=start, end=end)
    assert (costs.labels, costs.total) == (1, "7.58 USD")
    assert KEY not in caplog.text
    with pytest.raises(InputError):
        retry_label(shopcare.sessions, return_id, now=clock())


def shopcare_zone():  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Berlin")


def test_the_api_key_is_sealed_at_rest_and_never_shown_back(shopcare: ShopCare) -> None:
    set_up_labels(shopcare, provider="easypost", url="http://127.0.0.1:9")
    with shopcare.sessions() as session:
        stored = json.loads(session.get(Setting, "return_labels").value)  # type: ignore[union-attr]
    assert stored["api_key"].startswith("enc:v1:") and KEY not in json.dumps(stored)
    assert KEY not in repr(get_label_settings(shopcare.sessions))
    save_label_settings(shopcare.sessions, api_key=None, carrier="USPS")  # the key is kept
    with shopcare.sessions() as session:
        again = json.loads(session.get(Setting, "return_labels").value)  # type: ignore[union-attr]
    assert again["api_key"] == stored["api_key"]


def test_rotating_the_secret_re_seals_the_api_key(shopcare: ShopCare) -> None:
    set_up_labels(shopcare, provider="easypost", url="http://127.0.0.1:9")
    new = SecretBox("a-new-secret-of-enough-length", shopcare.settings.secret)
    assert reseal_secrets(shopcare.sessions, new).changed >= 1
    with shopcare.sessions() as session:
        stored = json.loads(session.get(Setting, "return_labels").value)  # type: ignore[union-attr]
    assert new.open(stored["api_key"]) == KEY
    assert not SecretBox(shopcare.settings.secret).can_open(stored["api_key"])


def test_a_reason_the_policy_does_not_name_gets_no_label(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    set_up_labels(shopcare, provider="easypost", url="http://127.0.0.1:9")
    return_id = approved_return(shopcare, clock, reason="too_small")
    with shopcare.sessions() as session:
        assert session.exec(select(ReturnLabel)).first() is None
    assert approval_due_at(shopcare, return_id) == clock()


FAILURES = {
    "address": (
        Reply(
            422,
            json.dumps(
                {
                    "error": {
                        "code": "ADDRESS.VERIFY.FAILURE",
                        "message": "Address not found",
                        "errors": [
                            {
                                "field": "street1",
                                "message": "House number is missing",
                                "suggestion": None,
                            }
                        ],
                    }
                }
            ),
        ),
        FailureKind.ADDRESS,
        "House number is missing",
    ),
    "funds": (
        Reply(
            402,
            json.dumps(
                {
                    "error": {
                        "code": "PAYMENT_REQUIRED",
                        "message": "Insufficient funds.",
                        "errors": [],
                    }
                }
            ),
        ),
        FailureKind.FUNDS,
        "Insufficient funds",
    ),
    "server": (
        Reply(503, "<html>maintenance</html>", content_type="text/html"),
        FailureKind.UNAVAILABLE,
        "503",
    ),
    "refused": (
        Reply(
            400,
            json.dumps(
                {
                    "error": {
                        "code": "PARAMETER.REQUIRED",
                        "message": "Missing required parameter.",
                        "errors": ["rate"],
                    }
                }
            ),
        ),
        FailureKind.REFUSED,
        "Missing required parameter",
    ),
    "garbage": (Reply(200, "{not json"), FailureKind.GARBAGE, "not valid JSON"),
    "timeout": (Reply(200, "{}", delay=2.5), FailureKind.TIMEOUT, "no answer in time"),
}


@pytest.mark.parametrize("case", FAILURES)
async def test_a_failed_purchase_keeps_the_plain_slip_tells_the_owner_and_can_be_retried(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer,
    http: httpx.AsyncClient, case: str,
) -> None:  # fmt: skip
    reply, kind, words = FAILURES[case]
    easypost = FakeEasyPost(carrier_server, fail_buy=reply).install()
    set_up_labels(shopcare, provider="easypost", url=easypost.url)
    return_id = approved_return(shopcare, clock)

    assert await buy_due_labels(shopcare.sessions, http, now=clock()) == 0
    label = label_row(shopcare, return_id)
    assert label.state == LabelState.FAILED and label.error_kind == kind
    assert words in label.error and KEY not in label.error
    with shopcare.sessions() as session:
        assert session.get(ReturnRequest, return_id).status == "approved"  # type: ignore[union-attr]
    assert approval_due_at(shopcare, return_id) == clock()  # goes with the plain slip
    pdf = return_slips_pdf(shopcare.sessions, [return_id], public_url=PUBLIC_URL)
    assert pdf is not None and len(PdfReader(io.BytesIO(pdf)).pages) == 1
    view = label_view(shopcare.sessions, return_id)
    assert view is not None and view.can_retry and view.error == label.error

    easypost.fail_buy = None
    clock.advance(minutes=3)
    retry_label(shopcare.sessions, return_id, now=clock())
    assert await buy_due_labels(shopcare.sessions, http, now=clock()) == 1
    assert label_row(shopcare, return_id).state == LabelState.BOUGHT
    bought = [s for s in easypost.shipments.values() if s["postage_label"]]
    assert len(bought) == 1  # nothing bought twice


async def test_a_purchase_that_timed_out_is_looked_up_before_buying_again(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer, http: httpx.AsyncClient
) -> None:
    """The provider bought the label but its answer came too late: the retry finds the
    bought shipment and takes its label instead of buying a second one."""
    easypost = FakeEasyPost(carrier_server, buy_delay=2.5).install()
    set_up_labels(shopcare, provider="easypost", url=easypost.url)
    return_id = approved_return(shopcare, clock)
    assert await buy_due_labels(shopcare.sessions, http, now=clock()) == 0
    label = label_row(shopcare, return_id)
    assert label.state == LabelState.FAILED and label.uncertain
    assert label.error_kind == FailureKind.TIMEOUT

    retry_label(shopcare.sessions, return_id, now=clock())
    assert await buy_due_labels(shopcare.sessions, http, now=clock()) == 1
    assert len(easypost.buys()) == 1
    assert len(easypost.shipments) == 1
    label = label_row(shopcare, return_id)
    assert label.state == LabelState.BOUGHT and label.tracking_number == TRACKING


async def test_a_purchase_left_by_a_dead_process_is_taken_back_and_looked_up(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer, http: httpx.AsyncClient
) -> None:
    easypost = FakeEasyPost(carrier_server, buy_delay=2.5).install()
    set_up_labels(shopcare, provider="easypost", url=easypost.url)
    approved_return(shopcare, clock)
    await buy_due_labels(shopcare.sessions, http, now=clock())
    with transaction(shopcare.sessions) as session:  # as if the process died mid-purchase
        label = session.exec(select(ReturnLabel)).one()
        label.state, label.claimed_at, label.error = LabelState.BUYING, clock(), ""
        session.add(label)
    assert await buy_due_labels(shopcare.sessions, http, now=clock()) == 0  # still its own
    clock.advance(minutes=6)
    assert await buy_due_labels(shopcare.sessions, http, now=clock()) == 1
    assert len(easypost.buys()) == 1


async def test_no_rate_for_the_owners_carrier_is_said_as_such(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer, http: httpx.AsyncClient
) -> None:
    easypost = FakeEasyPost(carrier_server).install()
    set_up_labels(shopcare, provider="easypost", url=easypost.url)
    save_label_settings(shopcare.sessions, carrier="FedEx")
    return_id = approved_return(shopcare, clock)
    await buy_due_labels(shopcare.sessions, http, now=clock())
    label = label_row(shopcare, return_id)
    assert label.error_kind == FailureKind.NO_RATE and easypost.buys() == []


async def test_a_label_file_that_is_not_pdf_or_png_is_a_failure(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer, http: httpx.AsyncClient
) -> None:
    easypost = FakeEasyPost(carrier_server, label=b"^XA^FO50,50^FDZPL^FS^XZ").install()
    set_up_labels(shopcare, provider="easypost", url=easypost.url)
    return_id = approved_return(shopcare, clock)
    await buy_due_labels(shopcare.sessions, http, now=clock())
    label = label_row(shopcare, return_id)
    assert label.state == LabelState.FAILED and label.error_kind == FailureKind.GARBAGE
    easypost.label = FakeEasyPost(carrier_server).label
    retry_label(shopcare.sessions, return_id, now=clock())
    assert await buy_due_labels(shopcare.sessions, http, now=clock()) == 1
    assert len(easypost.buys()) == 1  # the download was retried, not the purchase


async def test_a_cancelled_returns_label_is_refunded(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer, http: httpx.AsyncClient
) -> None:
    easypost = FakeEasyPost(carrier_server).install()
    set_up_labels(shopcare, provider="easypost", url=easypost.url)
    return_id = approved_return(shopcare, clock)
    await buy_due_labels(shopcare.sessions, http, now=clock())
    reject_return(shopcare.sessions, return_id, now=clock(), note="Sold out of swaps, sorry.")
    await buy_due_labels(shopcare.sessions, http, now=clock())
    [refund] = [r for r in carrier_server.requests if r.path.endswith("/refund")]
    assert refund.method == "POST"
    label = label_row(shopcare, return_id)
    assert (label.state, label.refund_status) == (LabelState.VOIDED, "submitted")
    with pytest.raises(InputError):
        void_label(shopcare.sessions, return_id, now=clock())


async def test_shippo_buys_the_cheapest_rate_and_finds_a_timed_out_purchase(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer, http: httpx.AsyncClient
) -> None:
    shippo = FakeShippo(carrier_server, buy_delay=2.5).install()
    set_up_labels(shopcare, provider="shippo", url=shippo.url, key="shippo_test_abc")
    return_id = approved_return(shopcare, clock)
    await buy_due_labels(shopcare.sessions, http, now=clock())
    assert label_row(shopcare, return_id).error_kind == FailureKind.TIMEOUT
    [create] = [r for r in carrier_server.requests if r.path == "/shipments"]
    assert create.headers["authorization"] == "ShippoToken shippo_test_abc"
    body = create.json()
    assert body["extra"] == {"is_return": True} and body["async"] is False
    assert body["address_to"]["street1"] == "179 N Harbor Dr"  # the outbound way round
    [purchase] = shippo.purchases()
    assert purchase.json()["rate"].endswith("b")  # 4.95 beats 5.50
    assert purchase.json()["label_file_type"] == "PDF"

    retry_label(shopcare.sessions, return_id, now=clock())
    assert await buy_due_labels(shopcare.sessions, http, now=clock()) == 1
    assert len(shippo.purchases()) == 1
    label = label_row(shopcare, return_id)
    assert (label.state, label.cost_minor, label.purchase_ref) == (
        LabelState.BOUGHT, 495, shippo.transactions[0]["object_id"],
    )  # fmt: skip
    reject_return(shopcare.sessions, return_id, now=clock(), note="Cancelled by the shopper.")
    await buy_due_labels(shopcare.sessions, http, now=clock())
    [refund] = [r for r in carrier_server.requests if r.path == "/refunds"]
    assert refund.json()["transaction"] == label.purchase_ref
    assert label_row(shopcare, return_id).refund_status == "queued"


async def test_a_shippo_purchase_refused_for_funds_says_so(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer, http: httpx.AsyncClient
) -> None:
    shippo = FakeShippo(
        carrier_server,
        transaction_error=[{"source": "Shippo", "code": "",
                            "text": "Insufficient account balance to purchase label."}],
    ).install()  # fmt: skip
    set_up_labels(shopcare, provider="shippo", url=shippo.url, key="shippo_test_abc")
    return_id = approved_return(shopcare, clock)
    await buy_due_labels(shopcare.sessions, http, now=clock())
    label = label_row(shopcare, return_id)
    assert label.error_kind == FailureKind.FUNDS and "Insufficient account balance" in label.error


@pytest.mark.parametrize("size", ["a4", "label_4x6"])
async def test_the_label_is_the_slips_first_page_and_its_barcode_scans(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer,
    http: httpx.AsyncClient, tmp_path: Path, size: str,
) -> None:  # fmt: skip
    easypost = FakeEasyPost(carrier_server).install()
    set_up_labels(shopcare, provider="easypost", url=easypost.url)
    return_id = approved_return(shopcare, clock)
    await buy_due_labels(shopcare.sessions, http, now=clock())
    pdf = return_slips_pdf(shopcare.sessions, [return_id], public_url=PUBLIC_URL, size=size)
    assert pdf is not None
    pages = PdfReader(io.BytesIO(pdf)).pages
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pages}
    assert sizes == {(595, 842)} if size == "a4" else {(288, 432)}
    scanned = scan_pages(pdf, tmp_path)
    assert ("CODE-128", TRACKING) in scanned[0]
    assert ("CODE-128", "R-TEST-0001") in scanned[1]


async def test_a_png_label_is_placed_on_the_page_too(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer,
    http: httpx.AsyncClient, tmp_path: Path,
) -> None:  # fmt: skip
    easypost = FakeEasyPost(carrier_server, label=label_png()).install()
    set_up_labels(shopcare, provider="easypost", url=easypost.url)
    return_id = approved_return(shopcare, clock)
    await buy_due_labels(shopcare.sessions, http, now=clock())
    assert label_row(shopcare, return_id).label_type == "image/png"
    pdf = return_slips_pdf(shopcare.sessions, [return_id], public_url=PUBLIC_URL, size="letter")
    assert pdf is not None
    assert ("CODE-128", TRACKING) in scan_pages(pdf, tmp_path)[0]


def test_the_month_is_the_shops_calendar_month(clock: FakeClock) -> None:
    start, end = month_bounds(clock(), shopcare_zone())
    assert start == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)  # 1 November in Berlin
    assert end - start == timedelta(days=30)


async def test_the_approval_email_waits_for_the_label_and_carries_it_in_the_slip(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer,
    http: httpx.AsyncClient, tmp_path: Path,
) -> None:  # fmt: skip
    easypost = FakeEasyPost(carrier_server).install()
    set_up_labels(shopcare, provider="easypost", url=easypost.url)
    approved_return(shopcare, clock)
    recorder = Recorder()
    await dispatch_outbox(
        shopcare.sessions, {Channel.EMAIL: recorder}, now=clock(), public_url=PUBLIC_URL
    )
    assert "return_approved" not in [m.kind for m in recorder.sent]  # held for the label
    await buy_due_labels(shopcare.sessions, http, now=clock())
    await dispatch_outbox(
        shopcare.sessions, {Channel.EMAIL: recorder}, now=clock(), public_url=PUBLIC_URL
    )
    [approval] = [m for m in recorder.sent if m.kind == "return_approved"]
    [slip] = approval.attachments
    scanned = scan_pages(slip.data, tmp_path)
    assert ("CODE-128", TRACKING) in scanned[0] and ("CODE-128", "R-TEST-0001") in scanned[1]


async def test_a_return_the_policy_approves_at_once_gets_its_label_too(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer, http: httpx.AsyncClient
) -> None:
    easypost = FakeEasyPost(carrier_server).install()
    set_up_labels(shopcare, provider="easypost", url=easypost.url)
    save_label_settings(shopcare.sessions, labels_for="shop_pays")
    update_policy(shopcare.sessions, auto_approve=True, shipping_free_reasons=["too_small"])
    order = make_order(shopcare, tracking="")
    with transaction(shopcare.sessions) as session:
        row = session.get(ShopOrder, order.id)
        assert row is not None
        row.ship_address1, row.ship_city, row.ship_country = "1 Main St", "Berlin", "DE"
        session.add(row)
    line = next(iter(returnable_lines(shopcare.sessions, order.public_token) or {}))
    open_return(
        shopcare.sessions, order_token=order.public_token, quantities={line: 1},
        reason="too_small", now=clock(),
    )  # fmt: skip
    with shopcare.sessions() as session:
        request = session.exec(select(ReturnRequest)).one()
    assert (request.status, request.shipping_paid_by) == ("approved", "shop")
    assert approval_due_at(shopcare, request.id or 0) > clock()
    assert await buy_due_labels(shopcare.sessions, http, now=clock()) == 1


async def test_a_refused_refund_is_kept_for_the_owner_who_may_void_again(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer, http: httpx.AsyncClient
) -> None:
    easypost = FakeEasyPost(carrier_server).install()
    set_up_labels(shopcare, provider="easypost", url=easypost.url)
    return_id = approved_return(shopcare, clock)
    await buy_due_labels(shopcare.sessions, http, now=clock())
    [sid] = easypost.shipments
    carrier_server.route(
        "POST", f"/v2/shipments/{sid}/refund",
        Reply(422, json.dumps({"error": {"code": "SHIPMENT.REFUND.UNAVAILABLE",
                                         "message": "Refund not available.", "errors": []}})),
    )  # fmt: skip
    reject_return(shopcare.sessions, return_id, now=clock(), note="Cancelled.")
    await buy_due_labels(shopcare.sessions, http, now=clock())
    label = label_row(shopcare, return_id)
    assert (label.state, label.refund_status) == (LabelState.BOUGHT, "failed")
    assert "Refund not available" in label.error
    await buy_due_labels(shopcare.sessions, http, now=clock())  # not asked again by itself
    assert len([r for r in carrier_server.requests if r.path.endswith("/refund")]) == 1
    view = label_view(shopcare.sessions, return_id)
    assert view is not None and view.can_void
    void_label(shopcare.sessions, return_id, now=clock())
    assert label_row(shopcare, return_id).refund_status == "wanted"


async def test_a_shippo_address_refusal_names_the_field(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer, http: httpx.AsyncClient
) -> None:
    shippo = FakeShippo(carrier_server).install()
    carrier_server.route(
        "POST", "/shipments",
        Reply(400, json.dumps({"address_to": {"zip": ["This field is required."]}})),
    )  # fmt: skip
    set_up_labels(shopcare, provider="shippo", url=shippo.url, key="shippo_test_abc")
    return_id = approved_return(shopcare, clock)
    await buy_due_labels(shopcare.sessions, http, now=clock())
    label = label_row(shopcare, return_id)
    assert label.error_kind == FailureKind.ADDRESS
    assert "address_to: zip This field is required." in label.error
    assert shippo.purchases() == []
