"""The dev mailbox (the SMTP sender is in test_smtp.py) and the message templates."""

from datetime import UTC, datetime
from pathlib import Path

from shopcare.domain.messages import MessageKind
from shopcare.notify.base import Outgoing
from shopcare.notify.devmailbox import DevMailbox, read_mailbox
from shopcare.notify.render import MessageContext, render_message

HOSTILE = "<script>alert(1)</script>"


async def test_the_dev_mailbox_keeps_messages_to_read_back(tmp_path: Path) -> None:
    box = DevMailbox(tmp_path / "mailbox")
    await box.send(
        Outgoing(
            kind=MessageKind.SHIPPED,
            recipient="anna@example.com",
            subject="Your order 1001 is on its way",
            text=f"Hello {HOSTILE}, DHL JJD0001",
            html="<p>Hello &lt;script&gt;alert(1)&lt;/script&gt;, DHL JJD0001</p>",
            sender_name="Demo Coffee",
            sender_address="hello@demo.example",
        )
    )
    (mail,) = read_mailbox(tmp_path / "mailbox")
    assert mail.to == "anna@example.com"
    assert mail.subject == "Your order 1001 is on its way"
    assert mail.date is not None and mail.date <= datetime.now(UTC)
    assert HOSTILE in mail.text  # plain text is kept as written
    assert mail.html.strip() == "<p>Hello &lt;script&gt;alert(1)&lt;/script&gt;, DHL JJD0001</p>"


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
        # A parcel watcher's email names the parcel, never the order it belongs to.
        parcel_only = kind in (MessageKind.WATCH_UPDATE, MessageKind.WATCH_CONFIRM)
        assert ("1001" in rendered.subject) is not parcel_only
        assert 'href="http://shop.test/t/tok"' in rendered.html
        assert "http://shop.test/t/tok" in rendered.text
        assert HOSTILE not in rendered.html
        assert "Shop &amp; Co" in rendered.html
