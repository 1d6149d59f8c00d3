"""The owner's first hour on a new shop (no demo): the guided setup from an empty store to a
test email received by a real SMTP server, shopper mail held until the setup is done, the
dashboard saying why, and the settings the environment fixes shown read-only."""

from __future__ import annotations

import asyncio
from pathlib import Path

import dkim
import pytest
from nicegui import ui
from nicegui.testing import User

from shopcare.app import ShopCare, build
from shopcare.config import SmtpConfig, load_settings
from shopcare.services.setup.address import save_address
from shopcare.services.setup.mail import save_mail_server
from shopcare.services.shop.profile import update_profile
from tests.conftest import RawInbox, SmtpInbox
from tests.services.helpers import make_order
from tests.ui.admin_support import only, sign_in


def store() -> ShopCare:
    return build(load_settings())


def first_order(app: ShopCare) -> None:
    make_order(app, tracking="")


async def arrives(inbox: SmtpInbox, subject: str) -> None:
    """Wait for ``subject`` at the SMTP server: up to 15 s, three of the running app's
    5-second dispatch runs (a guard against hanging, not a measurement)."""
    for _ in range(300):
        if subject in inbox.subjects():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never arrived: {subject!r}; arrived: {inbox.subjects()}")


@pytest.mark.usefixtures("new_shop")
async def test_a_new_shop_is_taken_through_the_setup_to_a_test_email(
    user: User, smtp_inbox: SmtpInbox
) -> None:
    await sign_in(user)
    await user.open("/admin")
    await user.should_see("Set up your shop")  # a new shop opens the setup, not zeros

    only(user, ui.input, "shop-name").set_value("Kaffee Rösterei")
    only(user, ui.input, "shop-support-email").set_value("hilfe@roesterei.example")
    only(user, ui.input, "shop-sender-email").set_value("laden@roesterei.example")
    only(user, ui.textarea, "shop-return-address").set_value("Kaffee Rösterei\nHafenstr. 3")
    user.find(marker="save-shop").click()
    await user.should_see("Shop details saved")

    only(user, ui.input, "mail-host").set_value(smtp_inbox.host)
    only(user, ui.select, "mail-security").set_value("plain")
    only(user, ui.number, "mail-port").set_value(smtp_inbox.port)
    user.find(marker="mail-test").click()
    await user.should_see("Sent to hilfe@roesterei.example")
    assert smtp_inbox.subjects() == ["Test email from ShopCare for Kaffee Rösterei"]
    assert smtp_inbox.messages[0]["From"] == "Kaffee Rösterei <laden@roesterei.example>"

    only(user, ui.input, "public-url").set_value("track.roesterei.example")
    user.find(marker="public-url-save").click()
    await user.should_see("Public address saved")

    app = store()
    setup = app.setup_checklist()
    assert setup.missing == []
    assert app.public_url == "https://track.roesterei.example"
    assert app.mail_server() is not None
    app.engine.dispose()

    user.find(marker="setup-later").click()
    await user.should_see("Needs action now")  # left: the dashboard, and it stays there
    await user.open("/admin")
    await user.should_see("Needs action now")

    # the first order, by hand: its shopper gets the confirmation through the mail server
    await user.open("/admin/orders/new")
    user.find(marker="order-number").type("1001")
    user.find(marker="customer-name").type("Mia Keller")
    user.find(marker="email").type("mia@example.com")
    user.find(marker="item-1-title").type("Ceramic mug")
    user.find(marker="item-1-price").type("19,00")
    user.find(marker="create-order").click()
    await user.should_see("Order 1001")
    # The running admin sends it, woken by the order's commit (``ShopCare.wake_dispatch``);
    # a second dispatcher here would race it for the row, and which one claims it first
    # depends on the machine's load.
    await arrives(smtp_inbox, "Your order 1001 is confirmed")
    assert smtp_inbox.subjects() == [
        "Test email from ShopCare for Kaffee Rösterei",
        "Your order 1001 is confirmed",
    ]
    confirmation = smtp_inbox.messages[-1]
    assert confirmation["From"] == "Kaffee Rösterei <laden@roesterei.example>"
    text = confirmation.get_body(("plain",))
    assert text is not None and "https://track.roesterei.example/t/" in text.get_content()


@pytest.mark.usefixtures("new_shop")
async def test_a_failing_mail_server_is_named_and_nothing_is_claimed_sent(
    user: User, smtp_inbox: SmtpInbox
) -> None:
    app = store()
    update_profile(app.sessions, name="Laden", support_email="hilfe@laden.example")
    app.engine.dispose()
    await sign_in(user)
    await user.open("/admin/email")
    only(user, ui.input, "mail-host").set_value(smtp_inbox.host)
    only(user, ui.select, "mail-security").set_value("plain")
    only(user, ui.number, "mail-port").set_value(smtp_inbox.port + 1)  # nothing listens
    user.find(marker="mail-test").click()
    await user.should_see("Not sent: cannot connect to the mail server")
    assert smtp_inbox.subjects() == []


@pytest.mark.usefixtures("new_shop")
async def test_shopper_mail_waits_until_the_setup_is_done_and_the_dashboard_says_why(
    user: User, smtp_inbox: SmtpInbox
) -> None:
    app = store()
    save_mail_server(app.sessions, host=smtp_inbox.host, port=smtp_inbox.port, security="plain")
    first_order(app)
    report = await app.dispatch_once()
    assert (report.sent, report.held) == (0, 1)
    assert smtp_inbox.subjects() == []

    await sign_in(user)
    await user.open("/admin/start")
    user.find(marker="setup-later").click()
    await user.should_see("1 email is waiting until you finish setup")
    await user.should_see("Continue setup")

    update_profile(
        app.sessions,
        name="Kaffee Rösterei",
        support_email="hilfe@roesterei.example",
        return_address="Kaffee Rösterei\nHafenstr. 3\n20457 Hamburg",
    )
    assert (await app.dispatch_once()).held == 1  # the public address is still missing
    save_address(app.sessions, "https://track.roesterei.example")
    report = await app.dispatch_once()
    await app.stop()
    app.engine.dispose()
    assert (report.sent, report.held) == (1, 0)
    assert smtp_inbox.subjects() == ["Your order 1001 is confirmed"]
    body = smtp_inbox.messages[0].get_body(("plain",))
    assert body is not None
    assert "https://track.roesterei.example/t/" in body.get_content()
    assert "127.0.0.1" not in smtp_inbox.messages[0].as_string()


@pytest.fixture
def shop_set_by_environment(new_shop: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SHOPCARE_PUBLIC_URL", "https://env.example")
    monkeypatch.setenv("SHOPCARE_SMTP_URL", "smtp+starttls://mailer:secret@smtp.env.example:587")
    return new_shop


@pytest.mark.usefixtures("shop_set_by_environment")
async def test_what_the_environment_sets_wins_and_is_shown_read_only(user: User) -> None:
    app = store()
    save_address(app.sessions, "https://stored.example")
    save_mail_server(app.sessions, host="smtp.stored.example", port=587, security="starttls")
    assert app.public_url == "https://env.example"
    server = app.mail_server()
    assert server is not None and server.host == "smtp.env.example"
    app.engine.dispose()
    await sign_in(user)
    await user.open("/admin/email")
    await user.should_see(
        "Public address: https://env.example, set by the environment (SHOPCARE_PUBLIC_URL)."
    )
    await user.should_see(
        "Mail server: smtp.env.example:587, set by the environment (SHOPCARE_SMTP_URL)."
    )
    await user.should_not_see(marker="public-url")
    await user.should_not_see(marker="mail-host")
    await user.should_not_see("secret")  # the password in the URL is never shown


@pytest.mark.usefixtures("new_shop")
async def test_webhook_addresses_say_when_no_one_outside_can_reach_them(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/carriers")
    await user.should_see("No public address is set yet")
    await user.should_see("http://127.0.0.1:8080/webhooks/carrier/")
    app = store()
    save_address(app.sessions, "https://track.roesterei.example")
    app.engine.dispose()
    await user.open("/admin/carriers")
    await user.should_see("https://track.roesterei.example/webhooks/carrier/")
    await user.should_not_see(marker="unreachable-note")
    await user.open("/admin/mailbox")
    await user.should_see("Emails land here until a mail server is set")


@pytest.mark.usefixtures("new_shop")
async def test_shopcare_signs_mail_from_the_admin_and_the_record_it_shows_verifies(
    user: User, raw_inbox: tuple[RawInbox, SmtpConfig]
) -> None:
    inbox, smtp = raw_inbox
    app = store()
    update_profile(
        app.sessions,
        name="Laden",
        sender_email="laden@roesterei.example",
        support_email="hilfe@roesterei.example",
    )
    save_mail_server(app.sessions, host=smtp.host, port=smtp.port, security="plain")
    app.engine.dispose()
    await sign_in(user)
    await user.open("/admin/email")
    user.find(marker="dkim-start").click()
    await user.should_see("ShopCare signs mail from roesterei.example with DKIM")
    record = only(user, ui.label, content="v=DKIM1; k=rsa; p=").text
    await user.should_see("DKIM: shopcare._domainkey.roesterei.example")
    key = user_data_dir() / "dkim" / "shopcare._domainkey.roesterei.example.pem"
    assert key.stat().st_mode & 0o777 == 0o600

    user.find(marker="mail-test").click()
    await user.should_see("Sent to hilfe@roesterei.example")
    (message,) = inbox.messages
    assert message.startswith(b"DKIM-Signature: ")

    def dns(query: bytes, timeout: float = 5) -> bytes | None:
        wanted = b"shopcare._domainkey.roesterei.example."
        return record.encode() if query == wanted else None

    assert dkim.verify(message, dnsfunc=dns)
    user.find(marker="dkim-stop").click()
    await user.should_see(marker="dkim-start")


def user_data_dir() -> Path:
    return load_settings().data_dir


@pytest.mark.usefixtures("admin_data_dir")
async def test_the_demo_says_what_setup_misses_without_claiming_mail_waits(user: User) -> None:
    """The demo has no public address, but its mail goes to the dev mailbox, which holds
    nothing back: the dashboard says what is missing and what happens to mail meanwhile."""
    await sign_in(user)
    await user.open("/admin")
    await user.should_see("Finish setup: public address. Emails go to the dev mailbox for now")
    await user.should_see(marker="dev-mailbox-banner")
