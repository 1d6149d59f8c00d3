"""Replacing the data dir's ``secret.key`` (``shopcare rotate-secret``) without a moment in
which the store's sealed values and the key on disk disagree for good.

The new secret is first written beside the old one as ``secret.key.new`` (600, synced);
the store is re-sealed under it in one transaction; then it is renamed over ``secret.key``
(atomic on one file system) and the folder synced. Stopped between the commit and the
rename, the store is sealed under the key in ``secret.key.new``: ``pending_secret`` hands it
to the app's box as a second key, so the values still open, and the next rotation includes
it. Nothing of the old key is kept after the rename.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_FILE = "secret.key"
PENDING_FILE = "secret.key.new"


def new_secret() -> str:
    """As ``config`` makes the first one."""
    return secrets.token_urlsafe(32)


def pending_secret(folder: Path) -> list[str]:
    """The secret of a rotation cut short, if one is left in ``folder``."""
    try:
        text = (folder / PENDING_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return []
    return [text] if text else []


def write_pending(folder: Path, secret: str) -> Path:
    """``secret.key.new``, owner-only, on disk before the store is changed."""
    path = folder / PENDING_FILE
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(secret)
        file.flush()
        os.fsync(file.fileno())
    return path


def install_pending(folder: Path) -> None:
    """``secret.key.new`` becomes ``secret.key``."""
    os.replace(folder / PENDING_FILE, folder / KEY_FILE)
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
