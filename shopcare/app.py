"""Composition root: the one place that picks concrete classes and wires them together.

``build`` makes everything but the web server, so tests and the CLI use the same parts;
``serve`` adds the routes, the admin GUI and the scheduler to NiceGUI and runs it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from shopcare.carriers.base import Carrier
from shopcare.carriers.simulated import SimulatedCarrier
from shopcare.config import Settings
from shopcare.db.engine import SessionFactory, make_engine, session_factory
from shopcare.db.migrate import upgrade
from shopcare.jobs import make_scheduler
from shopcare.notify.base import Sender
from shopcare.notify.devmailbox import DevMailbox
from shopcare.notify.smtp import SmtpSender
from shopcare.services.demo import seed_demo
from shopcare.services.outbox import DispatchReport, dispatch_outbox
from shopcare.services.shop import get_profile
from shopcare.services.tracking import PollReport, poll_due_shipments

Clock = Callable[[], datetime]
log = logging.getLogger("shopcare")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ShopCare:
    settings: Settings
    engine: sa.Engine
    sessions: SessionFactory
    clock: Clock
    carriers: dict[str, Carrier]
    sender: Sender
    scheduler: AsyncIOScheduler | None = field(default=None)

    @property
    def carrier_names(self) -> list[str]:
        return sorted(self.carriers)

    async def poll_once(self) -> PollReport:
        return await poll_due_shipments(self.sessions, self.carriers, now=self.clock())

    async def dispatch_once(self) -> DispatchReport:
        return await dispatch_outbox(
            self.sessions, self.sender, now=self.clock(), public_url=self.settings.public_url
        )

    def start_scheduler(self) -> None:
        self.scheduler = make_scheduler(poll=self.poll_once, dispatch=self.dispatch_once)
        self.scheduler.start()

    def stop_scheduler(self) -> None:
        if self.scheduler and self.scheduler.running:
            self.scheduler.shutdown(wait=False)


def build(
    settings: Settings,
    *,
    demo: bool = False,
    clock: Clock = utc_now,
    sender: Sender | None = None,
) -> ShopCare:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    sessions = session_factory(engine)
    if demo and seed_demo(sessions, now=clock(), carriers=[SimulatedCarrier.name]):
        log.info("seeded the demo shop")
    profile = get_profile(sessions)
    carriers: dict[str, Carrier] = {
        SimulatedCarrier.name: SimulatedCarrier(clock=clock, speed=profile.simulated_speed),
    }
    return ShopCare(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock,
        carriers=carriers,
        sender=sender or _sender(settings),
    )


def _sender(settings: Settings) -> Sender:
    if settings.smtp:
        return SmtpSender(settings.smtp)
    return DevMailbox(settings.mailbox_dir)


def mount(shopcare: ShopCare) -> None:
    """Register every route and the scheduler on NiceGUI's app (a FastAPI instance)."""
    from nicegui import app as web

    from shopcare.ui.admin import register_admin
    from shopcare.ui.health import health_router
    from shopcare.ui.public.routes import public_router

    web.include_router(health_router(shopcare))
    web.include_router(public_router(shopcare))
    register_admin(shopcare)
    web.on_startup(shopcare.start_scheduler)
    web.on_shutdown(shopcare.stop_scheduler)


def serve(settings: Settings, *, demo: bool = False, native: bool = False) -> None:
    from nicegui import ui

    from shopcare.services.auth import create_demo_admin

    shopcare = build(settings, demo=demo)
    if demo and (password := create_demo_admin(shopcare.sessions, now=shopcare.clock())):
        print(f"Demo admin login: user 'admin', password '{password}' (shown once)", flush=True)
    mount(shopcare)
    print(f"ShopCare admin: {settings.public_url}/admin", flush=True)
    ui.run(
        host=settings.host,
        port=settings.port,
        title="ShopCare",
        reload=False,
        show=False,
        native=native,
        storage_secret=settings.secret,
        show_welcome_message=False,
        uvicorn_logging_level="warning",
    )
