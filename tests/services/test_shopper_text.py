"""What shoppers type is stored without control characters or bidi overrides: a NUL or a
U+202E in a problem report, a feedback comment, a name or an address never reaches the
store, whichever way it came in. Letters of right-to-left scripts stay."""

from __future__ import annotations

from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import Customer, Feedback, OrderLine, ProblemReport, ShopOrder
from shopcare.domain.intake import Mode, Source
from shopcare.services.intake.by_hand import LineIn, OrderIn
from shopcare.services.intake.writer import write_order
from shopcare.services.shopper_site.feedback import (
    FeedbackDetails,
    feedback_token_after_delivery,
    record_feedback,
)
from shopcare.services.shopper_site.lookup import find_order_token
from shopcare.services.shopper_site.problem_reports import report_problem
from tests.conftest import FakeClock
from tests.services.helpers import make_order

SPOOF = "\u202e"  # right-to-left override: "gnp.exe" shows as "exe.png"


def test_a_problem_report_is_stored_without_nul_or_override(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    order = make_order(shopcare)
    message = f"Box\x00 crushed,\r\nsee photo{SPOOF}gnp.exe\x1b[2J\tthanks — שלום"

    stored = report_problem(
        shopcare.sessions, order.public_token, kind="damaged", message=message,
        shipment_id=None, now=clock(),
    )  # fmt: skip

    assert stored
    with shopcare.sessions() as session:
        report = session.exec(select(ProblemReport)).one()
    assert report.message == "Box crushed,\nsee photognp.exe[2J\tthanks — שלום"


def test_a_feedback_comment_is_stored_without_control_characters(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    order = make_order(shopcare)
    assert order.id is not None
    token = feedback_token_after_delivery(shopcare.sessions, order.id, now=clock())

    record_feedback(
        shopcare.sessions,
        token,
        score=9,
        details=FeedbackDetails(comment=f"Great{SPOOF}\x07 service\u200b!"),
        now=clock(),
    )

    with shopcare.sessions() as session:
        assert session.exec(select(Feedback.comment)).one() == "Great service!"


def test_names_and_addresses_from_any_source_are_cleaned_once(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    """The writer every source ends in (the form, CSV, the API, platform webhooks)."""
    order_in = OrderIn(
        order_number="2001",
        email=f"sara{SPOOF}@example.com",
        customer_name=f"שרה\x00 כהן{SPOOF}",
        ship_name="Sara\nCohen",
        ship_address1=f"Herzl 1{SPOOF}0",
        ship_city="\u2066Tel Aviv\u2069",
        ship_postcode="61000\x00",
        placed_at=clock(),
        lines=[LineIn(title=f"Mug{SPOOF}", variant="Blue\x00", quantity=1, unit_price_minor=900)],
        source=Source.API,
    )

    write_order(shopcare.sessions, order_in, now=clock(), carriers=["simulated"], mode=Mode.LIVE)

    with shopcare.sessions() as session:
        order = session.exec(select(ShopOrder)).one()
        customer = session.exec(select(Customer)).one()
        line = session.exec(select(OrderLine)).one()
    assert (customer.name, order.email, order.ship_name) == (
        "שרה כהן",
        "sara@example.com",
        "Sara Cohen",
    )
    assert (order.ship_address1, order.ship_city, order.ship_postcode) == (
        "Herzl 10",
        "Tel Aviv",
        "61000",
    )
    assert (line.title, line.variant) == ("Mug", "Blue")
    # The shopper finds the order by what they see, overrides typed or not.
    assert find_order_token(shopcare.sessions, order_number="2001", secret=f"61000{SPOOF}")
