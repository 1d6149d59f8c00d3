"""Putting a backup back: proved whole first, refused if a newer ShopCare made it or if
ShopCare is running on this store, the current store kept aside (never deleted), then the
restored store migrated forward to this version's schema."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from shopcare.data_dir import keep_private
from shopcare.db.engine import make_engine, session_factory
from shopcare.db.migrate import HEAD, MIGRATIONS, upgrade
from shopcare.services.backups.archive import (
    FILES,
    STORE,
    UPLOADS,
    BackupError,
    Manifest,
    copy_tree_aside,
    sqlite_path,
    verified_copy,
)
from shopcare.services.runtime.process_lease import living_leases


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    aside: Path | None
    """Where the store and uploads that were replaced now are (None: there were none)."""
    migrated: bool
    """The backup's schema was older and was brought forward."""


def restore_backup(
    archive_path: Path, *, database_url: str, data_dir: Path, now: datetime
) -> Restored:
    store = sqlite_path(database_url)
    data_dir.mkdir(parents=True, exist_ok=True)
    keep_private(data_dir)  # what is unpacked is the owner's alone, as ShopCare keeps it
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=data_dir) as work:
        unpacked = Path(work)
        manifest = verified_copy(archive_path, unpacked)
        _refuse_newer(manifest.schema_revision)
        if store.exists():
            _refuse_running(database_url, now=now)
        aside = data_dir / f"before-restore-{now.strftime('%Y%m%d-%H%M%S')}"
        replaced = [store, *_sidecars(store), *(data_dir / name for name in UPLOADS)]
        moved = copy_tree_aside(replaced, aside, data_dir=data_dir)
        store.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(unpacked / STORE), store)
        files = unpacked / FILES.rstrip("/")
        if files.is_dir():
            for entry in files.iterdir():
                shutil.move(str(entry), data_dir / entry.name)
    engine = make_engine(database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return Restored(
        manifest=manifest,
        aside=aside if moved else None,
        migrated=manifest.schema_revision != HEAD,
    )


def _sidecars(store: Path) -> list[Path]:
    """SQLite's ``-wal`` and ``-shm``: left beside a replaced store, the old ``-wal``
    would be replayed into the restored one."""
    return [store.with_name(store.name + suffix) for suffix in ("-wal", "-shm")]


def _refuse_newer(revision: str | None) -> None:
    if revision is None or revision == HEAD:
        return
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    scripts = ScriptDirectory(str(MIGRATIONS))
    try:
        scripts.get_revision(revision)
    except CommandError:
        raise BackupError(
            f"this backup was made by a newer ShopCare (schema {revision}; this one knows up "
            f"to {HEAD}): upgrade ShopCare, then restore"
        ) from None


def _refuse_running(database_url: str, *, now: datetime) -> None:
    """A store replaced under a running process would be overwritten by it, or corrupt it."""
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            living = living_leases(session, now=now)
    except sa.exc.SQLAlchemyError:  # a store too old or broken to hold leases runs nothing
        living = []
    finally:
        engine.dispose()
    if living:
        pids = ", ".join(str(row.pid) for row in living)
        raise BackupError(f"ShopCare is running on this store (pid {pids}): stop it, then restore")
