"""The one argon2 hasher for admin passwords, and the demo's generated password.

Kept free of the store and the web stack so ``shopcare run --demo`` can start hashing
before it loads them.
"""

from __future__ import annotations

import secrets
import threading

from argon2 import PasswordHasher

HASHER = PasswordHasher()


class DemoPassword:
    """The demo admin's generated password, hashed in a thread from the moment ``run --demo``
    starts: argon2 releases the GIL, so its ~0.1 s overlaps loading the app instead of
    adding to the time before the first page answers."""

    def __init__(self) -> None:
        self.password = secrets.token_urlsafe(12)
        self._hash: str | None = None
        self._thread = threading.Thread(target=self._make_hash, name="demo-password", daemon=True)
        self._thread.start()

    def _make_hash(self) -> None:
        self._hash = HASHER.hash(self.password)

    def hashed(self) -> str:
        self._thread.join()
        if self._hash is None:  # the thread failed: hash here, where an error is seen
            self._hash = HASHER.hash(self.password)
        return self._hash
