"""Composition root: the one place that picks concrete classes and wires them together.

``build`` makes everything but the web server, so tests and the CLI use the same parts;
``serve`` adds the routes, the admin GUI and the scheduler to NiceGUI and runs it.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import httpx
import sqlalchemy as sa
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from shopcare.carriers.base import Carrier
from shopcare.carriers.http import new_client
from shopcare.carriers.simulated import SimulatedCarrier
from shopcare.config import Settings, SmtpConfig, SmtpSecurity
from shopcare.data_dir import keep_private
from shopcare.db.engine import SessionFactory, make_engine, session_factory
from shopcare.db.migrate import upgrade
from shopcare.db.models import ImportRun
from shopcare.db.outbox_signal import on_new_outbox_rows
from shopcare.job_runs import JobRuns
from shopcare.jobs import make_scheduler
from shopcare.notify.base import SHOPPER_CHANNELS, Channel, Sender
from shopcare.notify.devmailbox import DevMailbox
from shopcare.notify.sms import TwilioSms
from shopcare.notify.smtp import SmtpSender, reach
from shopcare.notify.webhook import SignedWebhook
from shopcare.notify.whatsapp import TwilioWhatsApp
from shopcare.services.accounts.api_keys import forget_old_answers
from shopcare.services.backups.schedule import (
    back_up_now,
    backup_folder,
    backup_settings,
    run_due_backup,
)
from shopcare.services.demo.shop import add_demo_history, seed_demo
from shopcare.services.export.files import remove_exports
from shopcare.services.intake.backfill import (
    backfill_in_background,
    start_backfill,
    unfinished_backfills,
)
from shopcare.services.intake.reconcile import reconcile
from shopcare.services.limits.attempts import forget_ended_windows
from shopcare.services.messages.delivery import status_callback
from shopcare.services.messages.dispatch import DispatchReport, dispatch_outbox
from shopcare.services.messages.reminders import queue_due_reminders
from shopcare.services.messages.rules import channel_rules
from shopcare.services.privacy.retention import RetentionReport, apply_retention_if_due
from shopcare.services.returns.instant import watch_instant_exchanges
from shopcare.services.returns.labels.purchase import buy_due_labels
from shopcare.services.runtime.leader import Leadership
from shopcare.services.runtime.long_work import advance_work, finish_work, start_work
from shopcare.services.runtime.process_lease import release_lease, renew_lease, this_process
from shopcare.services.secrets_at_rest.box import INFO_KEY, SecretBox
from shopcare.services.secrets_at_rest.key_file import pending_secret
from shopcare.services.secrets_at_rest.stored import seal_plain_secrets
from shopcare.services.setup.address import public_url
from shopcare.services.setup.checklist import Checklist, get_checklist
from shopcare.services.setup.given import Given
from shopcare.services.setup.mail import load_signing, stored_mail_server
from shopcare.services.setup.probes import TIMEOUT_S, Inputs, MailTarget
from shopcare.services.shop.profile import get_profile
from shopcare.services.shopper_site.view_counts import flush_views
from shopcare.services.tracking.carrier_accounts import build_carriers
from shopcare.services.tracking.polling import Poller, ProviderLimits
from shopcare.services.tracking.recording import PollReport
from shopcare.services.tracking.waiting_parcels import assign_waiting_parcels

if TYPE_CHECKING:
    from shopcare.services.accounts.demo_password import DemoPassword
    from shopcare.services.messages.dkim import DkimSigner

Clock = Callable[[], datetime]
T = TypeVar("T")
REFRESH_CHUNK = 10
"""Parcels asked about per step of a bulk refresh (the progress moves after each)."""
log = logging.getLogger("shopcare")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ShopCare:
    settings: Settings
    engine: sa.Engine
    sessions: SessionFactory
    clock: Clock
    http: httpx.AsyncClient
    carriers: dict[str, Carrier]
    limits: dict[str, ProviderLimits]
    fixed_sender: Sender | None = None
    """A sender the caller chose (tests); otherwise the mail server in force is read from
    the environment or the store at each dispatch (``email_sender``)."""
    simulated: bool = False
    """The simulated carrier is offered (the demo, and tests): never on a real shop, where a
    made-up parcel would send a real shopper a real "on its way" email."""
    demo_history_at: datetime | None = None
    """A demo seeded just now whose months of history wait for the server to start."""
    scheduler: AsyncIOScheduler | None = field(default=None)
    backfills: dict[int, asyncio.Task[ImportRun]] = field(default_factory=dict)
    background: set[asyncio.Task[None]] = field(default_factory=set)
    """Long work started from the admin (bulk refresh), kept referenced while it runs."""
    """Backfills running in this process, by run id (their progress is in the store)."""

    def __post_init__(self) -> None:
        self.poller = Poller(self.sessions, self.carriers, clock=self.clock, limits=self.limits)
        self.job_runs = JobRuns(engine=self.engine, clock=self.clock, started_at=self.clock())
        """The scheduled jobs' last successes, for /healthz."""
        # Names this process on what it claims (outbox rows); written by the first
        # heartbeat or dispatch run, removed at a clean stop.
        self.lease = this_process(now=self.clock())
        self._smtp: SmtpSender | None = None
        self._retired: list[SmtpSender] = []
        self._signing: tuple[str, str] | None = None
        self._export: tuple[int, asyncio.Task[object]] | None = None
        """The export running or last run in this process (one at a time)."""
        self._stopping = threading.Event()
        self._export_lock = asyncio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.leadership = Leadership(self.engine)
        """Several processes on one PostgreSQL store: which one polls (``runtime.leader``)."""
        self._dispatch_lock = asyncio.Lock()
        self._dispatch_again = False
        self._dispatch_job: Callable[[], Awaitable[object]] | None = None
        on_new_outbox_rows(self.engine, self.wake_dispatch)

    @property
    def public_url(self) -> str:
        """The address shoppers reach: the environment's, else the owner's, else the
        listening address (and shopper messages wait until one is set)."""
        return public_url(self.sessions, self.given)

    @property
    def given(self) -> Given:
        """What the environment set, which wins over what the owner enters."""
        s = self.settings
        return Given(
            listening_url=s.public_url,
            public_url=s.public_url if s.public_url_given else "",
            mail_server=f"{s.smtp.host}:{s.smtp.port}" if s.smtp else "",
        )

    def setup_checklist(self) -> Checklist:
        return get_checklist(self.sessions, self.given)

    def probe_inputs(self) -> Inputs:
        """What ``shopcare check`` probes (``services.setup.probes``): this store, the mail
        server in force (greeted with a short timeout), carriers, address and backups."""
        config = self.mail_server()
        mail = None
        if config is not None:
            quick = replace(config, timeout_s=min(config.timeout_s, TIMEOUT_S))
            mail = MailTarget(
                f"{config.host}:{config.port} ({config.security})", lambda: reach(quick)
            )
        return Inputs(
            engine=self.engine,
            sessions=self.sessions,
            given=self.given,
            mail=mail,
            data_dir=self.settings.data_dir,
            http=self.http,
            clock=self.clock,
        )

    def mail_server(self) -> SmtpConfig | None:
        """The environment's mail server, else the one the owner entered, else none (the
        dev mailbox)."""
        if self.settings.smtp is not None:
            return self.settings.smtp
        stored = stored_mail_server(self.sessions)
        if stored is None:
            return None
        return SmtpConfig(
            host=stored.host,
            port=stored.port,
            security=cast("SmtpSecurity", stored.security),
            username=stored.username or None,
            password=stored.password or None,
        )

    def email_sender(self) -> Sender:
        """The mail server in force, read each time so one entered in the admin takes effect
        without a restart; its connection pool is kept while the server stays the same."""
        if self.fixed_sender is not None:
            return self.fixed_sender
        config = self.mail_server()
        if config is None:
            return DevMailbox(self.settings.mailbox_dir)
        signing = self._dkim_domain()
        if self._smtp is None or (self._smtp.config, self._signing) != (config, signing):
            if self._smtp is not None:
                self._retired.append(self._smtp)  # closed on the event loop, after the run
            self._smtp, self._signing = SmtpSender(config, sign=self._dkim_signer(signing)), signing
        return self._smtp

    @property
    def carrier_names(self) -> list[str]:
        return sorted(self.carriers)

    def reload_carriers(self) -> None:
        """After the owner changed an account: same dicts, so the poller sees the change."""
        carriers, limits = _carriers(
            self.sessions, client=self.http, clock=self.clock, simulated=self.simulated
        )
        self.carriers.clear()
        self.carriers.update(carriers)
        self.limits.clear()
        self.limits.update(limits)
        self.poller.limits = self.limits
        assign_waiting_parcels(self.sessions, self.carrier_names, now=self.clock())

    async def poll_once(self) -> PollReport:
        return await self.poller.poll()

    async def refresh_now(self, shipment_id: int) -> PollReport:
        """Ask the carrier about one shipment at once, whatever its schedule."""
        return await self.poller.poll(only_ids=[shipment_id])

    def refresh_in_background(self, shipment_ids: list[int]) -> int:
        """Ask the carriers about many parcels, as long work the owner can leave: its
        progress is in the store (``services.runtime.long_work``); returns its id."""
        count = len(shipment_ids)
        noun = "parcel" if count == 1 else "parcels"
        run_id = start_work(
            self.sessions,
            kind="refresh",
            title=f"Refreshing {count} {noun}",
            total=count,
            now=self.clock(),
        )
        return self._in_background(run_id, self._refresh_all(run_id, shipment_ids))

    def _in_background(self, run_id: int, work: Coroutine[Any, Any, str]) -> int:
        """Long work the owner can leave: ``work`` returns what the run's end says; an error
        ends the run as failed, with its reason (the log has the rest)."""

        async def finish() -> None:
            try:
                message = await work
            except Exception as exc:
                log.exception("long work %s stopped", run_id)
                await asyncio.to_thread(
                    finish_work,
                    self.sessions,
                    run_id,
                    now=self.clock(),
                    message=str(exc),
                    failed=True,
                )
                return
            await asyncio.to_thread(
                finish_work, self.sessions, run_id, now=self.clock(), message=message
            )

        task = asyncio.create_task(finish())
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        return run_id

    async def _refresh_all(self, run_id: int, shipment_ids: list[int]) -> str:
        changed = errors = 0
        for done, start in enumerate(range(0, len(shipment_ids), REFRESH_CHUNK), 1):
            report = await self.poller.poll(only_ids=shipment_ids[start : start + REFRESH_CHUNK])
            changed, errors = changed + report.changed, errors + report.errors
            await asyncio.to_thread(
                advance_work,
                self.sessions,
                run_id,
                done=min(done * REFRESH_CHUNK, len(shipment_ids)),
            )
        return f"{len(shipment_ids)} asked, {changed} changed, {errors} errors"

    def backup_folder(self) -> Path:
        return backup_folder(backup_settings(self.sessions), self.settings.data_dir)

    async def backup_if_due(self) -> Path | None:
        """The daily backup (when the owner keeps it on, and the store is SQLite: a
        PostgreSQL store is backed up with its own tools)."""
        if (
            not backup_settings(self.sessions).daily
            or self.engine.url.get_backend_name() != "sqlite"
        ):
            return None
        return await asyncio.to_thread(
            run_due_backup,
            self.settings.database_url,
            self.settings.data_dir,
            self.backup_folder(),
            now=self.clock(),
        )

    def back_up_in_background(self) -> int:
        """ "Back up now": long work the owner can leave (``services.runtime.long_work``)."""
        run_id = start_work(self.sessions, kind="backup", title="Backup", total=0, now=self.clock())
        return self._in_background(run_id, self._back_up())

    async def _back_up(self) -> str:
        folder = self.backup_folder()
        made = await asyncio.to_thread(
            back_up_now,
            self.settings.database_url,
            self.settings.data_dir,
            folder,
            now=self.clock(),
        )
        return f"{made.path.name}: {made.manifest.rows} rows, in {folder}"

    async def export_in_background(self) -> int:
        """The whole store as a ZIP in the data dir (``services.export``), as long work the
        owner can leave; its run id. An export already running here is that one's id."""
        # the export's modules (orjson, csv, zipfile) load on the first export, not at start
        from shopcare.services.export.runs import run_export, start_export

        async with self._export_lock:  # two clicks start one export
            if self._export is not None and not self._export[1].done():
                return self._export[0]
            data_dir = self.settings.data_dir
            run_id = await asyncio.to_thread(
                start_export, self.sessions, data_dir=data_dir, now=self.clock()
            )
            work = asyncio.to_thread(
                run_export,
                self.sessions,
                run_id,
                data_dir=data_dir,
                clock=self.clock,
                stop=self._stopping,
            )
            self._export = (run_id, asyncio.create_task(work))
            return run_id

    def exporting(self) -> bool:
        """An export runs in this process (a run left "running" by another was cut short)."""
        return self._export is not None and not self._export[1].done()

    async def dispatch_once(self) -> DispatchReport:
        senders, address, setup = await asyncio.to_thread(self._dispatch_inputs)
        await self._close_retired()
        return await dispatch_outbox(
            self.sessions,
            senders,
            now=self.clock(),
            public_url=address,
            data_dir=self.settings.data_dir,
            lease=self.lease,
            held_channels=held_channels(setup, senders),
        )

    def _dkim_domain(self) -> tuple[str, str] | None:
        """(domain, selector) ShopCare signs for: the environment's, else the owner's."""
        if self.settings.dkim is not None:
            return self.settings.dkim.domain, self.settings.dkim.selector
        stored = load_signing(self.sessions)
        return (stored.domain, stored.selector) if stored.domain else None

    def _dkim_signer(self, signing: tuple[str, str] | None) -> DkimSigner | None:
        if signing is None:
            return None
        # dkimpy and dnspython cost ~30 ms of start-up for a shop that does not sign
        from shopcare.services.messages.dkim import DkimSigner

        domain, selector = signing
        return DkimSigner(self.settings.data_dir, domain=domain, selector=selector)

    async def _close_retired(self) -> None:
        while self._retired:
            await self._retired.pop().close()

    def _dispatch_inputs(self) -> tuple[dict[Channel, Sender], str, Checklist]:
        """The settings each dispatch reads from the store, in one worker-thread trip."""
        return self.senders(), self.public_url, self.setup_checklist()

    async def heartbeat(self) -> None:
        """Tell other processes this one is alive (services.process_lease)."""
        await asyncio.to_thread(renew_lease, self.sessions, self.lease, now=self.clock())

    def senders(self) -> dict[Channel, Sender]:
        """Email from the configuration; SMS, WhatsApp and webhook from the owner's message
        settings, read each time so a change in the admin takes effect without a restart.
        Twilio's messages ask for delivery reports once the shop has a public https address."""
        rules = channel_rules(self.sessions)
        senders: dict[Channel, Sender] = {Channel.EMAIL: self.email_sender()}
        twilio = bool(rules.sms_account_sid and rules.sms_auth_token)
        callback = status_callback(self.sessions, self.given) if twilio else ""
        if twilio and rules.sms_from:
            senders[Channel.SMS] = TwilioSms(
                client=self.http,
                base_url=rules.sms_api_url,
                account_sid=rules.sms_account_sid,
                auth_token=rules.sms_auth_token,
                from_number=rules.sms_from,
                status_callback=callback,
            )
        if twilio and rules.whatsapp_from:
            senders[Channel.WHATSAPP] = TwilioWhatsApp(
                client=self.http,
                base_url=rules.sms_api_url,
                account_sid=rules.sms_account_sid,
                auth_token=rules.sms_auth_token,
                from_number=rules.whatsapp_from,
                templates=rules.whatsapp_templates,
                status_callback=callback,
            )
        if rules.webhook_url and rules.webhook_secret:
            senders[Channel.WEBHOOK] = SignedWebhook(
                client=self.http, url=rules.webhook_url, secret=rules.webhook_secret
            )
        return senders

    async def queue_reminders(self) -> int:
        """Queue the reminders now due: review, reorder, store credit (messages.reminders)."""
        return await asyncio.to_thread(queue_due_reminders, self.sessions, now=self.clock())

    async def apply_retention(self) -> RetentionReport | None:
        """The owner's retention periods, once a day (services.privacy.retention)."""
        return await asyncio.to_thread(
            apply_retention_if_due,
            self.sessions,
            data_dir=self.settings.data_dir,
            mailbox_dir=self.settings.mailbox_dir,
            now=self.clock(),
        )

    async def buy_return_labels(self) -> int:
        """Buy the prepaid return labels due (services.returns.labels)."""
        return await buy_due_labels(
            self.sessions, self.http, now=self.clock(), carriers=self.carrier_names
        )

    async def watch_returns(self) -> int:
        """Open a Problems item for each instant exchange whose item has not been sent
        back in time (services.returns.instant)."""
        return await asyncio.to_thread(watch_instant_exchanges, self.sessions, now=self.clock())

    async def flush_views(self) -> int:
        """Write the page views counted in memory (services.view_counts)."""
        return await asyncio.to_thread(flush_views, self.sessions)

    async def reconcile_once(self) -> list[ImportRun]:
        """Orders the connected shop platforms changed since the last reconcile; and the
        leader's housekeeping: old API answers, ended limit windows, old exports."""
        await apply_pending_webhooks(self)  # deliveries a busy store left waiting
        await asyncio.to_thread(forget_old_answers, self.sessions, now=self.clock())
        await asyncio.to_thread(forget_ended_windows, self.sessions, now=self.clock())
        await asyncio.to_thread(remove_exports, self.settings.data_dir, now=self.clock())
        return await reconcile(
            self.sessions, http=self.http, clock=self.clock, carriers=self.carrier_names
        )

    def start_backfill(self, platform: str, *, days: int) -> int:
        """Start (or resume) the platform's backfill in the background; its run id."""
        run_id = start_backfill(self.sessions, platform, days=days, now=self.clock())
        task = self.backfills.get(run_id)
        if task is None or task.done():
            self.backfills[run_id] = asyncio.create_task(
                backfill_in_background(
                    self.sessions,
                    run_id,
                    http=self.http,
                    clock=self.clock,
                    carriers=self.carrier_names,
                )
            )
        return run_id

    def resume_backfills(self) -> None:
        """Backfills cut short by the last stop go on from their cursor."""
        for platform in unfinished_backfills(self.sessions):
            self.start_backfill(platform, days=0)

    async def add_demo_history(self) -> None:
        """The demo's six months of finished orders, added once the server answers: a third
        of a second of inserts that would otherwise delay the first page after start."""
        at, self.demo_history_at = self.demo_history_at, None
        if at is not None:
            await asyncio.to_thread(add_demo_history, self.sessions, now=at)

    def wake_dispatch(self) -> None:
        """Outbox rows were committed (``db.outbox_signal``, from any thread): dispatch now,
        not at the next tick. The 5-second job stays as the safety net (rows due later,
        another process's rows); quiet hours and the hourly cap are the dispatcher's to keep."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake_dispatch)

    def _wake_dispatch(self) -> None:
        if self._dispatch_lock.locked():  # the run under way may have looked already
            self._dispatch_again = True
        elif self._dispatch_job is not None:
            task = asyncio.create_task(self._woken_dispatch(self._dispatch_job))
            self.background.add(task)
            task.add_done_callback(self.background.discard)

    async def _woken_dispatch(self, job: Callable[[], Awaitable[object]]) -> None:
        """A woken run's failure is logged as the scheduler's would be; the 5-second job
        tries again. A busy store (another process writing) is one line, not a traceback."""
        try:
            await job()
        except sa.exc.OperationalError as exc:
            log.warning("dispatch after new messages waits for the next run: %s", exc.orig)
        except Exception:
            log.exception("dispatch after new messages failed; the next run tries again")

    async def dispatch_until_quiet(self) -> DispatchReport:
        """The dispatch job, from the 5-second tick or a wake: one run at a time in this
        process, repeated while rows committed during a run wait. A start during a run
        returns once a round begun after it has finished."""
        self._dispatch_again = True
        report = DispatchReport()
        async with self._dispatch_lock:
            while self._dispatch_again:
                self._dispatch_again = False
                report = await self.dispatch_once()
        return report

    def _when_leading(self, job: Callable[[], Awaitable[T]]) -> Callable[[], Awaitable[T | None]]:
        """``job`` where only one process may run it: here only while this one leads; the
        others stand by and take over when the leader goes (``runtime.leader``)."""

        async def run() -> T | None:
            if not await asyncio.to_thread(self.leadership.leads):
                return None
            return await job()

        return run

    def start_scheduler(self) -> None:
        self._loop = asyncio.get_running_loop()
        runs = self.job_runs
        self._dispatch_job = runs.wrap("dispatch", self.dispatch_until_quiet)
        lead = self._when_leading
        self.scheduler = make_scheduler(
            poll=runs.wrap("poll", lead(self.poll_once)),
            dispatch=self._dispatch_job,
            flush_views=runs.wrap("flush_views", self.flush_views),
            reconcile=runs.wrap("reconcile", lead(self.reconcile_once)),
            heartbeat=runs.wrap("heartbeat", self.heartbeat),
            backup=runs.wrap("backup", lead(self.backup_if_due)),
            reminders=runs.wrap("reminders", lead(self.queue_reminders)),
            retention=runs.wrap("retention", lead(self.apply_retention)),
            return_labels=runs.wrap("return_labels", lead(self.buy_return_labels)),
            return_watch=runs.wrap("return_watch", lead(self.watch_returns)),
        )
        self.scheduler.start()

    async def stop(self) -> None:
        if self.scheduler and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        for task in self.backfills.values():  # their runs stay running: resumed at start
            task.cancel()
        for work in self.background:
            work.cancel()
        self._stopping.set()  # a running export stops at its next batch (a thread cannot be
        # cancelled) and says so in its run
        try:
            await self.flush_views()
        except Exception:  # the store may be gone; the rest must still close
            log.exception("page views counted since the last flush were not written")
        await asyncio.to_thread(self.leadership.release)
        await self.http.aclose()
        await self._close_retired()
        if self._smtp is not None:
            await self._smtp.close()
        try:
            await asyncio.to_thread(release_lease, self.sessions, self.lease)
        except Exception:  # as above; a lease left behind is found dead by the next start
            log.exception("this process's lease was not removed")


def held_channels(setup: Checklist, senders: dict[Channel, Sender]) -> frozenset[Channel]:
    """While the setup is unfinished, what reaches real shoppers waits; the dev mailbox
    reaches nobody, so it keeps showing the owner what shoppers will get."""
    if not setup.holds_messages:
        return frozenset()
    return frozenset(
        channel
        for channel in SHOPPER_CHANNELS
        if channel in senders and not isinstance(senders[channel], DevMailbox)
    )


def build(
    settings: Settings,
    *,
    demo: bool = False,
    demo_history: bool = True,
    history_later: bool = False,
    simulated: bool | None = None,
    clock: Clock = utc_now,
    sender: Sender | None = None,
    http: httpx.AsyncClient | None = None,
) -> ShopCare:
    """``simulated``: offer the simulated carrier (default: only in the demo).
    ``demo_history``: the demo comes with six months of finished orders before today's;
    ``history_later``: added once the server has started (``ShopCare.add_demo_history``)."""
    simulated = demo if simulated is None else simulated
    keep_private(settings.data_dir)  # before the store's files are first made
    engine = make_engine(settings.database_url)
    upgrade(engine)
    box = SecretBox(settings.secret, *pending_secret(settings.data_dir))
    sessions = session_factory(engine, info={INFO_KEY: box})
    seal_plain_secrets(sessions)
    history_at = None
    seeded_at = clock()
    if demo and seed_demo(
        sessions,
        now=seeded_at,
        carriers=[SimulatedCarrier.name],
        history=demo_history and not history_later,
    ):
        log.info("seeded the demo shop")
        history_at = seeded_at if demo_history and history_later else None
    client = http or new_client()
    carriers, limits = _carriers(sessions, client=client, clock=clock, simulated=simulated)
    assign_waiting_parcels(sessions, sorted(carriers), now=clock())
    return ShopCare(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock,
        http=client,
        carriers=carriers,
        limits=limits,
        fixed_sender=sender,
        simulated=simulated,
        demo_history_at=history_at,
    )


def _carriers(
    sessions: SessionFactory, *, client: httpx.AsyncClient, clock: Clock, simulated: bool
) -> tuple[dict[str, Carrier], dict[str, ProviderLimits]]:
    """Real carriers come from the owner's accounts; the simulated one only when asked."""
    carriers, limits = build_carriers(sessions, client=client, clock=clock)
    if not simulated:
        return carriers, limits
    speed = get_profile(sessions).simulated_speed
    carriers[SimulatedCarrier.name] = SimulatedCarrier(clock=clock, speed=speed)
    limits[SimulatedCarrier.name] = ProviderLimits(rate_per_second=1000)
    return carriers, limits


def mount(shopcare: ShopCare) -> None:
    """Register every route and the scheduler on NiceGUI's app (a FastAPI instance).

    The shopper's pages, health and webhooks are a separate small app put in front of
    NiceGUI's middleware (see ``shopcare.ui.site``); the admin stays inside it. Every request
    body, to either, is capped first (``shopcare.ui.bodies``)."""
    from nicegui import app as web

    from shopcare.ui.admin import register_admin
    from shopcare.ui.api import mount_api
    from shopcare.ui.bodies import BodyCaps
    from shopcare.ui.hsts import StrictTransport
    from shopcare.ui.site import SiteFirst, site_app

    site = site_app(shopcare)
    mount_api(site, shopcare)
    nicegui_stack = type(web).build_middleware_stack.__get__(web)  # the class's, not a wrapper
    # Outermost first: HSTS on every https answer (a 413 too), then the body caps before
    # anything reads a body, then the shopper site in front of NiceGUI's own stack.
    web.build_middleware_stack = lambda: StrictTransport(  # type: ignore[method-assign]
        BodyCaps(SiteFirst(site, nicegui_stack()))
    )
    register_admin(shopcare)
    web.on_startup(shopcare.start_scheduler)
    web.on_startup(lambda: apply_pending_webhooks(shopcare))
    web.on_startup(shopcare.resume_backfills)
    web.on_startup(shopcare.add_demo_history)
    web.on_startup(freeze_startup_objects)
    web.on_shutdown(shopcare.stop)


async def apply_pending_webhooks(shopcare: ShopCare) -> None:
    """Platform webhooks stored but not applied when the process last stopped."""
    from shopcare.services.intake.webhooks import apply_pending

    await asyncio.to_thread(
        apply_pending, shopcare.sessions, now=shopcare.clock(), carriers=shopcare.carrier_names
    )


def freeze_startup_objects() -> None:
    """Move everything made while starting (modules, templates, routes, caches) out of the
    garbage collector's reach: it lives as long as the process, and scanning it again in
    every full collection stalled requests. Measured on the tracking page at 32 connections:
    p99 85 ms instead of 165 ms. ``shopcare run`` pauses the collector while it loads; it
    runs again from here."""
    gc.collect()
    gc.freeze()
    gc.enable()


def serve(
    settings: Settings,
    *,
    demo: bool = False,
    native: bool = False,
    demo_password: DemoPassword | None = None,
) -> None:
    from nicegui import ui

    from shopcare.services.accounts.auth import create_demo_admin

    shopcare = build(settings, demo=demo, history_later=True)
    password = demo and create_demo_admin(
        shopcare.sessions, now=shopcare.clock(), prepared=demo_password
    )
    if password:
        print(f"Demo admin login: user 'admin', password '{password}' (shown once)", flush=True)
    mount(shopcare)
    print(f"ShopCare admin: {settings.public_url}/admin", flush=True)
    if native:
        open_admin_window(settings)
    ui.run(
        host=settings.host,
        port=settings.port,
        title="ShopCare",
        language="en-US",  # the admin's language: Quasar's texts and <html lang>
        reload=False,
        show=False,
        storage_secret=settings.secret,
        show_welcome_message=False,
        uvicorn_logging_level="warning",
        **settings.proxy_options(),  # forwarded to uvicorn: path prefix, trusted proxies
    )


def open_admin_window(settings: Settings) -> None:
    """``--native``: the admin in a desktop window once the server is up; the server keeps
    serving shoppers after the window closes if the owner says so (``ui.desktop``)."""
    import os

    from nicegui import app as web

    from shopcare.ui.desktop import AdminWindow, local_admin_url, still_serving_note

    window = AdminWindow(
        url=local_admin_url(host=settings.host, port=settings.port),
        title="ShopCare",
        on_stop=web.shutdown,
        note=still_serving_note(public_url=settings.public_url, pid=os.getpid()),
    )
    web.on_startup(window.open)
    web.on_shutdown(window.close)
