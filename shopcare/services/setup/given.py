"""What the environment set, handed in by the composition root (services never read the
configuration themselves): it wins over what the owner enters, and the admin shows it
read-only, as "set by the environment"."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Given:
    listening_url: str
    """The address the server listens on: the stand-in until a public address is set."""
    public_url: str = ""
    """``SHOPCARE_PUBLIC_URL``; "" when not set."""
    mail_server: str = ""
    """``host:port`` of ``SHOPCARE_SMTP_URL``; "" when not set."""
