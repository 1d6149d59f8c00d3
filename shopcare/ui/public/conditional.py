"""Repeat views answered with ``304 Not Modified``: a strong ``ETag`` and a ``Last-Modified``
for pages that are the same until their data changes (the tracking page).

Shoppers come back to their tracking link several times a day while nothing has moved. The
validator is made from what the page will show, before it is rendered: the read model the
template gets (without the polling bookkeeping the page never shows), the language, the
browser's CSRF cookie (its forms are signed for it: a 304 must never keep a token the form
would refuse) and a stamp of the templates and catalogs. So a carrier event, a changed return,
the shop's branding or another language gives another ETag, and nothing else does.

``Last-Modified`` has no column to come from (settings and parcels carry no change time), so
:class:`Validators` remembers, per page variant, since when its ETag has been the same: a
change seen by any request starts a new "since". It is sent as the next whole second, and only
once that second has passed, so two versions within one second can never share a date; a
forgotten variant (restart, eviction) starts again at "now", which can only cost a full answer,
never keep a stale one.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import cache
from pathlib import Path
from threading import Lock

from fastapi import Request

REVALIDATE = {"Cache-Control": "private, no-cache"}
"""Shopper data: only the browser keeps it, and asks every time before showing it again."""

_SHIPPED = Path(__file__).resolve().parents[2] / "shopcare"


@cache
def build_stamp() -> str:
    """The installed version and the exact templates, page words and catalogs: a new release
    or a fixed translation changes every page's ETag."""
    try:
        version = importlib.metadata.version("shopcare")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout, not installed
        version = "unknown"
    digest = hashlib.sha256(version.encode())
    shipped = (("ui/public/templates", "*.html"), ("ui/public", "*words.py"), ("locale", "**/*.po"))
    for folder, pattern in shipped:
        for path in sorted((_SHIPPED / folder).glob(pattern)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def entity_tag(variant: str, shown: str) -> str:
    """A strong ETag for the page variant ``variant`` showing ``shown``."""
    digest = hashlib.sha256(f"{build_stamp()}\0{variant}\0{shown}".encode())
    return f'"{digest.hexdigest()[:32]}"'


@dataclass(frozen=True)
class Seen:
    etag: str
    since: datetime
    headers: Mapping[str, str] | None = None
    """The full answer's headers a 304 repeats (its Content-Security-Policy lists the page's
    image origins); None until this version has been rendered once."""


class Validators:
    """Per page variant, the ETag last seen and since when: bounded, oldest forgotten first.
    Kept small (a few MB at the default size): variants by digest, and the headers, which
    most pages share (one per language and set of image sites), once each."""

    def __init__(self, size: int = 20_000) -> None:
        self._size = size
        self._seen: OrderedDict[bytes, Seen] = OrderedDict()
        self._headers: dict[tuple[tuple[str, str], ...], Mapping[str, str]] = {}
        self._lock = Lock()  # GET handlers of other pages may run in threads

    def see(self, variant: str, etag: str, *, now: datetime) -> Seen:
        """The entry for ``variant`` now that it shows ``etag``."""
        key = hashlib.sha256(variant.encode()).digest()[:16]
        with self._lock:
            found = self._seen.get(key)
            if found is None or found.etag != etag:
                found = self._seen[key] = Seen(etag=etag, since=now)
                while len(self._seen) > self._size:
                    self._seen.popitem(last=False)
            else:
                self._seen.move_to_end(key)
            return found

    def rendered(self, variant: str, seen: Seen, headers: Mapping[str, str]) -> None:
        """Keep the headers of ``seen``'s full answer, for its 304s."""
        key = hashlib.sha256(variant.encode()).digest()[:16]
        items = tuple(sorted(headers.items()))
        with self._lock:
            shared = self._headers.get(items)
            if shared is None:
                shared = dict(items)
                if len(self._headers) < 1024:
                    self._headers[items] = shared
            if self._seen.get(key) is seen:
                self._seen[key] = Seen(seen.etag, seen.since, shared)


def last_modified(seen: Seen, *, now: datetime) -> datetime | None:
    """The whole second after ``seen.since``, once it has passed; None before."""
    stamp = seen.since.astimezone(UTC).replace(microsecond=0) + timedelta(seconds=1)
    return stamp if stamp <= now else None


def not_modified(request: Request, seen: Seen, *, now: datetime) -> bool:
    """Whether the browser's copy is ``seen``'s version. ``If-None-Match`` decides when sent
    (RFC 9110 13.2.2); ``If-Modified-Since`` only without it."""
    tags = request.headers.get("if-none-match")
    if tags is not None:
        return _matches(tags, seen.etag)
    since = request.headers.get("if-modified-since")
    modified = last_modified(seen, now=now)
    if not since or modified is None:
        return False
    try:
        held = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if held.tzinfo is None:
        return False
    return modified <= held


def _matches(header: str, etag: str) -> bool:
    """Weak comparison, as for every ``If-None-Match`` on GET and HEAD."""
    wanted = etag.removeprefix("W/")
    return any(tag.strip() in ("*", wanted) for tag in _tags(header))


def _tags(header: str) -> Iterable[str]:
    for tag in header.split(","):
        yield tag.strip().removeprefix("W/")


def validator_headers(seen: Seen, *, now: datetime, vary: str) -> dict[str, str]:
    headers = {**REVALIDATE, "ETag": seen.etag, "Vary": vary}
    modified = last_modified(seen, now=now)
    if modified is not None:
        headers["Last-Modified"] = format_datetime(modified, usegmt=True)
    return headers
