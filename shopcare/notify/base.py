"""The seam every message sender implements, and the one error it raises."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol


class SendError(Exception):
    """Delivery failed. ``permanent`` (refused address, 5xx) means retrying will not help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class Sender(Protocol):
    name: str

    async def send(self, message: EmailMessage) -> None: ...
