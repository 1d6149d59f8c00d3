"""Secrets at rest: carrier keys, platform tokens, the SMS token and webhook secrets are kept
in the store sealed with a key derived from the data dir's secret, so a copy of the database
file, its ``-wal`` or a backup alone does not give them away.

The key is HKDF-SHA256 of the secret (``settings.secret``: ``SHOPCARE_SECRET`` or
``DATA_DIR/secret.key``) made into a Fernet key (AES-128-CBC + HMAC-SHA256, from the
maintained ``cryptography`` package). A sealed value reads ``enc:v1:<Fernet token>``; text
without that prefix is a value stored before sealing existed and is returned as it is (it is
sealed in place at start, see ``services.stored_secrets``).

How services get the box: the composition root puts it into every session's ``info`` (see
``db.engine.session_factory``), and ``box_of(session)`` takes it out. The session factory is
already passed to every service explicitly, so the box travels with it instead of through a
module-level global, and two apps in one process (tests) each keep their own key; threading a
``box=`` argument through the dozens of callers of the same services would say nothing more.
"""

from __future__ import annotations

import base64
from functools import cached_property
from typing import TYPE_CHECKING

from sqlmodel import Session

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

PREFIX = "enc:v1:"
INFO_KEY = "secret_box"
"""Where the box sits in ``Session.info``."""
_HKDF_INFO = b"shopcare store secrets v1"
UNREADABLE = (
    "The saved credentials cannot be read with this data dir's secret "
    "(secret.key lost or replaced, or SHOPCARE_SECRET changed): enter them again."
)
"""What the admin pages say where a stored secret cannot be opened."""


class SecretUnreadable(ValueError):
    """A sealed value that this data dir's secret cannot open: it was sealed under another
    secret (``secret.key`` lost or replaced, ``SHOPCARE_SECRET`` changed). The owner has to
    enter the credentials again; nothing else can bring them back."""

    def __init__(self, what: str = "a stored secret") -> None:
        super().__init__(
            f"{what} was saved with another secret than this data dir's "
            "(secret.key replaced or SHOPCARE_SECRET changed): enter it again"
        )


def derive_key(secret: str) -> bytes:
    """The Fernet key for ``secret``: the same secret always gives the same key."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        secret.encode("utf-8")
    )
    return base64.urlsafe_b64encode(raw)


class SecretBox:
    """Seals with the first secret given; opens with any of them (the others are only there
    while a rotation moves values from an old secret to a new one)."""

    def __init__(self, secret: str, *older: str) -> None:
        self._secrets = (secret, *older)

    @cached_property
    def _fernet(self) -> MultiFernet:
        """Made at the first seal or open: a shop with no stored secret never loads the
        ``cryptography`` package (~6 MB of every start)."""
        from cryptography.fernet import Fernet, MultiFernet

        return MultiFernet([Fernet(derive_key(s)) for s in self._secrets])

    def seal(self, text: str) -> str:
        """``""`` stays ``""`` (nothing set) and sealed text stays as it is."""
        if not text or is_sealed(text):
            return text
        return PREFIX + self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def open(self, text: str, *, what: str = "a stored secret") -> str:
        """The plain value of sealed text; plain (legacy) text as it is.

        Raises ``SecretUnreadable`` when no secret of this box sealed it."""
        if not is_sealed(text):
            return text
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(text.removeprefix(PREFIX).encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise SecretUnreadable(what) from None

    def can_open(self, text: str) -> bool:
        try:
            self.open(text)
        except SecretUnreadable:
            return False
        return True

    def reseal(self, text: str) -> str:
        """Sealed under the first secret, whichever of the box's secrets sealed it; plain
        text gets sealed. Raises ``SecretUnreadable`` like ``open``."""
        if not text:
            return text
        if not is_sealed(text):
            return self.seal(text)
        from cryptography.fernet import InvalidToken

        try:
            token = self._fernet.rotate(text.removeprefix(PREFIX).encode("ascii"))
        except (InvalidToken, UnicodeError):
            raise SecretUnreadable() from None
        return PREFIX + token.decode("ascii")


def is_sealed(text: str) -> bool:
    return text.startswith(PREFIX)


def box_of(session: Session) -> SecretBox:
    """The box the composition root gave this session's factory."""
    box = session.info.get(INFO_KEY)
    if not isinstance(box, SecretBox):
        raise RuntimeError("this session factory was made without a SecretBox (see app.build)")
    return box
