"""One Jinja2 environment per shopper language for the public pages: autoescaped, strict
about missing values, with that language's catalog, and one helper that turns a template into a
response in the language chosen for the request.

Every page is sent with a Content-Security-Policy that allows no scripts at all, so even a
bug in escaping could not run a shopper-supplied ``<script>``; ``no-referrer`` keeps the
secret tokens in our URLs from leaking to other sites.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache, partial
from pathlib import Path
from typing import Any

from babel import dates
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from shopcare.catalogs import translations
from shopcare.templating import jinja_environment
from shopcare.ui.public.csrf import COOKIE, csrf_field
from shopcare.ui.public.forms import prefix
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


LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "nl": "Nederlands",
}
"""The switcher's labels, each in its own language; the keys are the supported languages,
the same as the emails' (English first: the language the templates are written in)."""

DEFAULT_LOCALE = "en"
_BABEL_LOCALES = {"en": "en_GB"}  # day before month, 24-hour clock: "2 Nov 2026, 10:00"


def _supported(code: str) -> str | None:
    language = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return language if language in LANGUAGE_NAMES else None


def accept_language(header: str) -> str | None:
    """The supported language the ``Accept-Language`` header likes best (by q-value, then
    order), or None; ``*`` and unknown languages are skipped, ``q=0`` means "not this"."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        code, _, params = part.partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = _supported(code)
        if language and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None


def choose_locale(request: Request, shopper: str | None = None) -> str:
    """``?lang=`` (the switcher) wins, then the order's shopper language, then the browser's
    ``Accept-Language``, then English."""
    for wanted in (request.query_params.get("lang"), shopper):
        language = _supported(wanted) if wanted else None
        if language:
            return language
    return accept_language(request.headers.get("accept-language", "")) or DEFAULT_LOCALE


def _babel_locale(locale: str) -> str:
    return _BABEL_LOCALES.get(locale, locale)


def format_datetime(value: datetime, locale: str = DEFAULT_LOCALE) -> str:
    """Date and time in ``locale``'s own order and words: ``2 Nov 2026, 10:00``,
    ``2. Nov. 2026, 10:00``; ``value`` is already in the shop's time zone."""
    babel_locale = _babel_locale(locale)
    joined = str(dates.get_datetime_format("medium", locale=babel_locale))
    time = dates.format_skeleton("Hm", value, locale=babel_locale)
    return joined.replace("{1}", format_date(value, locale)).replace("{0}", time)


def format_date(value: datetime, locale: str = DEFAULT_LOCALE) -> str:
    return dates.format_skeleton("yMMMd", value, locale=_babel_locale(locale))


@cache
def environment(locale: str) -> Environment:
    """One environment per supported language, with its catalog installed."""
    env = jinja_environment(TEMPLATES, translations=translations(locale))
    env.filters["datetime"] = partial(format_datetime, locale=locale)
    env.filters["date"] = partial(format_date, locale=locale)
    env.globals.update(
        status_words=STATUS_WORDS,
        step_words=STEP_WORDS,
        state_words=STATE_WORDS,
        return_words=RETURN_WORDS,
        language_names=LANGUAGE_NAMES,
        locale=locale,
    )
    return env


def render(
    template: str,
    request: Request,
    *,
    shopper_locale: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """``template`` in the language chosen for ``request`` (see :func:`choose_locale`).

    Every page gets ``prefix`` (the site's path under a reverse proxy: write links as
    ``{{ prefix }}/track``), ``page_path`` and ``csrf_field()`` for its forms; the CSRF
    cookie is set when the browser has none yet."""
    locale = choose_locale(request, shopper_locale)
    context.setdefault("page_path", request.url.path)
    context.setdefault("prefix", prefix(request))
    context.setdefault("csrf_field", partial(csrf_field, request))
    html = environment(locale).get_template(template).render(context)
    headers = {**SECURITY_HEADERS, "Content-Language": locale, "Vary": "Accept-Language"}
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    fresh = getattr(request.state, "csrf_fresh", None)  # set when a form was rendered
    if fresh:
        response.set_cookie(
            COOKIE,
            str(fresh),
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path=prefix(request) or "/",
        )
    return response
