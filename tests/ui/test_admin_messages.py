"""The owner's side of notifications: message rules, sending limits, the SMS and webhook
accounts, the template editor with its preview and test email, resending from an order,
and the shop details emails show.

Same set-up as ``test_admin.py``: a demo shop and a signed-in owner per test.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from nicegui import ui
from nicegui.testing import User
from sqlmodel import col, select

from shopcare.app import ShopCare, build
from shopcare.config import load_settings
from shopcare.db.engine import transaction
from shopcare.db.models import Customer, OutboxMessage, ShopOrder
from shopcare.domain.messages import MessageKind
from shopcare.notify.render import default_templates
from shopcare.services.messages.admin import MASK, TemplateSet, save_template
from shopcare.services.messages.mailbox import dev_mailbox
from shopcare.services.messages.outbox import enqueue
from shopcare.services.messages.outgoing import owner_template
from shopcare.services.messages.rules import (
    channel_rules,
    get_rules,
    set_kind_rule,
    update_rules,
)
from shopcare.services.shop.profile import get_profile
from tests.adapters.carrier_server import CarrierServer, Reply
from tests.conftest import set_up_shop
from tests.ui.admin_support import only, sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")
SHIPPED = MessageKind.SHIPPED
SUPPORT = "support@demo-coffee.example"


@contextmanager
def store() -> Iterator[ShopCare]:
    """The test's data dir, as a second process would see it."""
    app = build(load_settings())
    try:
        yield app
    finally:
        app.engine.dispose()


def stored_template(kind: MessageKind, locale: str) -> TemplateSet | None:
    with store() as app, app.sessions() as session:
        return owner_template(session, kind, locale)


async def eventually(check, what: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(50):
        if check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never: {what}")


async def test_a_message_turned_off_and_a_new_delay_are_kept(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/messages")
    await user.should_see("Out for delivery")
    user.find(marker="delivered-enabled").click()
    user.find(marker="delivered-save").click()
    assert user.notify.contains("Delivered saved")
    user.find(marker="feedback_request-delay").clear().type("5")
    user.find(marker="feedback_request-save").click()
    assert user.notify.contains("Feedback request saved")
    with store() as app:
        rules = get_rules(app.sessions)
    assert rules.rule(MessageKind.DELIVERED).enabled is False
    assert rules.rule(MessageKind.FEEDBACK_REQUEST).delay_minutes == 5 * 24 * 60
    await user.open("/admin/messages")
    assert only(user, ui.switch, "delivered-enabled").value is False
    assert only(user, ui.number, "feedback_request-delay").value == 5


async def test_a_message_on_a_channel_without_an_account_is_flagged(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/messages")
    user.find(marker="shipped-email").click()
    user.find(marker="shipped-save").click()
    assert user.notify.contains("Shipped needs at least one channel")
    user.find(marker="shipped-sms").click()
    user.find(marker="shipped-save").click()
    assert user.notify.contains("SMS is not set up yet")
    with store() as app:
        assert get_rules(app.sessions).rule(SHIPPED).channels == ("sms",)


async def test_quiet_hours_must_be_hours(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/messages")
    user.find(marker="quiet-hours").click()
    user.find(marker="quiet-start").type("25")
    user.find(marker="save-sending").click()
    assert user.notify.contains("quiet hours need both a start and an end")
    user.find(marker="quiet-end").type("6")
    user.find(marker="save-sending").click()
    assert user.notify.contains("quiet hours are whole hours from 0 to 23")
    user.find(marker="quiet-start").clear().type("22")
    user.find(marker="hourly-cap").clear().type("50")
    user.find(marker="save-sending").click()
    assert user.notify.contains("Sending settings saved")
    with store() as app:
        rules = get_rules(app.sessions)
    assert (rules.quiet_start, rules.quiet_end, rules.hourly_cap) == (22, 6, 50)


async def test_shipped_can_wait_for_the_first_scan(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/messages")
    only(user, ui.radio, "shipped-on").value = "first_scan"
    user.find(marker="save-sending").click()
    assert user.notify.contains("Sending settings saved")
    with store() as app:
        assert get_rules(app.sessions).shipped_on == "first_scan"


async def test_the_sms_account_is_saved_and_a_bad_number_refused(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/messages")
    await user.should_see("SMS (Twilio-compatible)")
    user.find(marker="sms-sid").type("AC0123456789")
    user.find(marker="sms-token").type("twilio-token")
    user.find(marker="sms-from").type("+4915112345678")
    user.find(marker="save-sms").click()
    assert user.notify.contains("SMS account saved")
    assert only(user, ui.input, "sms-token").value == MASK
    with store() as app:
        rules = channel_rules(app.sessions)
    assert (rules.sms_account_sid, rules.sms_auth_token) == ("AC0123456789", "twilio-token")
    user.find(marker="sms-from").clear().type("0151 1234567")
    user.find(marker="save-sms").click()
    assert user.notify.contains("the SMS sender number must look like +4915112345678")
    with store() as app:
        assert get_rules(app.sessions).sms_from == "+4915112345678"


async def test_the_webhook_gets_a_generated_secret(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/messages")
    user.find(marker="webhook-url").type("https://example.com/hooks/shop")
    user.find(marker="save-webhook").click()
    assert user.notify.contains("the webhook secret needs at least 16 characters")
    user.find(marker="generate-webhook-secret").click()
    secret = only(user, ui.input, "webhook-secret").value
    assert len(secret) >= 40
    user.find(marker="save-webhook").click()
    assert user.notify.contains("Webhook saved")
    assert only(user, ui.input, "webhook-secret").value == ""  # not shown back
    with store() as app:
        assert channel_rules(app.sessions).webhook_secret == secret


async def test_an_own_template_is_saved_and_used_for_sending(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/messages/templates")
    user.find(marker="template-locale").click()
    user.find("Deutsch").click()
    assert only(user, ui.select, "template-locale").value == "de"
    user.find(marker="template-subject").clear().type("Unterwegs: {{ m.order_number }}")
    assert only(user, ui.label, "preview-subject").text == "Unterwegs: 1001"
    user.find(marker="template-save").click()
    assert user.notify.contains("Shipped (de) saved")
    saved = stored_template(SHIPPED, "de")
    assert saved is not None and saved.subject == "Unterwegs: {{ m.order_number }}"
    assert saved.text == default_templates(SHIPPED).text
    assert stored_template(SHIPPED, "en") is None
    assert only(user, ui.label, "template-state").text.startswith("Your own version, saved")


async def test_a_broken_template_shows_the_error_and_is_not_saved(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/messages/templates?kind=shipped&locale=de")
    user.find(marker="template-subject").clear().type("{{ m.order_number ")
    await user.should_see("Subject, line 1")
    user.find(marker="template-save").click()
    assert user.notify.contains("The template is not saved: Subject, line 1")
    assert stored_template(SHIPPED, "de") is None


async def test_the_preview_shows_the_newest_order(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/messages/templates")
    await user.should_see("As the shopper of order 1001 sees it")
    await user.should_see("m.tracking_url")  # the documented variables, beside the editor
    assert "1001" in only(user, ui.label, "preview-subject").text
    frame = only(user, ui.element, "preview-html")
    assert "SIMOK100001" in frame.props["srcdoc"]
    assert frame.props["sandbox"].split() == ["allow-popups", "allow-popups-to-escape-sandbox"]
    assert "1001" in only(user, ui.label, "preview-text").text


async def test_reset_goes_back_to_the_default(user: User) -> None:
    own = TemplateSet(subject="Mine {{ m.order_number }}", html="", text="Hi {{ m.shop_name }}")
    with store() as app:
        save_template(app.sessions, SHIPPED, "de", own, now=app.clock())
    await sign_in(user)
    await user.open("/admin/messages/templates?kind=shipped&locale=de")
    assert only(user, ui.input, "template-subject").value == own.subject
    assert only(user, ui.label, "preview-subject").text == "Mine 1001"
    user.find(marker="template-reset").click()
    assert user.notify.contains("Back to the default text")
    assert stored_template(SHIPPED, "de") is None
    assert only(user, ui.input, "template-subject").value == default_templates(SHIPPED).subject


async def test_a_test_email_lands_in_the_dev_mailbox(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/messages/templates?kind=delivered&locale=en")
    user.find(marker="template-subject").clear().type("Test of {{ m.order_number }}")
    user.find(marker="template-test").click()
    await eventually(lambda: user.notify.contains(f"Test sent to {SUPPORT}"), "sent")
    with store() as app:
        mails = dev_mailbox(app.sessions, app.settings.mailbox_dir)
    tests = [m for m in mails if m.to == SUPPORT]
    assert [m.subject for m in tests] == ["[Test] Test of 1001"]
    assert "1001" in tests[0].html


async def test_a_sent_message_can_be_sent_again(user: User) -> None:
    with store() as app:
        await app.dispatch_once()
        with app.sessions() as session:
            sent = session.exec(
                select(OutboxMessage).where(
                    OutboxMessage.order_id == 1, OutboxMessage.kind == "order_confirmed"
                )
            ).one()
    assert sent.status == "sent"
    await sign_in(user)
    await user.open("/admin/orders/1")
    await user.should_see("Order confirmed")
    user.find(marker=f"resend-{sent.id}").click()
    assert user.notify.contains("Queued to be sent again")
    with store() as app, app.sessions() as session:
        copies = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.order_id == 1, OutboxMessage.kind == "order_confirmed")
            .order_by(col(OutboxMessage.id))
        ).all()
    assert [m.status for m in copies[:1]] == ["sent"]
    assert len(copies) == 2 and copies[1].status in {"queued", "sending", "sent"}
    await user.should_see(marker=f"resend-{sent.id}")


async def test_a_skipped_message_says_why(user: User) -> None:
    with store() as app, transaction(app.sessions) as session:
        session.execute(
            sa.update(OutboxMessage)
            .where(col(OutboxMessage.order_id) == 2)
            .values(status="skipped", last_error="the shopper unsubscribed")
        )
        skipped = session.exec(select(OutboxMessage.id).where(OutboxMessage.order_id == 2)).first()
    await sign_in(user)
    await user.open("/admin/orders/2")
    assert only(user, ui.label, f"message-status-{skipped}").text == "Skipped"
    assert only(user, ui.label, f"message-why-{skipped}").text == "the shopper unsubscribed"
    user.find(marker=f"resend-{skipped}").click()
    assert user.notify.contains("Queued to be sent again")
    await user.should_not_see("the shopper unsubscribed")


async def test_the_shop_details_are_saved_and_checked(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/shop")
    assert only(user, ui.input, "shop-support-email").value == SUPPORT
    user.find(marker="shop-name").clear().type("Bean & Leaf")
    only(user, ui.color_input, "shop-brand-color").value = "#8a4b2d"
    user.find(marker="shop-review-url").type("https://bean.example/reviews")
    user.find(marker="shop-feedback-discount-code").type("THANKS10")
    user.find(marker="save-shop").click()
    assert user.notify.contains("Shop details saved")
    with store() as app:
        profile = get_profile(app.sessions)
    assert (profile.name, profile.brand_color) == ("Bean & Leaf", "#8a4b2d")
    assert profile.review_url == "https://bean.example/reviews"
    assert profile.feedback_discount_code == "THANKS10"
    assert profile.timezone == "Europe/Berlin"
    user.find(marker="shop-support-email").clear().type("support at shop")
    user.find(marker="save-shop").click()
    assert user.notify.contains("is not an email address")
    with store() as app:
        assert get_profile(app.sessions).support_email == SUPPORT


async def test_a_runaway_template_shows_why_and_is_not_saved(user: User) -> None:
    """Issue 11, §6: nested loops ran for over 20 s in the editor's preview and at save."""
    await sign_in(user)
    await user.open("/admin/messages/templates?kind=shipped&locale=de")
    user.find(marker="template-text").clear().type(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}x"
    )
    await user.should_see("Text, line 1: the template does too much work")
    user.find(marker="template-save").click()
    assert user.notify.contains("The template is not saved: Text, line 1: the template does")
    assert stored_template(SHIPPED, "de") is None


async def test_the_form_is_the_default_editor_and_writes_the_template(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/messages/templates?kind=shipped&locale=de")
    await user.should_see("Empty fields keep the default text")
    user.find(marker="form-intro").type("Dein Paket {{ kommt }} bald")
    user.find(marker="form-intro-order_number").click()
    assert (
        only(user, ui.textarea, "form-intro").value == "Dein Paket {{ kommt }} bald {order_number}"
    )
    assert "Dein Paket {{ kommt }} bald 1001" in only(user, ui.label, "preview-text").text
    assert "{{ m.order_number }}" in only(user, ui.textarea, "template-text").value
    user.find(marker="template-save").click()
    assert user.notify.contains("Shipped (de) saved")
    saved = stored_template(SHIPPED, "de")
    assert saved is not None and "{{ m.order_number }}" in saved.text
    await user.open("/admin/messages/templates?kind=shipped&locale=de")
    assert (
        only(user, ui.textarea, "form-intro").value == "Dein Paket {{ kommt }} bald {order_number}"
    )


async def test_a_template_written_by_hand_opens_in_the_expert_editor(user: User) -> None:
    own = TemplateSet(subject="Mine {{ m.order_number }}", html="", text="Hi {{ m.shop_name }}")
    with store() as app:
        save_template(app.sessions, SHIPPED, "de", own, now=app.clock())
    await sign_in(user)
    await user.open("/admin/messages/templates?kind=shipped&locale=de")
    await user.should_see("the form cannot show it")
    assert only(user, ui.textarea, "form-intro").enabled is False


async def test_the_whatsapp_number_and_a_template_id_are_kept(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/messages")
    await user.should_see("WhatsApp (through the SMS account)")
    user.find(marker="whatsapp-from").type("+4915112345678")
    user.find(marker="save-whatsapp").click()
    assert user.notify.contains("WhatsApp number saved")
    user.find(marker="whatsapp-sid").type("not-an-id")
    user.find(marker="save-whatsapp-sid").click()
    assert user.notify.contains("must look like HX")
    sid = "HX" + "0123456789abcdef" * 2
    user.find(marker="whatsapp-sid").clear().type(sid)
    user.find(marker="save-whatsapp-sid").click()
    assert user.notify.contains("WhatsApp template id saved")
    await user.should_see(f"shipped:en → {sid}")
    with store() as app:
        rules = get_rules(app.sessions)
    assert rules.whatsapp_from == "+4915112345678"
    assert rules.whatsapp_templates == {"shipped:en": sid}


async def test_a_whatsapp_refusal_shows_in_the_orders_message_log(
    user: User, carrier_server: CarrierServer
) -> None:
    sid, refusal = "AC0123456789abcdef", {"code": 63003, "message": "Invalid To", "status": 400}
    carrier_server.route(
        "POST", f"/2010-04-01/Accounts/{sid}/Messages.json", Reply(400, json.dumps(refusal))
    )
    with store() as app:
        set_up_shop(app)  # messages to shoppers wait until then
        update_rules(
            app.sessions,
            sms_account_sid=sid,
            sms_auth_token="tok3n",
            sms_api_url=carrier_server.url,
            whatsapp_from="+15005550006",
            whatsapp_templates={"delivered:en": "HX" + "a" * 32, "delivered:de": "HX" + "a" * 32},
        )
        set_kind_rule(
            app.sessions,
            MessageKind.DELIVERED,
            enabled=True,
            delay_minutes=0,
            channels=["whatsapp"],
        )
        with transaction(app.sessions) as session:
            order = session.get(ShopOrder, 1)
            assert order is not None
            customer = session.get(Customer, order.customer_id)
            assert customer is not None
            customer.phone, customer.whatsapp_consent_at = "+4915112345678", app.clock()
            session.add(customer)
            enqueue(session, MessageKind.DELIVERED, order=order, now=app.clock())
        await app.dispatch_once()
        await app.http.aclose()  # its connection pool, opened to reach Twilio
        with app.sessions() as session:
            (sent,) = session.exec(
                select(OutboxMessage).where(OutboxMessage.channel == "whatsapp")
            ).all()
    assert sent.status == "failed"
    await sign_in(user)
    await user.open("/admin/orders/1")
    await user.should_see("WhatsApp")
    why = only(user, ui.label, f"message-why-{sent.id}").text
    assert "not on WhatsApp" in why and "(63003)" in why


async def test_the_owner_sets_reminder_days_per_product_tag(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/messages")
    user.find(marker="reorder_reminder-tags").type("consumable 30")
    user.find(marker="save-reminder-tags").click()
    assert user.notify.contains("Reorder reminder: line 1: write a tag")
    user.find(marker="reorder_reminder-tags").clear().type("Consumable = 30\ncoffee = 21")
    user.find(marker="save-reminder-tags").click()
    assert user.notify.contains("Reminder delays saved")
    with store() as app:
        tags = get_rules(app.sessions).reminder_tags
    assert tags == {"reorder_reminder": {"consumable": 30, "coffee": 21}}
    await user.open("/admin/messages")
    shown = only(user, ui.textarea, "reorder_reminder-tags").value
    assert shown == "coffee = 21\nconsumable = 30"
