"""Secrets at rest (issue 11, §5): carrier keys, platform keys, the SMS token and webhook
secrets are sealed in the store under a key derived from the data dir's secret. A copy of
the database file and its -wal gives none of them away; the app still uses them; rotating
the secret re-seals them; a lost secret.key leaves the app starting and asks for them again.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from shopcare.app import ShopCare, build
from shopcare.config import Settings, load_settings, with_public_url
from shopcare.services.errors import InputError
from shopcare.services.intake.backfill import backfill_in_background, start_backfill
from shopcare.services.intake.connection import connection_view, platform_client, save_connection
from shopcare.services.intake.connection import test_connection as check_shop
from shopcare.services.messages.admin import save_sms, sms_view
from shopcare.services.messages.rules import channel_rules, get_rules, update_rules
from shopcare.services.secrets_at_rest.box import SecretBox, SecretUnreadable, box_of, is_sealed
from shopcare.services.secrets_at_rest.key_file import (
    install_pending,
    pending_secret,
    write_pending,
)
from shopcare.services.secrets_at_rest.stored import reseal_secrets, unreadable_secrets
from shopcare.services.tracking.carrier_accounts import list_accounts, save_account, webhook_secret
from shopcare.services.tracking.carrier_accounts import test_connection as check_carrier
from tests.adapters.carrier_server import CarrierServer, Reply, serve
from tests.conftest import PUBLIC_URL, FakeClock
from tests.platforms.woocommerce_server import KEY, SECRET, WooShop
from tests.store import child_env, sqlite_only

ROOT = Path(__file__).parent.parent.parent
DHL_KEY = "dhl-key-Qx7Rk2Lm9Vb4Nw8"
AFTERSHIP_KEY = "asat-key-Hy3Tp6Zs1Dc5"
AFTERSHIP_HOOK = "as-hook-Wm2Jq8Fv4Kt7Xb"
SMS_TOKEN = "twilio-token-Gr5Nc9Yh3Pe6"
OWN_HOOK = "own-hook-Lz4Sd8Qw2Mv6Bn1Tx"
WOO_HOOK = "woo-hook-Ek7Ua3Ri9Oy5"
SID = "AC0123456789abcdef"
SECRETS = (DHL_KEY, AFTERSHIP_KEY, AFTERSHIP_HOOK, SMS_TOKEN, OWN_HOOK, KEY, SECRET, WOO_HOOK)


@pytest.fixture
def dhl() -> Iterator[CarrierServer]:
    for server in serve():
        server.route("GET", "/track/shipments", Reply(404, '{"title":"No shipment"}'))
        yield server


@pytest.fixture
def woo_shop() -> Iterator[WooShop]:
    for server in serve():
        yield WooShop(server)


def save_everything(app: ShopCare, *, dhl_url: str, woo_url: str, clock: FakeClock) -> None:
    """Each kind of secret, saved the way the admin pages save it."""
    values = {"api_key": DHL_KEY}
    save_account(app.sessions, "dhl", enabled=True, values=values, base_url=dhl_url, now=clock())
    values = {"api_key": AFTERSHIP_KEY, "webhook_secret": AFTERSHIP_HOOK}
    save_account(app.sessions, "aftership", enabled=True, values=values, now=clock())
    save_sms(
        app.sessions, account_sid=SID, auth_token=SMS_TOKEN, from_number="+4915112345678",
        api_url="",
    )  # fmt: skip
    update_rules(app.sessions, webhook_url="https://example.com/hook", webhook_secret=OWN_HOOK)
    save_connection(
        app.sessions, "woocommerce", shop_url=woo_url,
        values={"consumer_key": KEY, "consumer_secret": SECRET}, webhook_secret=WOO_HOOK,
        now=clock(),
    )  # fmt: skip


def store_bytes(settings: Settings) -> dict[str, bytes]:
    """The store as a copy or a backup would have it: SQLite's files, or on PostgreSQL
    every row of every table as text (what a dump holds)."""
    if settings.database_url.startswith("postgresql"):
        engine = sa.create_engine(settings.database_url)
        with engine.connect() as db:
            names = sa.inspect(db).get_table_names()
            rows = [
                str(row[0])
                for name in names
                for row in db.exec_driver_sql(f'SELECT t::text FROM "{name}" t')
            ]
        engine.dispose()
        return {"shopcare.db": "\n".join(rows).encode()}
    found = {}
    for name in ("shopcare.db", "shopcare.db-wal"):
        path = settings.data_dir / name
        if path.exists():
            found[name] = path.read_bytes()
    return found


def leaked(settings: Settings) -> list[str]:
    return [
        f"{s} in {name}" for name, raw in store_bytes(settings).items() for s in SECRETS
        if s.encode() in raw
    ]  # fmt: skip


def fresh(settings: Settings) -> Settings:
    """The settings a new process reads (the secret from secret.key as it is now)."""
    env = {"SHOPCARE_DATABASE_URL": settings.database_url}
    return with_public_url(load_settings(env, data_dir=str(settings.data_dir)), PUBLIC_URL)


def stored_sealed(app: ShopCare) -> list[str]:
    with app.sessions() as session:
        rows = session.connection().exec_driver_sql(
            "SELECT credentials, webhook_secret FROM store_connection "
            "UNION ALL SELECT credentials, '' FROM carrier_account "
            "UNION ALL SELECT value, '' FROM setting WHERE key = 'messages'"
        )
        text = " ".join(f"{a} {b}" for a, b in rows)
    return [word.strip('",{}') for word in text.split() if "enc:v1:" in word]


@sqlite_only  # reads the store's files; on PostgreSQL the same rows are checked by leaked()
async def test_saved_secrets_are_in_neither_the_database_nor_its_wal_yet_are_used(
    shopcare: ShopCare,
    settings: Settings,
    clock: FakeClock,
    dhl: CarrierServer,
    woo_shop: WooShop,
) -> None:
    save_everything(shopcare, dhl_url=dhl.url, woo_url=woo_shop.url, clock=clock)

    files = store_bytes(settings)
    assert len(files.get("shopcare.db-wal", b"")) > 0  # the writes are still in the WAL
    assert any(SID.encode() in raw for raw in files.values())  # plain settings are readable
    assert leaked(settings) == []

    assert await check_carrier(shopcare.sessions, "dhl", client=shopcare.http, clock=clock) == (
        "ok: DHL accepted the API key"
    )
    assert dhl.requests[-1].headers["dhl-api-key"] == DHL_KEY
    assert webhook_secret(shopcare.sessions, "aftership") == AFTERSHIP_HOOK
    rules = channel_rules(shopcare.sessions)
    assert (rules.sms_auth_token, rules.webhook_secret) == (SMS_TOKEN, OWN_HOOK)
    async with httpx.AsyncClient() as http:
        text = await check_shop(shopcare.sessions, "woocommerce", http=http, clock=clock)
    assert not text.startswith("failed"), text
    assert woo_shop.server.requests  # the loopback shop accepted KEY and SECRET
    shopcare.reload_carriers()
    assert {"aftership", "dhl"} <= set(shopcare.carrier_names)
    await shopcare.stop()


def test_plain_secrets_of_an_older_version_are_sealed_at_start(
    settings: Settings, clock: FakeClock
) -> None:
    app = build(settings, clock=clock)
    with app.engine.begin() as db:  # as a version before sealing wrote them
        db.execute(
            sa.text("INSERT INTO carrier_account VALUES (:n, true, :c, '', :t)"),
            {"n": "dhl", "c": f'{{"api_key": "{DHL_KEY}"}}', "t": clock()},
        )
        db.execute(
            sa.text(
                "INSERT INTO setting VALUES ('messages', :v) "
                "ON CONFLICT(key) DO UPDATE SET value = :v"
            ),
            {"v": f'{{"sms_account_sid": "{SID}", "sms_auth_token": "{SMS_TOKEN}"}}'},
        )
    app.engine.dispose()
    assert DHL_KEY.encode() in store_bytes(settings)["shopcare.db"]

    app = build(fresh(settings), clock=clock)

    assert leaked(settings) == []
    assert len(stored_sealed(app)) == 2
    assert channel_rules(app.sessions).sms_auth_token == SMS_TOKEN
    assert "dhl" in app.carrier_names
    app.engine.dispose()
    again = build(fresh(settings), clock=clock)  # sealing is done once
    assert stored_sealed(again) == stored_sealed(app)
    again.engine.dispose()


def rotate(settings: Settings, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shopcare", "rotate-secret"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_env(SHOPCARE_DATA_DIR=str(settings.data_dir), PYTHONPATH=str(ROOT), **env),
        timeout=120,
    )


async def test_rotate_secret_re_seals_everything_under_a_new_key(
    shopcare: ShopCare, settings: Settings, clock: FakeClock, dhl: CarrierServer
) -> None:
    save_everything(shopcare, dhl_url=dhl.url, woo_url="shop.example.com", clock=clock)
    before = stored_sealed(shopcare)
    await shopcare.stop()
    shopcare.engine.dispose()
    old = SecretBox(settings.secret)

    result = rotate(settings)

    assert result.returncode == 0, result.stderr
    assert "8 stored secrets re-sealed" in result.stdout
    assert "sign in to the admin again" in result.stdout
    key_file = settings.data_dir / "secret.key"
    assert key_file.read_text().strip() != settings.secret
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert pending_secret(settings.data_dir) == []
    app = build(fresh(settings), clock=clock)
    after = stored_sealed(app)
    assert len(after) == len(before) == 8 and not set(after) & set(before)
    assert not any(old.can_open(value) for value in after)
    rules = channel_rules(app.sessions)
    assert (rules.sms_auth_token, rules.webhook_secret) == (SMS_TOKEN, OWN_HOOK)
    assert webhook_secret(app.sessions, "aftership") == AFTERSHIP_HOOK
    assert await check_carrier(app.sessions, "dhl", client=app.http, clock=clock) == (
        "ok: DHL accepted the API key"
    )
    assert dhl.requests[-1].headers["dhl-api-key"] == DHL_KEY
    assert leaked(settings) == []
    await app.stop()
    app.engine.dispose()


def test_rotate_secret_refuses_a_secret_from_the_environment(settings: Settings) -> None:
    result = rotate(settings, SHOPCARE_SECRET="the-owners-own-secret")
    assert result.returncode == 2
    assert "SHOPCARE_SECRET is set" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_rotation_cut_before_the_rename_still_opens_with_the_pending_key(
    shopcare: ShopCare, settings: Settings, clock: FakeClock
) -> None:
    update_rules(shopcare.sessions, webhook_url="https://example.com/h", webhook_secret=OWN_HOOK)
    new = "the-next-secret-4f8a"
    write_pending(settings.data_dir, new)
    reseal_secrets(shopcare.sessions, SecretBox(new, settings.secret))
    shopcare.engine.dispose()  # stopped here: the store is sealed under the pending key

    app = build(fresh(settings), clock=clock)
    assert channel_rules(app.sessions).webhook_secret == OWN_HOOK
    install_pending(settings.data_dir)
    assert (settings.data_dir / "secret.key").read_text() == new
    app.engine.dispose()


def test_a_wrong_key_says_to_enter_the_secret_again() -> None:
    sealed = SecretBox("one secret").seal("s3cret")
    assert is_sealed(sealed) and "s3cret" not in sealed
    assert SecretBox("one secret").open(sealed) == "s3cret"
    assert SecretBox("other", "one secret").reseal(sealed) != sealed
    assert SecretBox("one secret").open("plain from before") == "plain from before"
    assert SecretBox("one secret").seal("") == ""
    with pytest.raises(SecretUnreadable, match="enter it again"):
        SecretBox("another secret").open(sealed)


async def test_a_lost_secret_key_starts_the_app_and_asks_for_the_credentials_again(
    shopcare: ShopCare,
    settings: Settings,
    clock: FakeClock,
    dhl: CarrierServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    save_everything(shopcare, dhl_url=dhl.url, woo_url="shop.example.com", clock=clock)
    await shopcare.stop()
    shopcare.engine.dispose()
    os.remove(settings.data_dir / "secret.key")  # lost; a new one is made at start

    app = build(fresh(settings), clock=clock)

    assert not {"aftership", "dhl"} & set(app.carrier_names)  # unreadable: not polled
    assert "DHL is not polled" in caplog.text and "enter it again" in caplog.text
    views = {v.name: v for v in list_accounts(app.sessions)}
    assert views["dhl"].unreadable and views["aftership"].unreadable
    assert not views["ups"].unreadable
    assert connection_view(app.sessions, "woocommerce").unreadable
    with pytest.raises(InputError, match="enter it again"):
        platform_client(app.sessions, "woocommerce", http=app.http, clock=clock)
    run_id = start_backfill(app.sessions, "woocommerce", days=30, now=clock())
    run = await backfill_in_background(
        app.sessions, run_id, http=app.http, clock=clock, carriers=app.carrier_names
    )
    assert run.status == "failed" and "enter it again" in run.message
    assert webhook_secret(app.sessions, "aftership") == ""  # pushes refused
    assert channel_rules(app.sessions).sms_auth_token == ""
    assert sms_view(app.sessions)["auth_token"] == ""  # shown as not set: to be entered again
    assert set(app.senders()) == {"email"}
    assert unreadable_secrets(app.sessions) == 8
    text = await check_carrier(app.sessions, "dhl", client=app.http, clock=clock)
    assert text.startswith("failed:") and "enter it again" in text
    with pytest.raises(InputError, match="DHL needs: API key"):  # the mask is not kept
        save_account(app.sessions, "dhl", enabled=True, values={"api_key": "••••••"}, now=clock())

    values = {"api_key": DHL_KEY}
    save_account(app.sessions, "dhl", enabled=True, values=values, base_url=dhl.url, now=clock())
    app.reload_carriers()
    assert "dhl" in app.carrier_names
    assert not next(v for v in list_accounts(app.sessions) if v.name == "dhl").unreadable
    assert get_rules(app.sessions).sms_account_sid == SID  # plain settings are untouched
    with app.sessions() as session:
        assert isinstance(box_of(session), SecretBox)
    await app.stop()
    app.engine.dispose()


def test_check_says_how_many_stored_secrets_cannot_be_opened(
    shopcare: ShopCare, settings: Settings, clock: FakeClock
) -> None:
    save_account(shopcare.sessions, "dhl", enabled=True, values={"api_key": DHL_KEY}, now=clock())
    shopcare.engine.dispose()
    os.remove(settings.data_dir / "secret.key")

    result = subprocess.run(
        [sys.executable, "-m", "shopcare", "check"], capture_output=True, text=True, cwd=ROOT,
        env=child_env(SHOPCARE_DATA_DIR=str(settings.data_dir), PYTHONPATH=str(ROOT)),
        timeout=120,
    )  # fmt: skip

    assert result.returncode == 1, result.stderr  # a secret to enter again is a problem
    assert "stored secrets: 1 cannot be opened with this secret" in result.stdout
