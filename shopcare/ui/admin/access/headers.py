"""The admin's HTTP hardening: what every admin response says about itself to the browser.

The Content-Security-Policy is the narrowest NiceGUI 3 runs under (checked in Chromium by
``tests/browser/test_admin_pages.py``, which fails on any CSP report in the console):
NiceGUI writes its page state into an inline script and Vue compiles the components'
string templates at run time, so scripts need ``'unsafe-inline'`` and ``'unsafe-eval'``;
everything else comes from this origin (the websocket included: CSP3 ``'self'`` matches
``ws:``/``wss:`` to the same host). The admin cannot be framed (``frame-ancestors 'none'``
and ``X-Frame-Options`` for older browsers). The shopper's pages keep their own, stricter
headers (``ui.public.templating.SECURITY_HEADERS``).
"""

from __future__ import annotations

ADMIN_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
ADMIN_HTML_HEADERS = ((b"content-security-policy", ADMIN_CSP.encode()),)
ADMIN_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
