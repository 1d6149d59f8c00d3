from datetime import UTC, datetime
from pathlib import Path

import pytest

from shopcare.config import SmtpConfig
from shopcare.domain.messages import MessageKind
from shopcare.notify.base import SendError
from shopcare.notify.devmailbox import DevMailbox, read_mailbox
from shopcare.notify.render import MessageContext, build_email, render_message
from shopcare.notify.smtp import SmtpSender
from tests.conftest import SmtpInbox, free_port

HOSTILE = "<script>alert(1)</script>"


def message(to: str = "anna@example.com", name: str = "Anna"):
    rendered = render_message(
        MessageKind.SHIPPED,
        MessageContext(
            shop_name="Demo Coffee",
            customer_name=name,
            order_number="1001",
            tracking_url="http://shop.test/t/tok",
            items=["2 × Mug"],
            carrier="DHL",
            tracking_number="JJD0001",
        ),
    )
    return build_email(rendered, sender=("Demo Coffee", "hello@demo.example"), to=to)


async def test_smtp_delivers_a_multipart_message(smtp_inbox: SmtpInbox) -> None:
    sender = SmtpSender(SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port, security="plain"))
    await sender.send(message())
    (got,) = smtp_inbox.messages
    assert got["Subject"] == "Your order 1001 is on its way"
    assert got["From"] == "Demo Coffee <hello@demo.example>"
    assert got.get_content_type() == "multipart/alternative"
    assert "JJD0001" in got.get_body(preferencelist=("plain",)).get_content()


async def test_a_refused_recipient_is_a_permanent_failure(smtp_inbox: SmtpInbox) -> None:
    smtp_inbox.refuse.add("gone@example.com")
    sender = SmtpSender(SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port, security="plain"))
    with pytest.raises(SendError) as caught:
        await sender.send(message(to="gone@example.com"))
    assert caught.value.permanent


async def test_a_server_that_is_down_is_a_temporary_failure() -> None:
    sender = SmtpSender(
        SmtpConfig(host="127.0.0.1", port=free_port(), security="plain", timeout_s=2)
    )
    with pytest.raises(SendError) as caught:
        await sender.send(message())
    assert not caught.value.permanent


async def test_a_starttls_server_that_does_not_offer_it_is_refused(smtp_inbox: SmtpInbox) -> None:
    sender = SmtpSender(SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port, security="starttls"))
    with pytest.raises(SendError):
        await sender.send(message())
    assert smtp_inbox.messages == []


async def test_the_dev_mailbox_keeps_messages_to_read_back(tmp_path: Path) -> None:
    box = DevMailbox(tmp_path / "mailbox")
    await box.send(message(name=HOSTILE))
    (mail,) = read_mailbox(tmp_path / "mailbox")
    assert mail.to == "anna@example.com"
    assert mail.subject == "Your order 1001 is on its way"
    assert mail.date is not None and mail.date <= datetime.now(UTC)
    assert HOSTILE in mail.text  # plain text is plain
    assert HOSTILE not in mail.html and "&lt;script&gt;" in mail.html


def test_every_message_renders_with_a_tracking_link_and_escapes_names() -> None:
    for kind in MessageKind:
        rendered = render_message(
            kind,
            MessageContext(
                shop_name="Shop & Co",
                customer_name=HOSTILE,
                order_number="1001",
                tracking_url="http://shop.test/t/tok",
            ),
        )
        assert "1001" in rendered.subject
        assert 'href="http://shop.test/t/tok"' in rendered.html
        assert "http://shop.test/t/tok" in rendered.text
        assert HOSTILE not in rendered.html
        assert "Shop &amp; Co" in rendered.html
