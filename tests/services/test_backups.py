"""Backups made from a real store, restored into another data dir, compared row by row."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shopcare.app import ShopCare, build
from shopcare.config import Settings, load_settings
from shopcare.db.migrate import HEAD
from shopcare.domain.backups import backup_name
from shopcare.services.backups.archive import BackupError, make_backup, read_manifest
from shopcare.services.backups.restore import restore_backup
from shopcare.services.backups.schedule import list_backups, run_due_backup
from shopcare.services.runtime.process_lease import renew_lease
from tests.conftest import FakeClock, set_up_shop
from tests.services.export_store import fill_every_table
from tests.services.helpers import make_order
from tests.store import sqlite_only

NOW = datetime(2026, 12, 5, 3, 30, tzinfo=UTC)
pytestmark = sqlite_only  # an online copy of the SQLite file; PostgreSQL has pg_dump


def store_rows(database: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a stable order."""
    connection = sqlite3.connect(database)
    try:
        names = [
            r[0]
            for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            name: sorted(connection.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in names
        }
    finally:
        connection.close()


def busy_shop(settings: Settings, clock: FakeClock) -> ShopCare:
    """A shop with orders, parcels polled, messages sent, uploads and a signing key."""
    app = build(settings, clock=clock, simulated=True)
    set_up_shop(app)
    fill_every_table(app)  # the demo shop, every kind of secret, a row in every table
    for n in range(5):
        make_order(app, number=f"20{n}", tracking=f"SIMOK2000{n}")
    for _ in range(3):
        clock.advance(hours=6)
        asyncio.run(app.poll_once())
        asyncio.run(app.dispatch_once())
    data = settings.data_dir
    (data / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n logo")
    (data / "return-photos" / "7").mkdir(parents=True)
    (data / "return-photos" / "7" / "a.jpg").write_bytes(b"\xff\xd8\xff photo")
    (data / "dkim").mkdir(exist_ok=True)
    (data / "dkim" / "shopcare._domainkey.shop.example.pem").write_text("-----KEY-----")
    return app


def store_of(settings: Settings) -> Path:
    return settings.data_dir / "shopcare.db"


def test_restored_into_a_new_data_dir_every_table_and_upload_is_the_same(
    settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    app = busy_shop(settings, clock)
    archive = tmp_path / "backup.zip"
    manifest = make_backup(settings.database_url, settings.data_dir, archive, now=NOW)
    app.engine.dispose()

    before = store_rows(store_of(settings))
    assert [name for name, rows in before.items() if not rows] == []
    assert manifest.schema_revision == HEAD
    assert manifest.tables == {name: len(rows) for name, rows in before.items()}

    other = load_settings({}, data_dir=str(tmp_path / "new-machine"))
    restored = restore_backup(
        archive, database_url=other.database_url, data_dir=other.data_dir, now=NOW
    )
    assert restored.aside is None  # nothing was there to keep aside
    assert store_rows(store_of(other)) == before
    new = other.data_dir
    assert (new / "logo.png").read_bytes() == b"\x89PNG\r\n\x1a\n logo"
    assert (new / "return-photos" / "7" / "a.jpg").read_bytes() == b"\xff\xd8\xff photo"
    assert (new / "dkim" / "shopcare._domainkey.shop.example.pem").read_text() == "-----KEY-----"
    with zipfile.ZipFile(archive) as opened:
        assert not any(name.endswith("secret.key") for name in opened.namelist())
    shop = build(other)  # the restored store opens as a shop
    assert shop.engine.url.database == str(store_of(other))
    shop.engine.dispose()


def test_a_backup_made_while_the_shop_polls_and_sends_is_consistent(
    settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    app = busy_shop(settings, clock)
    stop = threading.Event()
    errors: list[BaseException] = []

    def keep_working() -> None:
        n = 0
        try:
            while not stop.is_set():
                n += 1
                make_order(app, number=f"L{n}", tracking=f"SIMOK9{n:05d}")
                asyncio.run(app.poll_once())
                asyncio.run(app.dispatch_once())
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=keep_working)
    worker.start()
    try:
        archives = [tmp_path / f"during-{i}.zip" for i in range(3)]
        for archive in archives:
            make_backup(settings.database_url, settings.data_dir, archive, now=NOW)
    finally:
        stop.set()
        worker.join()
    assert not errors
    for i, archive in enumerate(archives):
        target = load_settings({}, data_dir=str(tmp_path / f"restored-{i}"))
        done = restore_backup(
            archive, database_url=target.database_url, data_dir=target.data_dir, now=NOW
        )
        rows = store_rows(store_of(target))
        assert {name: len(r) for name, r in rows.items()} == done.manifest.tables
        connection = sqlite3.connect(store_of(target))
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        connection.close()
    app.engine.dispose()


def test_restore_keeps_the_current_store_aside(
    settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    app = busy_shop(settings, clock)
    archive = tmp_path / "b.zip"
    make_backup(settings.database_url, settings.data_dir, archive, now=NOW)
    make_order(app, number="AFTER", tracking="SIMOK777777")  # only in the current store
    app.engine.dispose()
    current = store_rows(store_of(settings))

    done = restore_backup(
        archive, database_url=settings.database_url, data_dir=settings.data_dir, now=NOW
    )
    assert done.aside is not None
    assert store_rows(done.aside / "shopcare.db") == current
    assert (done.aside / "logo.png").is_file()
    numbers = [
        r[0]
        for r in sqlite3.connect(store_of(settings)).execute("SELECT order_number FROM shop_order")
    ]
    assert "AFTER" not in numbers


def test_restore_refuses_while_shopcare_runs_on_the_store(
    settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    app = busy_shop(settings, clock)
    archive = tmp_path / "b.zip"
    make_backup(settings.database_url, settings.data_dir, archive, now=NOW)
    renew_lease(app.sessions, app.lease, now=clock())  # this test process is "running"
    with pytest.raises(BackupError, match="ShopCare is running on this store"):
        restore_backup(
            archive, database_url=settings.database_url, data_dir=settings.data_dir, now=clock()
        )
    app.engine.dispose()


def rewrite(archive: Path, target: Path, change: dict[str, bytes | None]) -> None:
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            if item.filename in change:
                if change[item.filename] is not None:
                    out.writestr(item.filename, change[item.filename])  # type: ignore[arg-type]
            else:
                out.writestr(item, source.read(item.filename))


@pytest.fixture
def archive(settings: Settings, clock: FakeClock, tmp_path: Path) -> Path:
    app = busy_shop(settings, clock)
    path = tmp_path / "good.zip"
    make_backup(settings.database_url, settings.data_dir, path, now=NOW)
    app.engine.dispose()
    return path


def restore_into(path: Path, tmp_path: Path) -> None:
    target = load_settings({}, data_dir=str(tmp_path / "target"))
    restore_backup(path, database_url=target.database_url, data_dir=target.data_dir, now=NOW)


def test_a_changed_member_is_caught_by_its_checksum(archive: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    rewrite(archive, bad, {"files/logo.png": b"another logo"})
    with pytest.raises(BackupError, match=r"files/logo.png .* does not match its checksum"):
        restore_into(bad, tmp_path)
    assert not (tmp_path / "target" / "logo.png").exists()


def test_a_store_that_fails_its_integrity_check_is_refused(archive: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(archive) as opened:
        store = bytearray(opened.read("store.sqlite3"))
        manifest = json.loads(opened.read("manifest.json"))
    store[len(store) // 2 : len(store) // 2 + 4096] = b"\x00\xff" * 2048  # a page overwritten
    import hashlib

    manifest["files"]["store.sqlite3"]["sha256"] = hashlib.sha256(store).hexdigest()
    bad = tmp_path / "corrupt.zip"
    rewrite(
        archive,
        bad,
        {"store.sqlite3": bytes(store), "manifest.json": json.dumps(manifest).encode()},
    )
    with pytest.raises(BackupError, match=r"integrity check|not a readable database"):
        restore_into(bad, tmp_path)


def test_a_backup_from_a_newer_shopcare_is_refused(archive: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read("manifest.json"))
    manifest["schema_revision"] = "9999"
    newer = tmp_path / "newer.zip"
    rewrite(archive, newer, {"manifest.json": json.dumps(manifest).encode()})
    with pytest.raises(BackupError, match="made by a newer ShopCare"):
        restore_into(newer, tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no backup file"), (b"not a zip at all", "not a ShopCare backup")],
)
def test_a_missing_or_foreign_file_is_refused(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "x.zip"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(BackupError, match=message):
        restore_into(path, tmp_path)


def test_an_older_backup_is_migrated_forward(archive: Path, tmp_path: Path) -> None:
    """A backup from the release before the newest migration opens at HEAD after restore."""
    from shopcare.db.engine import make_engine
    from shopcare.db.migrate import run

    with zipfile.ZipFile(archive) as opened:
        opened.extract("store.sqlite3", tmp_path / "old")
    old_store = tmp_path / "old" / "store.sqlite3"
    from alembic import command

    engine = make_engine(f"sqlite:///{old_store}")
    run(engine, command.downgrade, "-1")
    engine.dispose()
    previous = (
        sqlite3.connect(old_store).execute("SELECT version_num FROM alembic_version").fetchone()[0]
    )
    assert previous != HEAD
    old_archive = tmp_path / "old.zip"
    make_backup(f"sqlite:///{old_store}", tmp_path / "old", old_archive, now=NOW)
    target = load_settings({}, data_dir=str(tmp_path / "target"))
    done = restore_backup(
        old_archive, database_url=target.database_url, data_dir=target.data_dir, now=NOW
    )
    assert done.migrated
    version = sqlite3.connect(store_of(target)).execute("SELECT version_num FROM alembic_version")
    assert version.fetchone()[0] == HEAD


def test_daily_backups_keep_seven_days_and_four_weeks(
    settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    app = busy_shop(settings, clock)
    folder = tmp_path / "backups"
    mine = folder / "my-own-copy.zip"
    folder.mkdir()
    mine.write_bytes(b"kept whatever retention says")
    moment = NOW
    made = []
    for _hour in range(0, 24 * 40, 8):  # a job every 8 hours for 40 days
        if new := run_due_backup(settings.database_url, settings.data_dir, folder, now=moment):
            made.append(new)
        moment += timedelta(hours=8)
    assert len(made) == 40  # one a day, not one a run
    names = [b.name for b in list_backups(folder)]
    assert names[0] == backup_name(NOW + timedelta(days=39))
    newest = NOW + timedelta(days=39)  # Wednesday 13 January 2027
    days = [newest - timedelta(days=d) for d in range(7)]  # 7..13 January: two ISO weeks
    weeks = [datetime(2027, 1, 3, 3, 30, tzinfo=UTC), datetime(2026, 12, 27, 3, 30, tzinfo=UTC)]
    assert names == [backup_name(m) for m in [*days, *weeks]]  # the last Sundays of 2 more weeks
    assert mine.is_file()
    assert read_manifest(folder / names[0]).schema_revision == HEAD
    app.engine.dispose()
