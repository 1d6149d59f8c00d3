"""The process the outbox kill test starts again and again: ShopCare built on the test's data
dir, sending through its SMTP sender until nothing is due. Run by a fork server that has
imported ShopCare once, so twenty restarts do not pay twenty cold imports."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from shopcare.app import build
from shopcare.config import SmtpConfig, load_settings


def dispatch_until_done(data_dir: str, smtp_port: int) -> None:
    settings = load_settings({}, data_dir=data_dir)
    app = build(
        replace(settings, smtp=SmtpConfig(host="127.0.0.1", port=smtp_port, security="plain"))
    )

    async def run() -> None:
        while True:
            report = await app.dispatch_once()
            if not (report.sent or report.retrying or report.deferred):
                break
        await app.stop()

    asyncio.run(run())
