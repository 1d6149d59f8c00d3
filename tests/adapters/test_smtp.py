"""SmtpSender against real aiosmtpd servers on loopback: plain, STARTTLS, implicit TLS, AUTH,
refusals, a server that is down and one that does not answer in time."""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from shopcare.config import SmtpConfig, SmtpSecurity
from shopcare.notify.base import Outgoing, SendError
from shopcare.notify.smtp import SmtpSender
from tests.conftest import free_port

HOST = "127.0.0.1"
USER, PASSWORD = "shop", "s3cret"


def message(to: str = "anna@example.com") -> Outgoing:
    return Outgoing(
        kind="shipped",
        recipient=to,
        subject="Your order 1001 is on its way",
        text="Hello Anna, DHL JJD0001 is on its way.",
        html="<p>Hello Anna, DHL <b>JJD0001</b> is on its way.</p>",
        message_id="<1001.shipped@demo.example>",
        sender_name="Demo Coffee",
        sender_address="hello@demo.example",
        reply_to="support@demo.example",
        headers={"List-Unsubscribe": "<http://shop.test/u/tok>"},
    )


@dataclass
class Inbox:
    """What a server received; ``answers`` maps an address to a RCPT reply such as 550."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    logins: list[tuple[str, str]] = field(default_factory=list)
    encrypted: list[bool] = field(default_factory=list)
    data_delay: float = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.answers:
            return self.answers[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        await asyncio.sleep(self.data_delay)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        self.encrypted.append(server.transport.get_extra_info("ssl_object") is not None)
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        if ok:
            self.logins.append((mechanism, USER))
        return AuthResult(success=ok, handled=False)


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1 (openssl; the cryptography package is absent)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return Certificate(cert, key)


StartServer = Callable[..., Inbox]


@pytest.fixture
def start_server() -> Iterator[StartServer]:
    """Starts an aiosmtpd server with the given SMTP options (``auth=True``: it accepts
    USER/PASSWORD); all are stopped afterwards."""
    controllers: list[Controller] = []

    def start(*, port: int | None = None, auth: bool = False, **options: Any) -> Inbox:
        inbox = Inbox(port=port or free_port())
        if auth:
            options["authenticator"] = inbox.authenticate
        controller = Controller(
            inbox, hostname=HOST, port=inbox.port, server_hostname="localhost", **options
        )
        controller.start()
        controllers.append(controller)
        return inbox

    yield start
    for controller in controllers:
        controller.stop()


def sender(
    inbox: Inbox, security: SmtpSecurity = "plain", *, timeout_s: float = 5, **options: Any
) -> SmtpSender:
    user = options.pop("username", None)
    password = options.pop("password", None)
    config = SmtpConfig(
        host=HOST,
        port=inbox.port,
        security=security,
        username=user,
        password=password,
        timeout_s=timeout_s,
    )
    return SmtpSender(config, **options)


async def failure(smtp: SmtpSender, outgoing: Outgoing | None = None) -> SendError:
    with pytest.raises(SendError) as caught:
        await smtp.send(outgoing or message())
    return caught.value


async def test_it_delivers_a_multipart_message_with_its_headers(start_server: StartServer) -> None:
    inbox = start_server()
    await sender(inbox).send(message())
    (got,) = inbox.messages
    assert got["Subject"] == "Your order 1001 is on its way"
    assert got["From"] == "Demo Coffee <hello@demo.example>"
    assert got["To"] == "anna@example.com"
    assert got["Message-ID"] == "<1001.shipped@demo.example>"
    assert got["Reply-To"] == "support@demo.example"
    assert got["List-Unsubscribe"] == "<http://shop.test/u/tok>"
    assert got.get_content_type() == "multipart/alternative"
    assert "JJD0001" in got.get_body(preferencelist=("plain",)).get_content()
    assert "<b>JJD0001</b>" in got.get_body(preferencelist=("html",)).get_content()
    assert inbox.encrypted == [False]


async def test_it_delivers_over_starttls_trusting_the_given_certificate(
    start_server: StartServer, certificate: Certificate
) -> None:
    inbox = start_server(tls_context=certificate.server_context(), require_starttls=True)
    smtp = sender(inbox, "starttls", tls_context=certificate.client_context())
    await smtp.send(message())
    assert len(inbox.messages) == 1
    assert inbox.encrypted == [True]


async def test_it_refuses_a_starttls_certificate_it_does_not_trust(
    start_server: StartServer, certificate: Certificate
) -> None:
    inbox = start_server(tls_context=certificate.server_context(), require_starttls=True)
    error = await failure(sender(inbox, "starttls"))
    assert "certificate that is not trusted" in str(error)
    assert inbox.messages == []


async def test_it_refuses_a_server_that_does_not_offer_starttls(
    start_server: StartServer,
) -> None:
    inbox = start_server()
    error = await failure(sender(inbox, "starttls"))
    assert "does not offer STARTTLS" in str(error)
    assert inbox.messages == []


async def test_it_delivers_over_implicit_tls(
    start_server: StartServer, certificate: Certificate
) -> None:
    inbox = start_server(ssl_context=certificate.server_context())
    await sender(inbox, "tls", tls_context=certificate.client_context()).send(message())
    assert len(inbox.messages) == 1
    assert inbox.encrypted == [True]


@pytest.mark.parametrize("mechanism", ["LOGIN", "PLAIN"])
async def test_it_logs_in_before_sending(start_server: StartServer, mechanism: str) -> None:
    other = {"LOGIN": "PLAIN", "PLAIN": "LOGIN"}[mechanism]
    inbox = start_server(
        auth=True,
        auth_require_tls=False,
        auth_exclude_mechanism=[other],
    )
    await sender(inbox, username=USER, password=PASSWORD).send(message())
    assert inbox.logins == [(mechanism, USER)]
    assert len(inbox.messages) == 1


async def test_it_logs_in_after_starttls(
    start_server: StartServer, certificate: Certificate
) -> None:
    inbox = start_server(
        tls_context=certificate.server_context(),
        require_starttls=True,
        auth=True,
    )
    smtp = sender(
        inbox,
        "starttls",
        username=USER,
        password=PASSWORD,
        tls_context=certificate.client_context(),
    )
    await smtp.send(message())
    assert [user for _, user in inbox.logins] == [USER]
    assert inbox.encrypted == [True]


async def test_a_wrong_password_says_the_login_was_refused(start_server: StartServer) -> None:
    inbox = start_server(auth=True, auth_require_tls=False)
    error = await failure(sender(inbox, username=USER, password="wrong"))
    assert error.permanent
    assert "mail server refused the login (535)" in str(error)
    assert inbox.messages == []


async def test_a_refused_recipient_is_a_permanent_failure(start_server: StartServer) -> None:
    inbox = start_server()
    inbox.answers["gone@example.com"] = "550 5.1.1 no such user"
    error = await failure(sender(inbox), message(to="gone@example.com"))
    assert error.permanent
    assert "550 5.1.1 no such user" in str(error)
    assert inbox.messages == []


async def test_a_recipient_deferred_with_451_is_a_temporary_failure(
    start_server: StartServer,
) -> None:
    inbox = start_server()
    inbox.answers["busy@example.com"] = "451 4.7.1 greylisted, try again later"
    error = await failure(sender(inbox), message(to="busy@example.com"))
    assert not error.permanent
    assert "451" in str(error)


async def test_a_server_that_is_down_is_temporary_and_a_later_send_goes_through_once(
    start_server: StartServer,
) -> None:
    port = free_port()
    smtp = SmtpSender(SmtpConfig(host=HOST, port=port, security="plain", timeout_s=2))
    error = await failure(smtp)
    assert not error.permanent
    assert "cannot connect" in str(error)

    inbox = start_server(port=port)
    await smtp.send(message())
    assert [m["Message-ID"] for m in inbox.messages] == ["<1001.shipped@demo.example>"]


async def test_a_server_that_does_not_answer_in_time_is_a_temporary_failure(
    start_server: StartServer,
) -> None:
    inbox = start_server()
    inbox.data_delay = 2.0
    error = await failure(sender(inbox, timeout_s=1))
    assert not error.permanent
    assert "did not answer within 1 s" in str(error)
