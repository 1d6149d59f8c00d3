"""A shopper answers the feedback email: a score link opens a one-tap confirmation (GET never
records, so mail scanners do not vote), the POST records, a second page takes CSAT, aspect
ratings and a comment, a second visit edits; the link answers for 60 days; the thank-you
page offers the owner's review page to promoters and the thank-you code to all; a detractor's
score lands on the owner's problem list."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlmodel import col, select

from shopcare.app import ShopCare
from shopcare.db.engine import transaction
from shopcare.db.models import Customer, Feedback, ProblemReport
from shopcare.domain.messages import MessageKind
from shopcare.notify.render import SUPPORTED_LOCALES, render_message, sample_context
from shopcare.services.errors import InputError
from shopcare.services.shop.profile import update_profile
from shopcare.services.shopper_site.feedback import feedback_token_after_delivery
from shopcare.services.shopper_site.problem_reports import (
    ProblemKind,
    report_page,
    report_problem,
)
from tests.conftest import FakeClock
from tests.services.helpers import make_order
from tests.ui.forms import signed

REVIEW = "https://g.page/r/bean-and-leaf/review"


@pytest.fixture
def token(shopcare: ShopCare) -> str:
    order = make_order(shopcare)
    assert order.id is not None
    return feedback_token_after_delivery(shopcare.sessions, order.id, now=shopcare.clock())


def answer(shopcare: ShopCare) -> Feedback:
    with shopcare.sessions() as session:
        return session.exec(select(Feedback)).one()


def problems(shopcare: ShopCare) -> list[tuple[str, str, str]]:
    with shopcare.sessions() as session:
        rows = session.exec(select(ProblemReport).order_by(col(ProblemReport.id))).all()
    return [(r.kind, r.status, r.message) for r in rows]


async def post_details(
    shopcare: ShopCare, client: httpx.AsyncClient, token: str, **fields: str
) -> httpx.Response:
    form = {"step": "details", "csat": "", "comment": ""} | fields
    return await client.post(f"/feedback/{token}", data=signed(shopcare, form))


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_the_email_carries_the_eleven_score_links(locale: str) -> None:
    m = sample_context()
    rendered = render_message(MessageKind.FEEDBACK_REQUEST, m, locale=locale)
    for part in (rendered.html, rendered.text):
        links = re.findall(re.escape(m.feedback_url) + r"\?score=(\d+)", part)
        assert links == [str(n) for n in range(11)], locale
    assert re.findall(r'<a href="[^"]*\?score=(\d+)"[^>]*>(\d+)</a>', rendered.html) == [
        (str(n), str(n)) for n in range(11)
    ]


async def test_a_score_link_shows_a_one_tap_page_and_records_nothing(
    shopcare: ShopCare, client: httpx.AsyncClient, token: str
) -> None:
    page = await client.get(f"/feedback/{token}?score=8")
    assert page.status_code == 200
    assert '<input type="radio" name="score" value="8" required checked>' in page.text
    assert "You chose 8 out of 10." in page.text and "Send my score" in page.text
    assert f'action="/feedback/{token}"' in page.text and 'method="post"' in page.text
    for score in ("0", "10", "99", "x"):  # a scanner following every link votes nothing
        assert (await client.get(f"/feedback/{token}?score={score}")).status_code == 200
    assert answer(shopcare).score is None and answer(shopcare).answered_at is None
    await client.post(f"/feedback/{token}", data=signed(shopcare, {"score": "8"}))
    other = await client.get(f"/feedback/{token}?score=2")  # once answered, too
    assert '<input type="radio" name="score" value="2" required checked>' in other.text
    assert answer(shopcare).score == 8


async def test_the_post_records_the_score_then_asks_for_more(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient, token: str
) -> None:
    sent = await client.post(f"/feedback/{token}", data=signed(shopcare, {"score": "8"}))
    assert (sent.status_code, sent.headers["location"]) == (303, f"/feedback/{token}?saved=1")
    stored = answer(shopcare)
    assert (stored.score, stored.answered_at, stored.updated_at) == (8, clock(), None)

    more = await client.get(sent.headers["location"])
    assert "your score is saved" in more.text
    assert '<input type="radio" name="score" value="8" required checked>' in more.text
    assert 'name="csat"' in more.text and "How satisfied are you with your order?" in more.text
    for column in ("rating_product", "rating_delivery", "rating_packaging", "rating_communication"):
        assert f'name="{column}" value="" checked>' in more.text  # "No answer" until rated
    assert f'href="/feedback/{token}/thanks"' in more.text  # the step may be skipped


async def test_a_second_visit_edits_the_one_answer(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient, token: str
) -> None:
    first = clock()
    await client.post(f"/feedback/{token}", data=signed(shopcare, {"score": "8"}))
    done = await post_details(
        shopcare, client, token, score="9", csat="5", rating_product="4",
        rating_delivery="2", comment="Lovely mug, slow parcel",
    )  # fmt: skip
    assert (done.status_code, done.headers["location"]) == (303, f"/feedback/{token}/thanks")
    clock.advance(days=3)

    again = (await client.get(f"/feedback/{token}")).text
    assert '<input type="radio" name="score" value="9" required checked>' in again
    assert '<input type="radio" name="csat" value="5" checked>' in again
    assert '<input type="radio" name="rating_delivery" value="2" checked>' in again
    assert "Lovely mug, slow parcel</textarea>" in again
    await post_details(shopcare, client, token, score="10", csat="5", comment="Arrived fine")

    with shopcare.sessions() as session:
        rows = session.exec(select(Feedback)).all()
    assert len(rows) == 1
    stored = rows[0]
    assert (stored.score, stored.csat, stored.comment) == (10, 5, "Arrived fine")
    assert (stored.rating_product, stored.rating_delivery) == (None, None)  # unrated now
    assert (stored.answered_at, stored.updated_at) == (first, clock())


async def test_ratings_out_of_range_are_refused_with_the_reason(
    shopcare: ShopCare, client: httpx.AsyncClient, token: str
) -> None:
    for fields in ({"score": "7", "csat": "6"}, {"score": "7", "rating_packaging": "0"}):
        refused = await post_details(shopcare, client, token, **fields)
        assert refused.status_code == 400
        assert "Choose a rating from 1 to 5." in refused.text
    assert answer(shopcare).score is None


async def test_a_link_answers_for_60_days_then_says_so_in_the_shoppers_language(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient, token: str
) -> None:
    with transaction(shopcare.sessions) as session:
        customer = session.exec(select(Customer)).one()
        customer.locale = "de"
        session.add(customer)
    clock.advance(days=60)
    assert (await client.get(f"/feedback/{token}?score=9")).status_code == 200
    clock.advance(minutes=1)

    page = await client.get(f"/feedback/{token}?score=9")
    assert page.status_code == 410
    assert "Dieser Feedback-Link ist abgelaufen" in page.text and '<html lang="de">' in page.text
    late = await client.post(f"/feedback/{token}", data=signed(shopcare, {"score": "9"}))
    assert late.status_code == 410
    assert answer(shopcare).score is None
    assert (await client.get("/feedback/no-such-token")).status_code == 404


async def test_the_pages_speak_the_shoppers_language(
    shopcare: ShopCare, client: httpx.AsyncClient, token: str
) -> None:
    page = await client.get(f"/feedback/{token}?score=3&lang=fr")
    assert "Vous avez choisi 3 sur 10." in page.text and "Envoyer ma note" in page.text
    await client.post(f"/feedback/{token}", data=signed(shopcare, {"score": "3"}))
    more = await client.get(f"/feedback/{token}?lang=ar")
    assert 'dir="rtl"' in more.text and "سرعة التوصيل" in more.text


async def test_promoters_are_offered_the_review_page_and_everyone_the_code(
    shopcare: ShopCare, client: httpx.AsyncClient, token: str
) -> None:
    update_profile(shopcare.sessions, review_url=REVIEW, feedback_discount_code="THANKS10")
    assert (await client.get(f"/feedback/{token}/thanks")).status_code == 303  # nothing yet

    await client.post(f"/feedback/{token}", data=signed(shopcare, {"score": "9"}))
    promoter = (await client.get(f"/feedback/{token}/thanks")).text
    assert f'href="{REVIEW}"' in promoter and "Write a review" in promoter
    assert "THANKS10" in promoter

    await client.post(f"/feedback/{token}", data=signed(shopcare, {"score": "7"}))
    passive = (await client.get(f"/feedback/{token}/thanks")).text
    await client.post(f"/feedback/{token}", data=signed(shopcare, {"score": "2"}))
    detractor = (await client.get(f"/feedback/{token}/thanks")).text
    for page in (passive, detractor):
        assert REVIEW not in page and "Write a review" not in page
        assert "THANKS10" in page

    update_profile(shopcare.sessions, feedback_discount_code="")
    assert "A thank-you from us" not in (await client.get(f"/feedback/{token}/thanks")).text


async def test_a_detractor_puts_the_order_on_the_problem_list(
    shopcare: ShopCare, client: httpx.AsyncClient, token: str
) -> None:
    await client.post(f"/feedback/{token}", data=signed(shopcare, {"score": "8"}))
    assert problems(shopcare) == []  # a passive needs no answer

    await client.post(f"/feedback/{token}", data=signed(shopcare, {"score": "3"}))
    assert problems(shopcare) == [("low_score", "open", "Feedback score 3/10")]
    (item,) = report_page(shopcare.sessions).rows  # the owner's list, with its order
    assert (item.kind, item.order_number) == (ProblemKind.LOW_SCORE, "1001")
    await post_details(shopcare, client, token, score="2", rating_delivery="1",
                       comment="Two weeks late")  # fmt: skip
    assert problems(shopcare) == [
        ("low_score", "open", "Feedback score 2/10\nRated delivery 1/5\nTwo weeks late")
    ]  # one item, kept in step with the answer

    await post_details(shopcare, client, token, score="9", comment="Sorted, thanks!")
    assert problems(shopcare) == [("low_score", "resolved", "Feedback score 9/10\nSorted, thanks!")]
    await post_details(shopcare, client, token, score="0")
    assert [p[:2] for p in problems(shopcare)] == [
        ("low_score", "resolved"), ("low_score", "open"),
    ]  # fmt: skip


def test_a_shopper_cannot_file_a_low_score_item_themselves(shopcare: ShopCare) -> None:
    order = make_order(shopcare, number="1002", tracking="SIMOK100002")
    with pytest.raises(InputError):
        report_problem(
            shopcare.sessions, order.public_token, kind="low_score", message="x",
            shipment_id=None, now=shopcare.clock(),
        )  # fmt: skip


async def test_an_unanswered_expired_form_gets_a_fresh_link_from_the_next_prompt(
    shopcare: ShopCare, clock: FakeClock, client: httpx.AsyncClient, token: str
) -> None:
    clock.advance(days=61)
    order_id = answer(shopcare).order_id
    fresh = feedback_token_after_delivery(shopcare.sessions, order_id, now=clock())
    assert fresh != token
    assert (await client.get(f"/feedback/{fresh}?score=9")).status_code == 200
    old = await client.get(f"/feedback/{token}")
    assert old.status_code == 404 and "This link is not valid any more." in old.text
