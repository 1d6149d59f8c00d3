"""A second process that holds SQLite's write lock until it is told to let go.

Run as a script (stdlib only): ``python tests/lock_holder.py DB``. It takes the lock with
``BEGIN IMMEDIATE``, prints ``locked``, waits for a line on stdin (or ``--max-seconds``, a
safety net so a crashed test never leaves it behind), rolls back and prints ``released``.

``LockHolder`` starts and drives it from a test or a benchmark, so the lock is held by
another process exactly as long as the caller says: nothing is timed.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType

SCRIPT = Path(__file__).resolve()


class LockHolder:
    """``with LockHolder(db):`` the store is locked by another process until ``release()``
    (or the end of the block)."""

    def __init__(self, db: Path, *, max_seconds: float = 300) -> None:
        self.db = db
        self.max_seconds = max_seconds
        self.process: subprocess.Popen[str] | None = None
        self.released = False

    def __enter__(self) -> LockHolder:
        self.process = subprocess.Popen(
            [sys.executable, str(SCRIPT), str(self.db), "--max-seconds", str(self.max_seconds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if line != "locked":
            self.process.kill()
            raise RuntimeError(f"the lock holder did not lock the store: {line!r}")
        return self

    def release(self) -> None:
        """Tell the holder to roll back, and wait until it has."""
        if self.released or self.process is None:
            return
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("release\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline().strip()
        self.process.wait(timeout=30)
        self.released = True
        if line != "released":
            raise RuntimeError(f"the lock holder ended with {line!r}, not 'released'")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.process is None:
            return
        if kind is None:
            self.release()
        else:
            self.process.kill()
        self.process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--max-seconds", type=float, default=300)
    args = parser.parse_args()
    connection = sqlite3.connect(args.db, timeout=30, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    told = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.readline(), told.set()), daemon=True).start()
    told.wait(args.max_seconds)
    connection.execute("ROLLBACK")
    connection.close()
    print("released" if told.is_set() else "gave up waiting", flush=True)


if __name__ == "__main__":
    main()
