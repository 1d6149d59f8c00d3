"""Messages per kind: how many went out, failed, bounced, made the shopper unsubscribe,
and how often their tracking link was followed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shopcare.domain.insight import share

SENT, FAILED = "sent", "failed"
"""The outbox statuses counted (queued, sending and skipped are neither)."""


@dataclass(frozen=True)
class KindRow:
    kind: str
    sent: int = 0
    failed: int = 0
    """Given up for any reason but a refused address."""
    bounced: int = 0
    """The recipient's mail server refused the address."""
    unsubscribed: int = 0
    """Shoppers who unsubscribed with this kind the last message they had been sent."""
    views: int = 0
    """Tracking page views that came through this kind's link."""

    @property
    def view_rate(self) -> float | None:
        """Views per message sent: above 1 when shoppers come back through the same link."""
        return share(self.views, self.sent)


def by_kind(
    outcomes: Iterable[tuple[str, str, int]],
    *,
    bounced: Mapping[str, int],
    unsubscribed: Mapping[str, int],
    views: Mapping[str, int],
) -> list[KindRow]:
    """``outcomes``: ``(kind, status, count)``; ``bounced`` counts failed rows whose address
    was refused, so they are taken out of ``failed``. Every kind seen anywhere, by name; a
    kind with nothing at all is left out."""
    sent: dict[str, int] = {}
    failed: dict[str, int] = {}
    for kind, status, count in outcomes:
        if status == SENT:
            sent[kind] = sent.get(kind, 0) + count
        elif status == FAILED:
            failed[kind] = failed.get(kind, 0) + count
    kinds = dict.fromkeys([*sent, *failed, *bounced, *unsubscribed, *views])
    return [
        KindRow(
            kind,
            sent=sent.get(kind, 0),
            failed=max(failed.get(kind, 0) - bounced.get(kind, 0), 0),
            bounced=bounced.get(kind, 0),
            unsubscribed=unsubscribed.get(kind, 0),
            views=views.get(kind, 0),
        )
        for kind in sorted(kinds)
    ]


def total(rows: Iterable[KindRow]) -> KindRow:
    rows = list(rows)
    return KindRow(
        "all",
        sent=sum(r.sent for r in rows),
        failed=sum(r.failed for r in rows),
        bounced=sum(r.bounced for r in rows),
        unsubscribed=sum(r.unsubscribed for r in rows),
        views=sum(r.views for r in rows),
    )
