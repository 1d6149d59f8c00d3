"""Daily backups while ShopCare runs, their retention, and the list the owner sees.

Where they go is a setting (a folder the owner picks, e.g. a mounted disk; the data dir's
``backups`` by default). Only files named like ours (``domain.backups.backup_name``) are
ever deleted by retention; an owner's own copies in the same folder are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from shopcare.db.engine import SessionFactory, make_engine, session_factory
from shopcare.domain.backups import backup_name, made_at_of, to_keep
from shopcare.services.backups.archive import BackupError, Manifest, make_backup
from shopcare.services.errors import InputError
from shopcare.services.shop.settings_rows import load_group, update_group

KEY = "backups"
EVERY = timedelta(hours=24)
DEFAULT_FOLDER = "backups"


@dataclass(frozen=True)
class BackupSettings:
    folder: str = ""
    """Absolute path; "" = the data dir's ``backups`` folder."""
    daily: bool = True


def backup_settings(sessions: SessionFactory) -> BackupSettings:
    with sessions() as session:
        return load_group(session, KEY, BackupSettings)


def save_backup_settings(sessions: SessionFactory, *, folder: str, daily: bool) -> BackupSettings:
    def check(settings: BackupSettings) -> None:
        if settings.folder and not Path(settings.folder).is_absolute():
            raise InputError("the backup folder must be a full path, like /mnt/disk/shopcare")

    return update_group(
        sessions, KEY, BackupSettings, {"folder": folder.strip(), "daily": daily}, check=check
    )


def backup_folder(settings: BackupSettings, data_dir: Path) -> Path:
    return Path(settings.folder) if settings.folder else data_dir / DEFAULT_FOLDER


@dataclass(frozen=True)
class BackupFile:
    path: Path
    made_at: datetime
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def list_backups(folder: Path) -> list[BackupFile]:
    """Our archives in ``folder``, newest first."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        made_at = made_at_of(path.name)
        if made_at is not None and path.is_file():
            found.append(BackupFile(path=path, made_at=made_at, size=path.stat().st_size))
    return sorted(found, key=lambda b: b.made_at, reverse=True)


def find_backup(folder: Path, name: str) -> BackupFile | None:
    """One of ours by name (the download route: a name, never a path from the browser)."""
    return next((b for b in list_backups(folder) if b.name == name), None)


@dataclass(frozen=True)
class Made:
    path: Path
    manifest: Manifest


def back_up_now(database_url: str, data_dir: Path, folder: Path, *, now: datetime) -> Made:
    """A dated archive in ``folder`` (``Settings → Backups``, ``shopcare backup``)."""
    target = folder / backup_name(now)
    if target.exists():
        raise BackupError(f"{target.name} exists already; try again in a second")
    return Made(target, make_backup(database_url, data_dir, target, now=now))


def configured_folder(database_url: str, data_dir: Path) -> Path:
    """The owner's backup folder, read from the store (the command line has no app)."""
    engine = make_engine(database_url)
    try:
        return backup_folder(backup_settings(session_factory(engine)), data_dir)
    finally:
        engine.dispose()


def run_due_backup(
    database_url: str, data_dir: Path, folder: Path, *, now: datetime
) -> Path | None:
    """The scheduler's daily backup: made when the newest is a day old (or there is
    none), then the old ones beyond retention deleted. Returns the new archive, if any."""
    existing = list_backups(folder)
    made = None
    if not existing or now - existing[0].made_at >= EVERY:
        made = back_up_now(database_url, data_dir, folder, now=now).path
    prune(folder)
    return made


def prune(folder: Path) -> list[Path]:
    backups = list_backups(folder)
    keep = to_keep(b.made_at for b in backups)
    removed = []
    for backup in backups:
        if backup.made_at not in keep:
            backup.path.unlink(missing_ok=True)
            removed.append(backup.path)
    return removed
