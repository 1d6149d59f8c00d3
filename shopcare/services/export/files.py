"""The data dir's ``exports`` folder: where an export's ZIP is written, found again for the
download, and removed (every shopper's address is in it).

A file is named by the moment it was started, in UTC (``shopcare-export-20261205T093000Z.zip``),
so its age is read from its name against the app's clock, not from the file system's; it is
written as ``….zip.part`` and renamed when complete, so a download never gets half a file.
At most one is kept: the next export removes it, and so does the first look after a day.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

FOLDER = "exports"
KEEP = timedelta(days=1)
_NAME = re.compile(r"shopcare-export-(\d{8}T\d{6}Z)\.zip")
_STAMP = "%Y%m%dT%H%M%SZ"


def export_folder(data_dir: Path) -> Path:
    folder = data_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def export_name(started: datetime) -> str:
    return f"shopcare-export-{started.astimezone(UTC).strftime(_STAMP)}.zip"


def started_at(name: str) -> datetime | None:
    """When the export in ``name`` was started; None for any other name."""
    found = _NAME.fullmatch(name)
    if found is None:
        return None
    return datetime.strptime(found[1], _STAMP).replace(tzinfo=UTC)


def ready_export(data_dir: Path, name: str, *, now: datetime) -> Path | None:
    """The finished export called ``name``, if it is one and is still kept; anything else
    (another file, a path, an old export) is None."""
    started = started_at(name)
    if started is None or now - started > KEEP:
        return None
    path = data_dir / FOLDER / name
    return path if path.is_file() else None


def remove_exports(data_dir: Path, *, now: datetime | None = None) -> int:
    """Every export (and any half-written one) or, given ``now``, those older than ``KEEP``;
    how many files were removed."""
    folder = data_dir / FOLDER
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.glob("shopcare-export-*"):
        started = started_at(path.name.removesuffix(".part"))
        if now is not None and started is not None and now - started <= KEEP:
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            removed += 1
    return removed
