"""The SMTP sender keeps connections open between messages, and copes when the server
closes one."""

import contextlib
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from shopcare.config import SmtpConfig
from shopcare.notify.base import Outgoing, SendError
from shopcare.notify.smtp import SmtpSender
from tests.conftest import free_port


class Counting:
    def __init__(self) -> None:
        self.connections = 0
        self.delivered: list[str] = []
        self.refuse: set[str] = set()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.delivered.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def server() -> Iterator[tuple[Counting, Controller]]:
    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller
    with contextlib.suppress(AssertionError, RuntimeError):  # a test may have stopped it
        controller.stop()


def message(to: str) -> Outgoing:
    return Outgoing(
        kind="shipped", recipient=to, subject="Hi", text="x", sender_address="s@shop.example"
    )


async def test_many_messages_share_one_connection(server: tuple[Counting, Controller]) -> None:
    handler, controller = server
    sender = SmtpSender(SmtpConfig(host="127.0.0.1", port=controller.port, security="plain"))
    for n in range(5):
        await sender.send(message(f"s{n}@example.com"))
    await sender.close()
    assert handler.connections == 1 and len(handler.delivered) == 5


async def test_a_refused_recipient_leaves_the_connection_usable(
    server: tuple[Counting, Controller],
) -> None:
    handler, controller = server
    handler.refuse.add("gone@example.com")
    sender = SmtpSender(SmtpConfig(host="127.0.0.1", port=controller.port, security="plain"))
    await sender.send(message("a@example.com"))
    with pytest.raises(SendError) as caught:
        await sender.send(message("gone@example.com"))
    assert caught.value.permanent
    await sender.send(message("b@example.com"))
    await sender.close()
    assert handler.delivered == ["a@example.com", "b@example.com"]
    assert handler.connections == 1


async def test_a_connection_the_server_closed_is_reopened_once(
    server: tuple[Counting, Controller],
) -> None:
    handler, controller = server
    sender = SmtpSender(SmtpConfig(host="127.0.0.1", port=controller.port, security="plain"))
    await sender.send(message("a@example.com"))
    controller.stop()  # the server restarts, dropping the idle connection
    again = Controller(handler, hostname="127.0.0.1", port=controller.port)
    again.start()
    try:
        await sender.send(message("b@example.com"))
        await sender.close()
    finally:
        again.stop()
    assert handler.delivered == ["a@example.com", "b@example.com"]
    assert handler.connections == 2
