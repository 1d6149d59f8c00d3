"""``shopcare check``'s probes against real servers on loopback: aiosmtpd for the mail
server, a small HTTP server for a carrier API and for the public address, backup files
named for explicit times. Each failing case says what failed and what to fix."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from shopcare.app import ShopCare, build
from shopcare.config import Settings, SmtpConfig
from shopcare.domain.backups import backup_name
from shopcare.notify.smtp import reach
from shopcare.services.backups.schedule import save_backup_settings
from shopcare.services.setup.given import Given
from shopcare.services.setup.probes import (
    MailTarget,
    Outcome,
    Probe,
    probe_backups,
    probe_carriers,
    probe_database,
    probe_mail,
    probe_public_address,
    run_probes,
)
from shopcare.services.tracking.carrier_accounts import save_account
from tests.adapters.carrier_server import CarrierServer, Reply
from tests.conftest import FakeClock, SmtpInbox, free_port

NOW = datetime(2026, 12, 5, 3, 30, tzinfo=UTC)
HEALTHY = Reply(200, '{"status": "ok", "database": {"ok": true}}')


def assert_failed(probe: Probe, *words: str) -> None:
    assert probe.outcome is Outcome.FAILED, probe
    assert all(w in probe.detail for w in words), probe.detail
    assert probe.fix and "\n" not in probe.fix


# --- database -------------------------------------------------------------------------


def test_a_current_store_passes(shopcare: ShopCare) -> None:
    probe = probe_database(shopcare.engine)
    assert probe.outcome is Outcome.OK and "is current" in probe.detail


def test_a_store_of_another_schema_fails_with_its_revision(shopcare: ShopCare) -> None:
    with shopcare.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    assert_failed(probe_database(shopcare.engine), "schema 0099")


def test_a_store_that_cannot_be_opened_fails(tmp_path: Path) -> None:
    (tmp_path / "shopcare.db").write_bytes(b"not a database at all, just text" * 100)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'shopcare.db'}")
    try:
        assert_failed(probe_database(engine), "cannot open the store")
    finally:
        engine.dispose()


# --- mail server ----------------------------------------------------------------------


def mail_target(config: SmtpConfig) -> MailTarget:
    return MailTarget(f"{config.host}:{config.port}", lambda: reach(config))


async def test_the_mail_server_is_greeted_and_sent_nothing(smtp_inbox: SmtpInbox) -> None:
    config = SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port, security="plain")
    probe = await probe_mail(mail_target(config))
    assert probe.outcome is Outcome.OK, probe
    assert f"{smtp_inbox.port} answered" in probe.detail
    assert smtp_inbox.messages == []


async def test_a_refused_mail_port_fails() -> None:
    config = SmtpConfig(host="127.0.0.1", port=free_port(), security="plain", timeout_s=2)
    assert_failed(await probe_mail(mail_target(config)), "cannot connect")


async def test_starttls_that_the_server_does_not_offer_fails(smtp_inbox: SmtpInbox) -> None:
    config = SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port, security="starttls")
    assert_failed(await probe_mail(mail_target(config)), "does not offer STARTTLS")


@pytest.fixture
def silent_port() -> Iterator[int]:
    """Accepts connections and never says a word (a firewall's tarpit, a hung server)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


async def test_a_mail_server_that_never_greets_fails_within_the_timeout(silent_port: int) -> None:
    config = SmtpConfig(host="127.0.0.1", port=silent_port, security="plain", timeout_s=0.3)
    probe = await asyncio.wait_for(probe_mail(mail_target(config)), 5)
    assert_failed(probe, "Timed out")


async def test_the_dev_mailbox_is_not_checked() -> None:
    assert (await probe_mail(None)).outcome is Outcome.NOT_CHECKED


async def test_the_app_greets_the_mail_server_in_force(
    settings: Settings, clock: FakeClock, smtp_inbox: SmtpInbox
) -> None:
    smtp = SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port, security="plain")
    app = build(replace(settings, smtp=smtp), clock=clock)
    try:
        inputs = app.probe_inputs()
        assert inputs.mail is not None and inputs.mail.where.endswith("(plain)")
        assert (await probe_mail(inputs.mail)).outcome is Outcome.OK
    finally:
        await app.http.aclose()
        app.engine.dispose()


# --- carriers -------------------------------------------------------------------------


async def test_without_carrier_accounts_nothing_is_checked(shopcare: ShopCare) -> None:
    (probe,) = await probe_carriers(shopcare.sessions, client=shopcare.http, clock=shopcare.clock)
    assert probe.outcome is Outcome.NOT_CHECKED
    await shopcare.http.aclose()


async def test_each_carrier_account_is_asked_with_its_own_check(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer
) -> None:
    save_account(
        shopcare.sessions,
        "dhl",
        enabled=True,
        values={"api_key": "k"},
        base_url=carrier_server.url,
        now=clock(),
    )
    save_account(
        shopcare.sessions,
        "ship24",
        enabled=True,
        values={"api_key": "k"},
        base_url=f"http://127.0.0.1:{free_port()}",
        now=clock(),
    )
    # DHL has no account endpoint: "no such parcel" means the key was accepted
    carrier_server.route("GET", "/track/shipments", Reply(404, '{"detail":"No shipment"}'))
    probes = await probe_carriers(shopcare.sessions, client=shopcare.http, clock=clock)
    by_name = {p.name: p for p in probes}
    assert sorted(by_name) == ["carrier DHL", "carrier Ship24"]
    assert by_name["carrier DHL"].outcome is Outcome.OK
    assert_failed(by_name["carrier Ship24"], "cannot connect")
    assert "/admin/carriers" in by_name["carrier Ship24"].fix
    carrier_server.route("GET", "/track/shipments", Reply(401, '{"detail":"Invalid API key"}'))
    probes = await probe_carriers(shopcare.sessions, client=shopcare.http, clock=clock)
    assert_failed(next(p for p in probes if p.name == "carrier DHL"), "401")
    await shopcare.http.aclose()


# --- public address -------------------------------------------------------------------


async def test_the_public_address_answers_with_shopcares_health(
    shopcare: ShopCare, carrier_server: CarrierServer
) -> None:
    carrier_server.route("GET", "/healthz", HEALTHY)
    given = Given(listening_url="http://127.0.0.1:1", public_url=carrier_server.url)
    probe = await probe_public_address(shopcare.sessions, given, client=shopcare.http)
    assert probe.outcome is Outcome.OK and carrier_server.url in probe.detail
    await shopcare.http.aclose()


@pytest.mark.parametrize(
    ("route", "words"),
    [
        (False, ("could not connect",)),
        (True, ("answered 404", "not ShopCare's health page")),
    ],
)
async def test_a_public_address_that_does_not_lead_to_shopcare_fails(
    shopcare: ShopCare, carrier_server: CarrierServer, route: bool, words: tuple[str, ...]
) -> None:
    url = carrier_server.url if route else f"http://127.0.0.1:{free_port()}"
    given = Given(listening_url="http://127.0.0.1:1", public_url=url)
    probe = await probe_public_address(shopcare.sessions, given, client=shopcare.http)
    assert_failed(probe, *words)
    await shopcare.http.aclose()


async def test_no_public_address_yet_is_left_to_the_checklist(
    settings: Settings, clock: FakeClock
) -> None:
    app = build(settings, clock=clock)  # no address entered by the owner
    given = Given(listening_url="http://127.0.0.1:1")
    probe = await probe_public_address(app.sessions, given, client=app.http)
    assert probe.outcome is Outcome.NOT_CHECKED
    await app.http.aclose()
    app.engine.dispose()


# --- backups --------------------------------------------------------------------------


def made_backup(folder: Path, at: datetime) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / backup_name(at)).write_bytes(b"an archive")


def test_a_backup_under_two_days_old_passes_and_an_older_one_fails(shopcare: ShopCare) -> None:
    data_dir = shopcare.settings.data_dir
    made_backup(data_dir / "backups", NOW - timedelta(days=3))
    made_backup(data_dir / "backups", NOW - timedelta(hours=30))
    probe = probe_backups(shopcare.sessions, data_dir=data_dir, sqlite=True, now=NOW)
    assert probe.outcome is Outcome.OK and "30 h old" in probe.detail
    later = NOW + timedelta(hours=18)  # the newest is two days old
    expired = probe_backups(shopcare.sessions, data_dir=data_dir, sqlite=True, now=later)
    assert_failed(expired, backup_name(NOW - timedelta(hours=30)), "2.0 days old")
    assert "shopcare backup" in expired.fix


def test_no_backup_at_all_fails_and_the_owners_folder_is_the_one_looked_at(
    shopcare: ShopCare, tmp_path: Path
) -> None:
    data_dir = shopcare.settings.data_dir
    made_backup(data_dir / "backups", NOW)  # not where the owner keeps them
    save_backup_settings(shopcare.sessions, folder=str(tmp_path / "disk"), daily=True)
    probe = probe_backups(shopcare.sessions, data_dir=data_dir, sqlite=True, now=NOW)
    assert_failed(probe, "no backup", str(tmp_path / "disk"))
    assert probe.fix.startswith("run shopcare backup now")


def test_backups_are_not_checked_when_off_or_on_postgresql(shopcare: ShopCare) -> None:
    data_dir = shopcare.settings.data_dir
    on_pg = probe_backups(shopcare.sessions, data_dir=data_dir, sqlite=False, now=NOW)
    assert on_pg.outcome is Outcome.NOT_CHECKED and "PostgreSQL" in on_pg.detail
    save_backup_settings(shopcare.sessions, folder="", daily=False)
    off = probe_backups(shopcare.sessions, data_dir=data_dir, sqlite=True, now=NOW)
    assert off.outcome is Outcome.NOT_CHECKED and "off" in off.detail


# --- all together ---------------------------------------------------------------------


async def test_every_probe_runs_in_one_call(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer
) -> None:
    carrier_server.route("GET", "/healthz", HEALTHY)
    inputs = replace(
        shopcare.probe_inputs(),
        given=Given(listening_url="http://127.0.0.1:1", public_url=carrier_server.url),
    )
    probes = await run_probes(inputs)
    assert [p.name for p in probes] == [
        "database",
        "mail server",
        "carriers",
        "public address",
        "backups",
    ]
    by_name = {p.name: p.outcome for p in probes}
    assert by_name["database"] is Outcome.OK
    assert by_name["public address"] is Outcome.OK
    await shopcare.http.aclose()
