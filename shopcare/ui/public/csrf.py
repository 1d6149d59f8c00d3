"""CSRF protection for the shopper's forms: a signed double-submit token.

The browser gets a random cookie the first time a page with a form is rendered; each form
carries an HMAC of that cookie under the app's secret. Another site can make a browser post to
us, but it can neither read our cookie nor compute the HMAC, so its post is refused. Shoppers
need no account or session for this, and the pages stay cacheable per browser.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable

from fastapi import Depends, Request
from markupsafe import Markup

COOKIE = "sc_csrf"
FIELD = "csrf"


class CsrfRejected(Exception):
    """A form post without a valid token: answered with a page that asks to try again."""


def _derive(secret: str) -> bytes:
    return hashlib.sha256(f"shopcare-csrf:{secret}".encode()).digest()


def token_for(secret: str, cookie: str) -> str:
    """The form token that goes with ``cookie`` (for clients that fill forms themselves)."""
    return _sign(_derive(secret), cookie)


def csrf_dependency(secret: str) -> Callable[[Request], None]:
    """Router dependency that hands the key to ``render`` and ``form_fields``."""
    key = _derive(secret)

    def keyed(request: Request) -> None:
        request.state.csrf_key = key

    return keyed


def keyed_by(secret: str) -> object:
    return Depends(csrf_dependency(secret))


def _sign(key: bytes, cookie: str) -> str:
    return hmac.new(key, cookie.encode(), hashlib.sha256).hexdigest()[:40]


def _key(request: Request) -> bytes:
    key = getattr(request.state, "csrf_key", None)
    if not isinstance(key, bytes):
        raise RuntimeError("public routers must be made with shopper_router()")
    return key


def _cookie(request: Request) -> str:
    value = request.cookies.get(COOKIE, "")
    return value if 20 <= len(value) <= 64 and value.isascii() else ""


def csrf_cookie(request: Request) -> str | None:
    """The cookie value to set on this response, or None when the browser has a good one."""
    if _cookie(request):
        return None
    fresh = getattr(request.state, "csrf_fresh", None)
    if fresh is None:
        fresh = secrets.token_urlsafe(24)
        request.state.csrf_fresh = fresh
    return str(fresh)


def form_cookie(request: Request) -> str:
    """The cookie the page's forms are signed for: the browser's, or the one this response
    sets. Part of a page's ETag: a 304 must not keep a token made for another cookie."""
    return _cookie(request) or csrf_cookie(request) or ""


def csrf_field(request: Request) -> Markup:
    """The hidden input for a form on the page being rendered."""
    token = _sign(_key(request), form_cookie(request))
    # The token is hex from our own HMAC: nothing in it needs escaping.
    return Markup(f'<input type="hidden" name="{FIELD}" value="{token}">')  # noqa: S704


def check_csrf(request: Request, fields: dict[str, str]) -> None:
    cookie = _cookie(request)
    given = fields.get(FIELD, "")
    if not cookie or not hmac.compare_digest(given.encode(), _sign(_key(request), cookie).encode()):
        raise CsrfRejected
