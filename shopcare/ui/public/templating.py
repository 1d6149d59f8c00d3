"""One Jinja2 environment per shopper language for the public pages: autoescaped, strict
about missing values, with that language's catalog, and one helper that turns a template into a
response in the language chosen for the request.

Every page is sent with a Content-Security-Policy that allows no scripts at all, so even a
bug in escaping could not run a shopper-supplied ``<script>``; ``no-referrer`` keeps the
secret tokens in our URLs from leaking to other sites.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from datetime import date, datetime
from datetime import time as dt_time
from functools import cache, lru_cache, partial
from gettext import NullTranslations
from pathlib import Path
from typing import Any

from babel import dates
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, pass_context, pass_eval_context
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from markupsafe import Markup

from shopcare.catalogs import direction, translations
from shopcare.domain.branding import (
    DEFAULT_FONT_STACK,
    BrandingError,
    check_font_stack,
    is_hex_color,
    readable_on,
    style_text,
)
from shopcare.domain.languages import SHIPPED, accept_language, pick_language
from shopcare.services.shop.profile import ShopProfile
from shopcare.services.shopper_site.custom_css import check_css
from shopcare.services.shopper_site.problem_reports import likely_problem
from shopcare.templating import jinja_environment
from shopcare.ui.public.csrf import COOKIE, csrf_field
from shopcare.ui.public.forms import prefix
from shopcare.ui.public.words import (
    DEFAULT_FAQ,
    LATE_WORDS,
    STATE_WORDS,
    STATUS_WORDS,
    STEP_WORDS,
)

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
"""The Content-Security-Policy here is the base: ``render`` adds to ``img-src`` exactly the
https origins of the images the page shows (see ``|image``)."""

IMAGE_ORIGINS = "image_origins"
_ORIGIN = re.compile(r"https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?=[/?#]|$)")


LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "nl": "Nederlands",
    "ar": "العربية",
}
"""The switcher's labels, each in its own language; the keys are the shipped languages
(``domain.languages.SHIPPED``), the same as the emails'."""

DEFAULT_LOCALE = SHIPPED[0]
_BABEL_LOCALES = {"en": "en_GB"}  # day before month, 24-hour clock: "2 Nov 2026, 10:00"


def choose_locale(
    request: Request,
    shopper: str | None = None,
    *,
    fallback: str = DEFAULT_LOCALE,
    offered: Collection[str] = SHIPPED,
) -> str:
    """Among the languages the shop ``offered``: ``?lang=`` (the switcher) wins, then the
    order's shopper language, then the browser's ``Accept-Language``, then the shop's own
    language (``fallback``)."""
    browser = accept_language(request.headers.get("accept-language", ""), offered=offered)
    wanted = (request.query_params.get("lang"), shopper, browser)
    return pick_language(wanted, offered=offered, fallback=fallback)


def _babel_locale(locale: str) -> str:
    return _BABEL_LOCALES.get(locale, locale)


def format_datetime(value: datetime, locale: str = DEFAULT_LOCALE) -> str:
    """Date and time in ``locale``'s own order and words: ``2 Nov 2026, 10:00``,
    ``2. Nov. 2026, 10:00``; ``value`` is already in the shop's time zone."""
    return _datetime_text(value.date(), value.hour, value.minute, locale)


def format_date(value: date, locale: str = DEFAULT_LOCALE) -> str:
    """A day (or a datetime's day, already in the shop's time zone)."""
    return _date_text(value.date() if isinstance(value, datetime) else value, locale)


# Babel matches the skeleton to the locale's patterns on every call, which made the dates
# a good part of a tracking page's rendering; each part depends only on the language and
# the day, or the hour and minute, so each is made once.
def _datetime_text(day: date, hour: int, minute: int, locale: str) -> str:
    joined = _joined(locale)
    return joined.replace("{1}", _date_text(day, locale)).replace(
        "{0}", _time_text(hour, minute, locale)
    )


@cache
def _joined(locale: str) -> str:
    return str(dates.get_datetime_format("medium", locale=_babel_locale(locale)))


@lru_cache(maxsize=16384)
def _time_text(hour: int, minute: int, locale: str) -> str:
    at = datetime.combine(_ANY_DAY, dt_time(hour, minute))
    return dates.format_skeleton("Hm", at, locale=_babel_locale(locale))


_ANY_DAY = date(2000, 1, 1)


@lru_cache(maxsize=4096)
def _date_text(day: date, locale: str) -> str:
    return dates.format_skeleton("yMMMd", day, locale=_babel_locale(locale))


@cache
def environment(locale: str) -> Environment:
    """One environment per supported language, with its catalog installed."""
    catalog = translations(locale)
    env = jinja_environment(TEMPLATES, translations=catalog)
    env.auto_reload = False  # the templates ship with the code: no stat() per page
    env.globals["_"] = env.globals["gettext"] = _gettext(catalog)
    env.filters["datetime"] = partial(format_datetime, locale=locale)
    env.filters["date"] = partial(format_date, locale=locale)
    env.globals.update(
        status_words=STATUS_WORDS,
        step_words=STEP_WORDS,
        state_words=STATE_WORDS,
        late_words=LATE_WORDS,
        likely_problem=likely_problem,
        default_faq=DEFAULT_FAQ,
        language_names=LANGUAGE_NAMES,
        locale=locale,
        direction=direction(locale),
        site_style=site_style,
    )
    env.filters["image"] = _image
    return env


@pass_context
def _image(context: Context, address: str) -> str:
    """``{{ url|image }}`` for every image a page shows from another site (the logo, the
    favicon, a product): its origin, and no other, goes into the page's ``img-src``, so CSS
    or markup slipped into a page cannot send anything to a site of its choosing."""
    origins = context.get(IMAGE_ORIGINS)
    if isinstance(origins, set) and (origin := _ORIGIN.match(address)):
        origins.add(origin[0].lower())
    return address


def content_security_policy(image_origins: Iterable[str]) -> str:
    """The pages' policy with ``image_origins`` (https://host[:port]) allowed as images."""
    base = SECURITY_HEADERS["Content-Security-Policy"]
    listed = "".join(f" {origin}" for origin in sorted(set(image_origins)))
    return base.replace("img-src 'self' data:;", f"img-src 'self' data:{listed};")


def _gettext(catalog: NullTranslations) -> Callable[..., str]:
    """Jinja's newstyle ``_()`` (translated, taken as markup when autoescaping, always
    %-formatted with the escaped variables), with the lookup of a string without variables
    kept: the tracking page calls ``_()`` some forty times."""
    plain: dict[str, str] = {}

    @pass_eval_context
    def gettext(eval_ctx: EvalContext, __string: str, **variables: Any) -> str:
        if not eval_ctx.autoescape:
            return catalog.gettext(__string) % variables
        if variables:
            return _trusted(catalog.gettext(__string)) % variables
        found = plain.get(__string)
        if found is None:
            found = plain[__string] = _trusted(catalog.gettext(__string)) % variables
        return found

    return gettext


def _trusted(translated: str) -> Markup:
    # Our own catalogs, taken as markup exactly as Jinja's i18n extension does; the values
    # put into them are escaped by Markup's %.
    return Markup(translated)  # noqa: S704


@lru_cache(maxsize=32)
def site_style(shop: ShopProfile) -> Markup:
    """The shop's colours and fonts as CSS variables, then the owner's own CSS: made once
    per look, not per request. Values are checked again here, so a row written by hand or
    by an older version can never carry markup out of the ``<style>`` element."""
    colors = {
        "brand": (shop.brand_color, "#2563eb"),
        "on-brand": (shop.button_text_color, "#ffffff"),
        "text": (shop.text_color, "#1f2937"),
        "bg": (shop.background_color, "#ffffff"),
    }
    css = {
        name: value if is_hex_color(value) else default for name, (value, default) in colors.items()
    }
    css["link"] = readable_on(css["bg"], css["brand"], css["text"])
    try:
        check_font_stack(shop.font_stack)
        css["font"] = shop.font_stack
    except BrandingError:
        css["font"] = DEFAULT_FONT_STACK
    variables = ";".join(f"--{name}:{value}" for name, value in css.items())
    try:
        check_css(shop.custom_css)
        own = shop.custom_css
    except BrandingError:
        own = ""
    # Checked above and "<" escaped: nothing in it can end the style element.
    return Markup(style_text(f":root{{{variables}}}\n{own}"))  # noqa: S704


def render(
    template: str,
    request: Request,
    *,
    shopper_locale: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """``template`` in the language chosen for ``request`` among those the ``shop`` in the
    context offers (see :func:`choose_locale`).

    Every page gets ``prefix`` (the site's path under a reverse proxy: write links as
    ``{{ prefix }}/track``), ``page_path`` and ``csrf_field()`` for its forms; the CSRF
    cookie is set when the browser has none yet."""
    shop = context.get("shop")
    offered = getattr(shop, "languages", SHIPPED)
    fallback = getattr(shop, "default_language", DEFAULT_LOCALE)
    locale = choose_locale(request, shopper_locale, fallback=fallback, offered=offered)
    context["offered_languages"] = offered  # the switcher lists only these
    context.setdefault("page_path", request.url.path)
    context.setdefault("prefix", prefix(request))
    context.setdefault("csrf_field", partial(csrf_field, request))
    origins: set[str] = set()
    context[IMAGE_ORIGINS] = origins
    html = environment(locale).get_template(template).render(context)
    headers = {
        **SECURITY_HEADERS,
        "Content-Security-Policy": content_security_policy(origins),
        "Content-Language": locale,
        "Vary": "Accept-Language",
    }
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
