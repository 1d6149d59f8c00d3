"""Issue 11, §6: an owner's template that would run for seconds or take hundreds of
megabytes is refused when it is saved, and one stored anyway (an older version, a row
written by hand) is stopped at send within the limits and the default goes out instead."""

import logging

import pytest
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import MessageTemplate
from shopcare.domain.messages import MessageKind
from shopcare.notify.render import TemplateSet, default_templates
from shopcare.services.errors import InputError
from shopcare.services.messages.admin import load_template, preview, sample_context, save_template
from tests.conftest import FakeClock
from tests.services.helpers import make_order
from tests.services.test_notifications import dispatch

CONFIRMED = MessageKind.ORDER_CONFIRMED
NESTED_LOOPS = (
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    "Hello {{ m.customer_name }}"
)
HUGE_TEXT = "{{ 'a' * 300000000 }}"
CENTERED = "{{ m.order_number|center(10**9) }}"


def own(text: str) -> TemplateSet:
    return TemplateSet(subject="Order {{ m.order_number }}", html="", text=text)


def stored(app: ShopCare) -> list[MessageTemplate]:
    with app.sessions() as session:
        return list(session.exec(select(MessageTemplate)))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (NESTED_LOOPS, "Text, line 1: the template does too much work"),
        (HUGE_TEXT, "Text, line 1: repeating a text or list 300,000,000 times"),
        (CENTERED, "Text, line 1: 1,000,000,000 is too large"),
    ],
)
def test_a_runaway_template_is_refused_at_save_with_the_reason(
    shopcare: ShopCare, clock: FakeClock, text: str, reason: str
) -> None:
    with pytest.raises(InputError, match=f"The template is not saved: {reason}"):
        save_template(shopcare.sessions, CONFIRMED, "en", own(text), now=clock())
    assert stored(shopcare) == []


@pytest.mark.parametrize("text", [NESTED_LOOPS, HUGE_TEXT, CENTERED])
async def test_a_runaway_template_stored_anyway_sends_the_default(
    shopcare: ShopCare, clock: FakeClock, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    with shopcare.sessions() as session:
        session.add(
            MessageTemplate(
                kind=CONFIRMED,
                locale="en",
                subject="Order {{ m.order_number }}",
                html="",
                text=text,
                updated_at=clock(),
            )
        )
        session.commit()
    make_order(shopcare, tracking="")
    with caplog.at_level(logging.WARNING, logger="shopcare.notify.render"):
        sent = (await dispatch(shopcare, clock)).sent
    assert [message.subject for message in sent] == ["Your order 1001 is confirmed"]
    assert "The order_confirmed template failed (Text" in caplog.text
    # The owner sees why in the editor, as for a syntax error.
    edited = load_template(shopcare.sessions, CONFIRMED, "en")
    shown = preview(CONFIRMED, edited.template, sample_context(), locale="en")
    assert shown.message is None
    assert shown.errors and shown.errors[0].startswith("Text, line 1: ")


def test_the_default_templates_still_save_as_they_are(shopcare: ShopCare, clock: FakeClock) -> None:
    for kind in MessageKind:
        save_template(shopcare.sessions, kind, "en", default_templates(kind), now=clock())
    assert len(stored(shopcare)) == len(MessageKind)
