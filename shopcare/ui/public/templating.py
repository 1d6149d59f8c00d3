"""One Jinja2 environment for the public pages: autoescaped, strict about missing values,
strings marked for translation, and one helper that turns a template into a response.

Every page is sent with a Content-Security-Policy that allows no scripts at all, so even a
bug in escaping could not run a shopper-supplied ``<script>``; ``no-referrer`` keeps the
secret tokens in our URLs from leaking to other sites.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment

from shopcare.templating import jinja_environment
from shopcare.ui.public.words import RETURN_WORDS, STATE_WORDS, STATUS_WORDS, STEP_WORDS

TEMPLATES = Path(__file__).parent / "templates"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
}


def format_datetime(value: datetime) -> str:
    """``2 Nov 2026, 10:00``: day first without a leading zero, readable in most locales."""
    return f"{value.day} {value:%b %Y, %H:%M}"


def format_date(value: datetime) -> str:
    return f"{value.day} {value:%b %Y}"


def _environment() -> Environment:
    env = jinja_environment(TEMPLATES)
    env.filters["datetime"] = format_datetime
    env.filters["date"] = format_date
    env.globals.update(
        status_words=STATUS_WORDS,
        step_words=STEP_WORDS,
        state_words=STATE_WORDS,
        return_words=RETURN_WORDS,
    )
    return env


_ENV = _environment()


def render(template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = _ENV.get_template(template).render(context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
