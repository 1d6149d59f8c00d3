"""One backup archive: a consistent copy of the SQLite store made while ShopCare runs, the
shop's uploads, and a manifest that lets a restore prove the archive whole before it
touches anything.

The copy uses SQLite's online backup API: it reads a snapshot while writers go on (WAL),
where copying the file could catch a half-written page or miss the ``-wal`` file's recent
writes. Inside the archive (a ZIP: its manifest can be read without unpacking the store):

- ``manifest.json``: format, app version, schema revision, when, rows per table, and the
  SHA-256 and size of every other member;
- ``store.sqlite3``: the store (self-contained: rollback journal, no ``-wal``);
- ``files/…``: the logo, return photos and the DKIM signing key.

``secret.key`` is left out on purpose: it unseals the mail password, carrier keys and
store tokens kept in the store, so an archive with both would hand all of them to whoever
finds it. A restore in the same data dir keeps its own key; on a new machine the owner
copies ``secret.key`` too, or types those secrets in again (the admin asks for them).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from shopcare.services.errors import InputError
from shopcare.services.returns.photos import PHOTO_DIR
from shopcare.services.shop.logo import LOGO_NAMES

FORMAT = 1
MANIFEST = "manifest.json"
STORE = "store.sqlite3"
FILES = "files/"
UPLOADS = (*LOGO_NAMES, PHOTO_DIR, "dkim")
"""What under the data dir belongs to the shop besides the store (mail in the dev mailbox,
import files and reports are working files, not the shop's data)."""
_CHUNK = 1 << 20


class BackupError(InputError):
    """A backup that cannot be made or used; the message says what to do."""


@dataclass(frozen=True)
class Manifest:
    made_at: datetime
    app_version: str
    schema_revision: str | None
    tables: dict[str, int]
    files: dict[str, dict[str, Any]]
    """Member name -> {"sha256", "size"}, the store included."""

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "made_at": self.made_at.isoformat(),
                "app_version": self.app_version,
                "schema_revision": self.schema_revision,
                "tables": self.tables,
                "files": self.files,
                "secret_key_included": False,
            },
            indent=2,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise BackupError(
                    f"backup format {data.get('format')!r} is not one this ShopCare reads"
                )
            return cls(
                made_at=datetime.fromisoformat(data["made_at"]),
                app_version=str(data["app_version"]),
                schema_revision=data["schema_revision"],
                tables={str(k): int(v) for k, v in data["tables"].items()},
                files={str(k): dict(v) for k, v in data["files"].items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(f"the backup's manifest is damaged ({exc})") from None


def sqlite_path(database_url: str) -> Path:
    url = sa.make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise BackupError(
            "backups are made of the SQLite store; for PostgreSQL use pg_dump "
            "(see docs/operations.md)"
        )
    return Path(url.database)  # type: ignore[arg-type]


def make_backup(database_url: str, data_dir: Path, target: Path, *, now: datetime) -> Manifest:
    """Write the archive to ``target`` (made under a temporary name, then renamed: a
    half-written archive is never seen under the real name)."""
    store = sqlite_path(database_url)
    if not store.is_file():
        raise BackupError(f"there is no store at {store} to back up")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=target.parent) as work:
        copy = Path(work) / STORE
        _online_copy(store, copy)
        tables, revision = _describe(copy)
        partial = Path(work) / target.name
        files: dict[str, dict[str, Any]] = {}
        private = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # shoppers' data
        with (
            open(private, "wb") as out,
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            files[STORE] = _add(archive, copy, STORE)
            for path, name in _uploads(data_dir):
                files[name] = _add(archive, path, name)
            manifest = Manifest(
                made_at=now,
                app_version=_version(),
                schema_revision=revision,
                tables=tables,
                files=files,
            )
            archive.writestr(MANIFEST, manifest.to_json())
        os.replace(partial, target)
    return manifest


def _version() -> str:
    try:
        return importlib.metadata.version("shopcare")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout, not installed
        return "unknown"


def _online_copy(store: Path, copy: Path) -> None:
    source = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    destination = sqlite3.connect(copy)
    try:
        source.execute("PRAGMA busy_timeout=5000")
        source.backup(destination)
        destination.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
    finally:
        destination.close()
        source.close()


def _describe(database: Path) -> tuple[dict[str, int], str | None]:
    """Rows per table and the schema revision, read from the copy (what the archive holds,
    not what the live store has become meanwhile)."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        tables = {name: _count(connection, name) for name in names}
        revision = None
        if "alembic_version" in tables:
            found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = found[0] if found else None
        return tables, revision
    finally:
        connection.close()


def _count(connection: sqlite3.Connection, table: str) -> int:
    quoted = '"' + table.replace('"', '""') + '"'  # a name read from sqlite_master
    return int(connection.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0])  # noqa: S608


def _uploads(data_dir: Path) -> Iterator[tuple[Path, str]]:
    for top in UPLOADS:
        path = data_dir / top
        if path.is_file() and not path.is_symlink():
            yield path, FILES + top
        elif path.is_dir() and not path.is_symlink():
            for found in sorted(path.rglob("*")):
                if found.is_file() and not found.is_symlink():
                    yield found, FILES + found.relative_to(data_dir).as_posix()


def _add(archive: zipfile.ZipFile, path: Path, name: str) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source, archive.open(name, "w", force_zip64=True) as member:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            member.write(chunk)
            size += len(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def read_manifest(archive_path: Path) -> Manifest:
    """The manifest alone (the admin's list of backups)."""
    with _open(archive_path) as archive:
        return _manifest_of(archive)


def verified_copy(archive_path: Path, into: Path) -> Manifest:
    """Unpack ``archive_path`` into the empty folder ``into`` after checking every member
    against the manifest and the store with ``PRAGMA integrity_check``; raises BackupError
    saying what is wrong, having changed nothing outside ``into``."""
    with _open(archive_path) as archive:
        manifest = _manifest_of(archive)
        if STORE not in manifest.files:
            raise BackupError("the backup holds no store")
        for name, expected in manifest.files.items():
            target = _inside(into, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            try:
                with archive.open(name) as member, target.open("wb") as out:
                    while chunk := member.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
            except KeyError:
                raise BackupError(f"the backup lacks {name}, which its manifest lists") from None
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise BackupError(f"{name} in the backup is damaged ({exc})") from None
            if digest.hexdigest() != expected.get("sha256"):
                raise BackupError(f"{name} in the backup does not match its checksum")
    _check_integrity(into / STORE)
    return manifest


def _check_integrity(database: Path) -> None:
    try:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the store in the backup is not a readable database ({exc})") from None
    if result != ["ok"]:
        raise BackupError(f"the store in the backup fails its integrity check: {result[0]}")


def _inside(folder: Path, name: str) -> Path:
    """A member's path under ``folder``; a name that climbs out ("../") is refused."""
    target = (folder / name).resolve()
    if not target.is_relative_to(folder.resolve()) or name.startswith("/"):
        raise BackupError(f"the backup names a file outside its folder: {name}")
    return target


def _open(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"{path.name} is not a ShopCare backup or is damaged ({exc})") from None


def _manifest_of(archive: zipfile.ZipFile) -> Manifest:
    try:
        text = archive.read(MANIFEST).decode("utf-8")
    except KeyError:
        raise BackupError("not a ShopCare backup: it has no manifest.json") from None
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError) as exc:
        raise BackupError(f"the backup's manifest is damaged ({exc})") from None
    return Manifest.from_json(text)


def copy_tree_aside(paths: list[Path], aside: Path, *, data_dir: Path) -> list[Path]:
    """Move ``paths`` (those that exist) under ``aside``, keeping their place relative to
    the data dir; returns where each went."""
    moved = []
    for path in paths:
        if path.exists() or path.is_symlink():
            target = aside / path.relative_to(data_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), target)
            moved.append(target)
    return moved
