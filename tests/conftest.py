"""Shared fixtures: a data dir per test, a clock the test moves, a real SMTP server."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from shopcare.app import ShopCare, build
from shopcare.config import Settings, SmtpConfig, load_settings, with_public_url
from shopcare.services.setup.address import save_address
from shopcare.services.shop.profile import update_profile
from tests.adapters.carrier_server import CarrierServer, serve
from tests.store import fresh_database, on_postgres, store_independent

PUBLIC_URL = "http://shop.test"


class FakeClock:
    """The time every service sees; tests move it forward instead of sleeping."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if store_independent(item.path):
            item.add_marker(pytest.mark.store_independent)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture(autouse=True)
def store_url(
    monkeypatch: pytest.MonkeyPatch, worker_id: str, request: pytest.FixtureRequest
) -> str | None:
    """The PostgreSQL database of this test when the suite runs there (``tests.store``),
    also handed to every ``load_settings()`` through the environment; None on SQLite."""
    if not on_postgres():
        monkeypatch.delenv("SHOPCARE_DATABASE_URL", raising=False)
        return None
    pristine = request.node.get_closest_marker("pristine_store") is not None
    url = fresh_database(worker_id, pristine=pristine)
    monkeypatch.setenv("SHOPCARE_DATABASE_URL", url)
    return url


def store_env(url: str | None) -> dict[str, str]:
    """The environment ``load_settings`` needs for the test's store."""
    return {"SHOPCARE_DATABASE_URL": url} if url else {}


@pytest.fixture
def settings(tmp_path: Path, store_url: str | None) -> Settings:
    return with_public_url(
        load_settings(store_env(store_url), data_dir=str(tmp_path / "data")), PUBLIC_URL
    )


@pytest.fixture
def shopcare(settings: Settings, clock: FakeClock) -> Iterator[ShopCare]:
    app = build(settings, clock=clock, simulated=True)
    set_up_shop(app)
    yield app
    app.engine.dispose()


def set_up_shop(app: ShopCare) -> None:
    """The shop details a store needs before shoppers' messages go out (its setup): the
    tests that are not about the setup start from a shop that has done it."""
    save_address(app.sessions, PUBLIC_URL)  # as the owner enters it, for other processes
    update_profile(
        app.sessions,
        name="Test Shop",
        support_email="help@shop.test",
        return_address="Test Shop\nReturns\n2 Test Street\n10115 Berlin\nGermany",
    )


@dataclass
class SmtpInbox:
    """A real SMTP server on loopback; what it received, parsed."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        return "250 Message accepted for delivery"

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_inbox() -> Iterator[SmtpInbox]:
    inbox = SmtpInbox(host="127.0.0.1", port=free_port())
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def carrier_server() -> Iterator[CarrierServer]:
    """A real HTTP server on loopback that answers like a carrier API (see carrier_server.py)."""
    yield from serve()


@dataclass
class RawInbox:
    """Keeps each message as the bytes that arrived: a signature is over bytes."""

    messages: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        self.messages.append(envelope.original_content or envelope.content)
        return "250 OK"


@pytest.fixture
def raw_inbox() -> Iterator[tuple[RawInbox, SmtpConfig]]:
    inbox, port = RawInbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, SmtpConfig(host="127.0.0.1", port=port, security="plain", timeout_s=5)
    controller.stop()
