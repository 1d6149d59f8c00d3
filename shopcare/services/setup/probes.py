"""What ``shopcare check`` asks of the store and the outside world: is the store whole and
current, does the mail server answer, do the carriers accept their keys, do shoppers reach
the public address, and is there a recent backup.

The setup checklist (``checklist``) says what the owner has not entered yet; these say
whether what was entered works. Each is one ``Probe`` with a one-line fix when it failed,
so the owner (or a deploy script reading the exit code) knows what to do next. Every probe
has a short timeout: the whole check answers in seconds even when a server is down.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

import httpx
import sqlalchemy as sa

from shopcare.db.engine import SessionFactory
from shopcare.db.migrate import HEAD, stored_revision
from shopcare.notify.base import SendError
from shopcare.services.backups.schedule import backup_folder, backup_settings, list_backups
from shopcare.services.setup.address import address_in_force, reach_check
from shopcare.services.setup.given import Given
from shopcare.services.tracking.carrier_accounts import list_accounts, test_connection

TIMEOUT_S = 5.0
"""How long one probe waits for a server: a check that hangs helps nobody."""
BACKUP_MAX_AGE = timedelta(days=2)
"""Daily backups: the newest may be one missed day old before the check fails."""


class Outcome(StrEnum):
    OK = "ok"
    FAILED = "failed"
    NOT_CHECKED = "not checked"


@dataclass(frozen=True)
class Probe:
    name: str
    outcome: Outcome
    detail: str
    fix: str = ""
    """One line: what the owner does about a failure."""

    @property
    def failed(self) -> bool:
        return self.outcome is Outcome.FAILED


@dataclass(frozen=True)
class MailTarget:
    """The mail server in force, as the composition root knows it."""

    where: str
    """``host:port (security)``, for the report."""
    greet: Callable[[], Awaitable[str]]
    """Connects and greets with a short timeout, sending nothing (``notify.smtp.reach``);
    returns the server's greeting or raises ``SendError``."""


@dataclass(frozen=True)
class Inputs:
    """What the probes need, handed in by the caller (the composition root owns them)."""

    engine: sa.Engine
    sessions: SessionFactory
    given: Given
    mail: MailTarget | None
    """None: the dev mailbox."""
    data_dir: Path
    http: httpx.AsyncClient
    clock: Callable[[], datetime]


async def run_probes(inputs: Inputs) -> list[Probe]:
    """Every probe, the slow ones (network) side by side."""
    database = await asyncio.to_thread(probe_database, inputs.engine)
    backups = await asyncio.to_thread(
        probe_backups,
        inputs.sessions,
        data_dir=inputs.data_dir,
        sqlite=inputs.engine.dialect.name == "sqlite",
        now=inputs.clock(),
    )
    mail, public, carriers = await asyncio.gather(
        probe_mail(inputs.mail),
        probe_public_address(inputs.sessions, inputs.given, client=inputs.http),
        probe_carriers(inputs.sessions, client=inputs.http, clock=inputs.clock),
    )
    return [database, mail, *carriers, public, backups]


def probe_database(engine: sa.Engine) -> Probe:
    """The store opens, its schema is this version's, and SQLite finds no damage
    (``PRAGMA quick_check``: the structure checks of ``integrity_check`` without reading
    every index entry against its row, so it stays quick on a large store)."""
    name = "database"
    try:
        with engine.connect() as connection:
            revision = stored_revision(connection)
            damage = _sqlite_damage(connection) if engine.dialect.name == "sqlite" else ""
    except sa.exc.SQLAlchemyError as exc:
        return Probe(
            name,
            Outcome.FAILED,
            f"cannot open the store: {_first_line(exc)}",
            "check SHOPCARE_DATABASE_URL and that the database server runs and lets us in",
        )
    if damage:
        return Probe(
            name,
            Outcome.FAILED,
            f"the store fails its integrity check: {damage}",
            "stop ShopCare and restore the newest backup (shopcare restore FILE)",
        )
    if revision != HEAD:
        return Probe(
            name,
            Outcome.FAILED,
            f"schema {revision or 'unknown'}, this ShopCare needs {HEAD}",
            "run the ShopCare version that made this store, or restore a backup of this version",
        )
    return Probe(name, Outcome.OK, f"opens, schema {HEAD} is current")


def _sqlite_damage(connection: sa.Connection) -> str:
    rows = [str(r[0]) for r in connection.exec_driver_sql("PRAGMA quick_check")]
    return "" if rows == ["ok"] else "; ".join(rows[:3])


async def probe_mail(mail: MailTarget | None) -> Probe:
    """Connect and greet the mail server in force; nothing is sent, no login is tried."""
    name = "mail server"
    if mail is None:
        return Probe(name, Outcome.NOT_CHECKED, "none set: emails land in the dev mailbox")
    try:
        greeting = await mail.greet()
    except SendError as exc:
        return Probe(
            name,
            Outcome.FAILED,
            str(exc),
            "check the mail server's host, port and security (SHOPCARE_SMTP_URL or "
            "Settings → Email) and that this machine may connect to it",
        )
    return Probe(name, Outcome.OK, f"{mail.where} answered {greeting}".rstrip())


async def probe_carriers(
    sessions: SessionFactory, *, client: httpx.AsyncClient, clock: Callable[[], datetime]
) -> list[Probe]:
    """Each enabled account through its adapter's own cheapest call (``Carrier.check``)."""
    accounts = [a for a in await asyncio.to_thread(list_accounts, sessions) if a.enabled]
    if not accounts:
        return [Probe("carriers", Outcome.NOT_CHECKED, "no carrier account is on")]

    async def one(name: str, label: str) -> Probe:
        probe = f"carrier {label}"
        try:
            text = await asyncio.wait_for(
                test_connection(sessions, name, client=client, clock=clock), TIMEOUT_S * 2
            )
        except TimeoutError:
            text = f"failed: {label} did not answer within {TIMEOUT_S * 2:g} s"
        if text.startswith("failed:"):
            fix = f"enter working {label} credentials under Settings → Tracking (/admin/carriers)"
            return Probe(probe, Outcome.FAILED, text.removeprefix("failed:").strip(), fix)
        return Probe(probe, Outcome.OK, text.removeprefix("ok:").strip())

    return list(await asyncio.gather(*(one(a.name, a.label) for a in accounts)))


async def probe_public_address(
    sessions: SessionFactory, given: Given, *, client: httpx.AsyncClient
) -> Probe:
    """``/healthz`` through the public address, as a shopper's browser would go (DNS, the
    proxy, TLS). Not tried before an address is set: the checklist asks for it."""
    name = "public address"
    with sessions() as session:
        address = address_in_force(session, given)
    if not address.is_set:
        return Probe(name, Outcome.NOT_CHECKED, "none set yet")
    problem = await reach_check(client, address.url, wait_s=TIMEOUT_S)
    if problem:
        return Probe(
            name,
            Outcome.FAILED,
            problem,
            "start ShopCare, then check the DNS name and that the reverse proxy passes "
            "/healthz to it (docs/operations.md)",
        )
    return Probe(name, Outcome.OK, f"{address.url}/healthz answers")


def probe_backups(
    sessions: SessionFactory, *, data_dir: Path, sqlite: bool, now: datetime
) -> Probe:
    """While daily backups are on, the newest in the backup folder is under two days old."""
    name = "backups"
    if not sqlite:
        return Probe(name, Outcome.NOT_CHECKED, "PostgreSQL is backed up with its own tools")
    chosen = backup_settings(sessions)
    if not chosen.daily:
        return Probe(name, Outcome.NOT_CHECKED, "daily backups are off (Settings → Backups)")
    folder = backup_folder(chosen, data_dir)
    fix = (
        "keep ShopCare running (it backs up daily), see Settings → Backups for the last error, "
        "or run shopcare backup"
    )
    backups = list_backups(folder)
    if not backups:
        first = "run shopcare backup now (a running ShopCare makes the first within an hour)"
        return Probe(name, Outcome.FAILED, f"no backup in {folder} yet", first)
    newest = backups[0]
    age = now - newest.made_at
    if age >= BACKUP_MAX_AGE:
        days = age / timedelta(days=1)
        return Probe(
            name, Outcome.FAILED, f"the newest, {newest.name}, is {days:.1f} days old", fix
        )
    return Probe(name, Outcome.OK, f"newest {newest.name}, {_hours(age)} old")


def _hours(age: timedelta) -> str:
    hours = max(age / timedelta(hours=1), 0)
    return f"{hours:.0f} h" if hours >= 1 else "under an hour"


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0] if text else type(exc).__name__
