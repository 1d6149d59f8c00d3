"""SMTP delivery through aiosmtplib: plain, STARTTLS (required, never opportunistic) or TLS.

Every failure becomes a ``SendError`` whose message tells the owner what to check: a 5xx
answer (refused address, refused login) is permanent, a 4xx answer, a timeout or a server
that cannot be reached is temporary.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Callable
from email.message import Message

import aiosmtplib
from aiosmtplib.email import extract_recipients, extract_sender, flatten_message

from shopcare.config import SmtpConfig
from shopcare.notify.base import Channel, Outgoing, SendError
from shopcare.notify.email import build_email

REFUSED_RECIPIENT = "mail server refused the recipient"
"""How the error of a bounce starts (the server refused the address at RCPT): the outbox
keeps it in ``last_error``, and the dashboard counts bounces by it."""


class SmtpSender:
    """Keeps up to ``pool_size`` connections open and sends many messages over each, as
    mail providers expect: a TLS handshake and a login per message would cost more than the
    message. A connection the server closed is reopened once, transparently."""

    name = "SMTP"
    channel = Channel.EMAIL

    def __init__(
        self,
        config: SmtpConfig,
        *,
        tls_context: ssl.SSLContext | None = None,
        pool_size: int = 4,
        sign: Callable[[bytes], bytes] | None = None,
    ) -> None:
        """``tls_context`` replaces the system's trusted certificates (a private CA);
        ``sign`` turns a message's bytes into the bytes that go out (DKIM, see
        ``services.messages.dkim``)."""
        self.config = config
        self.tls_context = tls_context
        self.sign = sign
        self._idle: list[aiosmtplib.SMTP] = []
        self._slots = asyncio.Semaphore(pool_size)

    async def send(self, message: Outgoing) -> None:
        mail = build_email(message)
        signed = self.sign(flatten_message(mail)) if self.sign else None
        async with self._slots:
            client = self._idle.pop() if self._idle else None
            try:
                if client is not None and client.is_connected:
                    try:
                        await _transmit(client, mail, signed)
                        return
                    except aiosmtplib.SMTPServerDisconnected:
                        client = None  # closed while idle: one fresh connection below
                client = self._client()
                await client.connect()
                await _transmit(client, mail, signed)
            except (aiosmtplib.SMTPException, OSError) as exc:
                client = await self._reset_or_drop(client, exc)
                raise _error_for(exc, self.config) from exc
            finally:
                if client is not None:
                    self._idle.append(client)

    async def close(self) -> None:
        while self._idle:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await self._idle.pop().quit()

    def _client(self) -> aiosmtplib.SMTP:
        c = self.config
        return aiosmtplib.SMTP(
            hostname=c.host,
            port=c.port,
            username=c.username,
            password=c.password,
            use_tls=c.security == "tls",
            start_tls=True if c.security == "starttls" else False,  # noqa: SIM210
            timeout=c.timeout_s,
            tls_context=self.tls_context,
        )

    @staticmethod
    async def _reset_or_drop(
        client: aiosmtplib.SMTP | None, exc: BaseException
    ) -> aiosmtplib.SMTP | None:
        """After a refused message the connection is fine once reset; after anything else it
        is closed and forgotten."""
        if client is None or not client.is_connected:
            return None
        refused = (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused)
        if isinstance(exc, refused) and not isinstance(exc, aiosmtplib.SMTPServerDisconnected):
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await client.rset()
                return client
        client.close()
        return None


async def reach(config: SmtpConfig, *, tls_context: ssl.SSLContext | None = None) -> str:
    """Connect, greet (EHLO) and, for ``starttls``/``tls``, set up TLS as the sender would,
    then quit: no login, no mail (``shopcare check``). The server's EHLO answer, or
    ``SendError`` saying what failed in the words the sender would use."""
    client = aiosmtplib.SMTP(
        hostname=config.host,
        port=config.port,
        use_tls=config.security == "tls",
        start_tls=config.security == "starttls",
        timeout=config.timeout_s,
        tls_context=tls_context,
    )
    try:
        await client.connect()
        answer = await client.ehlo()
    except (aiosmtplib.SMTPException, OSError) as exc:
        client.close()
        raise _error_for(exc, config) from exc
    with contextlib.suppress(aiosmtplib.SMTPException, OSError):
        await client.quit()
    return answer.message.splitlines()[0] if answer.message else ""


async def _transmit(client: aiosmtplib.SMTP, mail: Message, signed: bytes | None) -> None:
    """Signed bytes go out exactly as they were signed (flattening the message again could
    fold a header differently and break the signature); the rest as aiosmtplib flattens it."""
    if signed is None:
        await client.send_message(mail)
    else:
        await client.sendmail(extract_sender(mail) or "", extract_recipients(mail), signed)


def _error_for(exc: Exception, c: SmtpConfig) -> SendError:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        answers = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
        permanent = all(r.code >= 500 for r in exc.recipients)
        return SendError(f"{REFUSED_RECIPIENT} ({answers})", permanent=permanent)
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return SendError(
            f"mail server refused the login ({exc.code}): {exc.message}; "
            "check the SMTP username and password",
            permanent=exc.code >= 500,
        )
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return SendError(
            f"mail server refused the sender {exc.sender} ({exc.code}): {exc.message}",
            permanent=exc.code >= 500,
        )
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return SendError(
            f"mail server answered {exc.code}: {exc.message}", permanent=exc.code >= 500
        )
    return SendError(_connection_problem(exc, c), permanent=False)


def _connection_problem(exc: Exception, c: SmtpConfig) -> str:
    where = f"mail server {c.host}:{c.port}"
    if isinstance(exc, aiosmtplib.SMTPConnectError):  # includes the connect timeout
        cause = exc.__cause__
        reason = cause if isinstance(cause, OSError) and str(cause) else exc
        return f"cannot connect to the {where}: {reason}"
    if isinstance(exc, aiosmtplib.SMTPTimeoutError):
        return f"{where} did not answer within {c.timeout_s:g} s"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"{where} has a certificate that is not trusted: {exc.verify_message}"
    if c.security == "starttls" and "STARTTLS" in str(exc):
        return f"{where} does not offer STARTTLS, which smtp+starttls:// requires"
    if isinstance(exc, aiosmtplib.SMTPException):
        return f"{where}: {exc}"
    return f"{where} unreachable: {exc}"
