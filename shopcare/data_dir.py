"""The data dir is the owner's alone: the folder 700, everything in it 600.

It holds the store (carrier keys, shopper addresses; SQLite's ``-wal`` file keeps recent
writes in clear), the secret, the dev mailbox, return photos and import files. One mechanism
covers what ShopCare writes there later: the process umask becomes 077 once, at start, so
every file and folder made afterwards (SQLite's own files, mail, photos, uploads, reports) is
created private without a ``chmod`` at each place that writes. What an older version or a
copy left readable is tightened at the same moment, and the log says so once.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger("shopcare")

PRIVATE_UMASK = 0o077
"""Group and others get no bits on anything this process creates."""
_SHOWN = 5


def keep_private(folder: Path) -> list[str]:
    """Make files created from now on private, and tighten what is already in ``folder``.

    Returns what was changed (``"shopcare.db 644→600"``) or could not be (a file another
    user owns), also logged as one warning line; the start goes on either way.
    """
    os.umask(PRIVATE_UMASK)
    changed = [change for path in _entries(folder) if (change := _tighten(path, root=folder))]
    if changed:
        shown = ", ".join(changed[:_SHOWN])
        more = f" and {len(changed) - _SHOWN} more" if len(changed) > _SHOWN else ""
        log.warning(
            "data dir %s was readable by other users; now owner-only: %s%s",
            folder,
            shown,
            more,
        )
    return changed


def _entries(folder: Path) -> list[Path]:
    """The folder itself, then everything under it; symbolic links are not followed (their
    targets are not ours to change)."""
    found = [folder]
    for top, dirs, files in os.walk(folder):
        found.extend(Path(top) / name for name in (*dirs, *files))
    return found


def _tighten(path: Path, *, root: Path) -> str | None:
    """Drop group and other bits; None if the mode was already private or it is a link."""
    try:
        info = path.lstat()
    except FileNotFoundError:  # removed meanwhile (an old upload cleared by another task)
        return None
    mode = stat.S_IMODE(info.st_mode)
    private = mode & ~PRIVATE_UMASK
    if stat.S_ISLNK(info.st_mode) or mode == private:
        return None
    try:
        path.chmod(private)
    except FileNotFoundError:
        return None
    except OSError as exc:  # another user's file: say so, but start anyway
        return f"{_name(path, root)} {mode:o} left as it is ({exc.strerror})"
    return f"{_name(path, root)} {mode:o}→{private:o}"


def _name(path: Path, root: Path) -> str:
    return "." if path == root else str(path.relative_to(root))
