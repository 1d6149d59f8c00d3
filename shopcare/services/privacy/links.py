"""Shopper links that led to erased data. The erasure gives the orders, returns and feedback
new tokens nobody has, and keeps only the SHA-256 of the old ones here: an old link then
finds nothing, and the page it lands on can still say "no longer available" rather than
"not found"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import ErasedLink
from shopcare.domain.privacy import token_digest

MAX_SEGMENTS = 4
"""Links put their token in the first few path segments (``/t/{token}/return``,
``/o/{offer}/{token}``); a longer path is no shopper link."""


def forget_links(session: Session, tokens: Iterable[str | None], *, now: datetime) -> int:
    """Record the tokens as erased links (in the caller's transaction); how many were new."""
    hashes = {token_digest(t) for t in tokens if t}
    if not hashes:
        return 0
    known = set(
        session.exec(select(ErasedLink.token_hash).where(col(ErasedLink.token_hash).in_(hashes)))
    )
    session.add_all(ErasedLink(token_hash=h, erased_at=now) for h in sorted(hashes - known))
    return len(hashes - known)


def is_erased_link(sessions: SessionFactory, path: str) -> bool:
    """Whether a segment of ``path`` is the token of a link whose data was erased. Asked
    only when a link found nothing, so the common page pays nothing for it."""
    segments = [s for s in path.split("/") if s][:MAX_SEGMENTS]
    if not segments:
        return False
    hashes = [token_digest(s) for s in segments]
    with sessions() as session:
        found = session.exec(
            select(ErasedLink.token_hash).where(col(ErasedLink.token_hash).in_(hashes)).limit(1)
        ).first()
    return found is not None
