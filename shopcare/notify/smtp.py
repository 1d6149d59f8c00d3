"""SMTP delivery through aiosmtplib: plain, STARTTLS (required, never opportunistic) or TLS."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from shopcare.config import SmtpConfig
from shopcare.notify.base import SendError


class SmtpSender:
    name = "SMTP"

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    async def send(self, message: EmailMessage) -> None:
        c = self.config
        try:
            await aiosmtplib.send(
                message,
                hostname=c.host,
                port=c.port,
                username=c.username,
                password=c.password,
                use_tls=c.security == "tls",
                start_tls=True if c.security == "starttls" else False,  # noqa: SIM210
                timeout=c.timeout_s,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            raise SendError(
                f"recipient refused: {codes}", permanent=all(c >= 500 for c in codes)
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise SendError(f"{exc.code} {exc.message}", permanent=exc.code >= 500) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SendError(f"mail server unreachable: {exc}", permanent=False) from exc
