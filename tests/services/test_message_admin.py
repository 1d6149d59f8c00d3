"""The owner's message helpers: own templates, the preview against a real order, the test
email, the SMS account and the shop details emails show."""

from dataclasses import replace

import pytest
from sqlmodel import col, func, select, update

from shopcare.app import ShopCare
from shopcare.db.models import Customer, Feedback, MessageTemplate, OrderLine
from shopcare.domain.messages import MessageKind
from shopcare.notify.base import Channel, SendError
from shopcare.notify.render import TemplateSet, default_templates, sample_context
from shopcare.services.errors import InputError
from shopcare.services.messages.admin import (
    MASK,
    load_template,
    made_up,
    missing_channels,
    preview,
    preview_context,
    reset_template,
    save_profile,
    save_sms,
    save_template,
    send_test,
    sms_view,
)
from shopcare.services.messages.outgoing import owner_template
from shopcare.services.messages.rules import channel_rules, get_rules, update_rules
from shopcare.services.returns.requests import open_return
from shopcare.services.shop.profile import get_profile, update_profile
from tests.conftest import PUBLIC_URL, FakeClock
from tests.services.helpers import make_order
from tests.services.test_outbox import Recorder

SHIPPED = MessageKind.SHIPPED
OWN = TemplateSet(
    subject="Unterwegs: {{ m.order_number }}",
    html="<p>Hallo {{ m.customer_name }}</p>",
    text="Hallo {{ m.customer_name }}, {{ m.tracking_number }}",
)
BROKEN = replace(OWN, subject="{{ m.order_number ")


def stored_templates(app: ShopCare) -> list[MessageTemplate]:
    with app.sessions() as session:
        return list(session.exec(select(MessageTemplate)))


def test_the_editor_starts_from_the_default(shopcare: ShopCare) -> None:
    edited = load_template(shopcare.sessions, SHIPPED, "de")
    assert edited.template == default_templates(SHIPPED)
    assert not edited.custom


def test_a_saved_template_is_what_sending_uses(shopcare: ShopCare, clock: FakeClock) -> None:
    update_profile(shopcare.sessions, timezone="Europe/Berlin")
    save_template(shopcare.sessions, SHIPPED, "de", replace(OWN, text="first"), now=clock())
    save_template(shopcare.sessions, SHIPPED, "de", OWN, now=clock.advance(minutes=5))
    assert len(stored_templates(shopcare)) == 1
    with shopcare.sessions() as session:
        assert owner_template(session, SHIPPED, "de") == OWN
        assert owner_template(session, SHIPPED, "en") is None
    edited = load_template(shopcare.sessions, SHIPPED, "de")
    assert edited.custom and edited.template == OWN
    assert edited.updated_at is not None
    assert edited.updated_at.strftime("%H:%M %Z") == "10:05 CET"


def test_a_template_with_errors_is_not_saved(shopcare: ShopCare, clock: FakeClock) -> None:
    with pytest.raises(InputError, match="Subject, line 1"):
        save_template(shopcare.sessions, SHIPPED, "de", BROKEN, now=clock())
    with pytest.raises(InputError, match="unknown language"):
        save_template(shopcare.sessions, SHIPPED, "xx", OWN, now=clock())
    assert stored_templates(shopcare) == []


def test_reset_goes_back_to_the_default(shopcare: ShopCare, clock: FakeClock) -> None:
    save_template(shopcare.sessions, SHIPPED, "de", OWN, now=clock())
    save_template(shopcare.sessions, SHIPPED, "en", OWN, now=clock())
    assert reset_template(shopcare.sessions, SHIPPED, "de") is True
    assert reset_template(shopcare.sessions, SHIPPED, "de") is False
    assert [(t.kind, t.locale) for t in stored_templates(shopcare)] == [("shipped", "en")]
    assert not load_template(shopcare.sessions, SHIPPED, "de").custom


def test_the_preview_uses_made_up_values_without_orders(shopcare: ShopCare) -> None:
    context = preview_context(shopcare.sessions, PUBLIC_URL, SHIPPED)
    assert context == sample_context()
    assert made_up(context)


def test_the_preview_shows_the_newest_order_and_its_parcel(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    make_order(shopcare, number="1001", tracking="SIMOK100001")
    clock.advance(hours=1)
    make_order(shopcare, number="1002", tracking="SIMOK100002", email="ben@example.com")
    context = preview_context(shopcare.sessions, PUBLIC_URL, SHIPPED)
    assert (context.order_number, context.tracking_number) == ("1002", "SIMOK100002")
    assert context.items == ["2 × Ceramic mug", "1 × Tea towel"]
    assert context.tracking_url.startswith(f"{PUBLIC_URL}/t/")
    assert not made_up(context)


def test_a_preview_writes_nothing(shopcare: ShopCare) -> None:
    make_order(shopcare)
    with shopcare.sessions() as session:
        session.exec(update(Customer).values(unsubscribe_token=None))
        session.commit()
    context = preview_context(shopcare.sessions, PUBLIC_URL, MessageKind.FEEDBACK_REQUEST)
    assert context.feedback_url.startswith(f"{PUBLIC_URL}/feedback/")
    assert context.unsubscribe_url.startswith(f"{PUBLIC_URL}/unsubscribe/")
    with shopcare.sessions() as session:
        assert session.exec(select(func.count()).select_from(Feedback)).one() == 0
        assert session.exec(select(Customer.unsubscribe_token)).all() == [None]


def test_a_return_message_is_previewed_with_the_newest_return(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    order = make_order(shopcare)
    make_order(shopcare, number="1002", tracking="", email="ben@example.com")
    with shopcare.sessions() as session:
        line = session.exec(
            select(OrderLine.id).where(OrderLine.order_id == order.id).order_by(col(OrderLine.id))
        ).first()
    assert line is not None
    open_return(
        shopcare.sessions,
        order_token=order.public_token,
        quantities={line: 1},
        reason="damaged",
        now=clock(),
    )
    context = preview_context(shopcare.sessions, PUBLIC_URL, MessageKind.RETURN_APPROVED)
    assert context.order_number == "1001"
    assert context.rma and context.return_url.startswith(f"{PUBLIC_URL}/r/")
    assert preview_context(shopcare.sessions, PUBLIC_URL, SHIPPED).order_number == "1002"


def test_the_preview_renders_the_edited_text_in_the_chosen_language() -> None:
    shown = preview(SHIPPED, OWN, sample_context(), locale="de")
    assert shown.errors == []
    assert shown.message is not None
    assert shown.message.subject == "Unterwegs: 1042"
    assert shown.message.text == "Hallo Anna Schmidt, JJD000390007882914\n"
    default = preview(SHIPPED, default_templates(SHIPPED), sample_context(), locale="de")
    assert default.message is not None and "1042" in default.message.subject


def test_the_preview_says_what_is_wrong() -> None:
    shown = preview(SHIPPED, BROKEN, sample_context(), locale="en")
    assert shown.message is None
    assert len(shown.errors) == 1 and shown.errors[0].startswith("Subject, line 1")


def test_a_template_that_fails_on_the_real_order_is_caught_too() -> None:
    real = replace(sample_context(), estimated_delivery=None)
    needs_a_day = replace(OWN, text="{{ m.estimated_delivery.year }}")
    shown = preview(SHIPPED, needs_a_day, real, locale="en")
    assert shown.message is None
    assert shown.errors and shown.errors[0].startswith("Text")


async def test_a_test_email_goes_to_the_support_address(shopcare: ShopCare) -> None:
    make_order(shopcare)
    recorder = Recorder()
    to = await send_test(
        shopcare.sessions,
        {Channel.EMAIL: recorder},
        kind=SHIPPED,
        locale="de",
        template=OWN,
        public_url=PUBLIC_URL,
    )
    profile = get_profile(shopcare.sessions)
    assert to == profile.support_email
    [sent] = recorder.sent
    assert (sent.recipient, sent.subject) == (profile.support_email, "[Test] Unterwegs: 1001")
    assert sent.html == "<p>Hallo Anna Schmidt</p>"
    assert sent.sender_address == profile.sender_email and sent.message_id


async def test_a_test_email_is_refused_or_fails_with_a_reason(shopcare: ShopCare) -> None:
    failing = Recorder(fail=SendError("550 no such mailbox", permanent=True), times=1)
    senders = {Channel.EMAIL: failing}
    args = {"kind": SHIPPED, "locale": "en", "public_url": PUBLIC_URL}
    with pytest.raises(InputError, match="Subject, line 1"):
        await send_test(shopcare.sessions, senders, template=BROKEN, **args)
    with pytest.raises(SendError, match="no such mailbox"):
        await send_test(shopcare.sessions, senders, template=OWN, **args)
    assert failing.sent == []


def test_the_sms_token_comes_back_masked_and_is_kept(shopcare: ShopCare) -> None:
    account = {"account_sid": "AC123", "from_number": "+4915112345678", "api_url": ""}
    save_sms(shopcare.sessions, auth_token="secret-token", **account)
    assert sms_view(shopcare.sessions)["auth_token"] == MASK
    assert sms_view(shopcare.sessions)["api_url"] == "https://api.twilio.com"
    save_sms(shopcare.sessions, auth_token=MASK, **account)
    assert channel_rules(shopcare.sessions).sms_auth_token == "secret-token"
    save_sms(shopcare.sessions, auth_token="", **account)
    assert sms_view(shopcare.sessions)["auth_token"] == ""


def test_a_bad_sms_account_is_refused(shopcare: ShopCare) -> None:
    with pytest.raises(InputError, match="must look like"):
        save_sms(
            shopcare.sessions, account_sid="AC1", auth_token="t", from_number="0151", api_url=""
        )
    with pytest.raises(InputError, match="must start with https://"):
        save_sms(
            shopcare.sessions,
            account_sid="AC1",
            auth_token="t",
            from_number="+4915112345678",
            api_url="api.twilio.com",
        )
    assert get_rules(shopcare.sessions).sms_account_sid == ""


def test_channels_without_an_account_are_named(shopcare: ShopCare) -> None:
    rules = get_rules(shopcare.sessions)
    assert missing_channels(rules, ["email", "sms", "webhook"]) == ["sms", "webhook"]
    rules = update_rules(
        shopcare.sessions, webhook_url="https://example.com/hook", webhook_secret="s" * 32
    )
    assert missing_channels(rules, ["email", "sms", "webhook"]) == ["sms"]


def test_the_shop_details_are_checked_as_emails_use_them(shopcare: ShopCare) -> None:
    saved = save_profile(
        shopcare.sessions,
        name=" Bean & Leaf ",
        support_email="help@bean.example",
        brand_color="#8a4b2d",
        logo_url="https://bean.example/logo.png",
        review_url="",
    )
    assert (saved.name, saved.brand_color) == ("Bean & Leaf", "#8a4b2d")
    for changes, problem in (
        ({"brand_color": "red; background: url(x)"}, "brand colour"),
        ({"sender_email": "shop"}, "not an email address"),
        ({"shop_url": "bean.example"}, "must start with https://"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
    ):
        with pytest.raises(InputError, match=problem):
            save_profile(shopcare.sessions, **changes)
    assert get_profile(shopcare.sessions) == saved
