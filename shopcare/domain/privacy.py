"""Pure rules of the shop's duties to its shoppers' data (GDPR): whose data an address is,
how an erasure is recorded without the address, and when the retention periods end.

No I/O and no clock: ``now`` is passed in.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta

from shopcare.domain.intake import email_problem
from shopcare.domain.text import clean_text

ERASED = "[erased]"
"""What stands in free text where a shopper's address was (another shopper's note that
named them, an import's report)."""
ERASED_PROBLEM = "shopper's data erased"
"""The erased orders' ``email_problem``: the admin says why no message can reach them."""
MAX_RETENTION_DAYS = 36_500


def shopper_email(text: str) -> str:
    """The address as the store keeps it (``services.intake.rows.usable_email``): trimmed,
    lower case; "" when it is no email address, so nothing is searched for by accident."""
    email = clean_text(text).strip().lower()
    return "" if email_problem(email) else email


def email_digest(email: str, *, secret: str) -> str:
    """A keyed SHA-256 of the address: equal for the same address and the same secret, so
    "was this address erased?" can be answered, yet a copy of the store cannot be searched
    with a list of likely addresses (a plain hash of an email can)."""
    key = hashlib.sha256(f"shopcare-erasure:{secret}".encode()).digest()
    return hmac.new(key, email.encode(), hashlib.sha256).hexdigest()


def token_digest(token: str) -> str:
    """The hash an erased link is known by (its token is random, so a plain hash will do)."""
    return hashlib.sha256(token.encode()).hexdigest()


def redact(text: str, needle: str) -> str:
    """``text`` with every occurrence of ``needle`` (any case) replaced by ``ERASED``."""
    if not needle or needle.lower() not in text.lower():
        return text
    return re.sub(re.escape(needle), ERASED, text, flags=re.IGNORECASE)


def retention_problem(days: int | None) -> str:
    """Why ``days`` is no retention period ("" when it is one; 0 or None keeps forever)."""
    if days is None:
        return ""
    if days < 0:
        return "Days must be 0 (keep forever) or more."
    if days > MAX_RETENTION_DAYS:
        return f"Days must be at most {MAX_RETENTION_DAYS}."
    return ""


def retention_cutoff(days: int | None, *, now: datetime) -> datetime | None:
    """What ended before this moment is past its retention; None: kept forever."""
    if not days:
        return None
    return now - timedelta(days=days)
