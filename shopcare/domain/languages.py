"""The shopper's languages: the ones ShopCare ships, and which one a shopper gets.

A shop offers some of the shipped languages and names one of them its fallback. Every shopper
page and every message picks its language with ``pick_language``, so the page a shopper reads
and the email they get never disagree, and neither is ever in a language the shop left out.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

SHIPPED: tuple[str, ...] = ("en", "de", "fr", "es", "nl", "ar")
"""Every language with shopper pages and messages; English first, the templates' own."""


def primary(code: str) -> str:
    """The language of a tag, as the catalogs name it: "de-AT" → "de", "fr_CA" → "fr"."""
    return re.split(r"[-_,;\s]", code.strip().lower(), maxsplit=1)[0]


def accept_language(header: str, *, offered: Collection[str] = SHIPPED) -> str | None:
    """The offered language an ``Accept-Language`` header likes best (by q-value, then
    order), or None; ``*`` and languages not offered are skipped, ``q=0`` means "not this"."""
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
        language = primary(code)
        if language in offered and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None


def pick_language(
    wanted: Iterable[str | None], *, offered: Collection[str] = SHIPPED, fallback: str = SHIPPED[0]
) -> str:
    """The first of ``wanted`` (most wanted first; None and "" skipped) the shop offers, else
    the ``fallback``. A fallback that is not offered (a store edited by hand) gives way to the
    first offered language, so the answer is always one the shop offers."""
    for code in wanted:
        if code and (language := primary(code)) in offered:
            return language
    if fallback in offered:
        return fallback
    return next((code for code in SHIPPED if code in offered), SHIPPED[0])


def offer_problem(offered: Collection[str], fallback: str) -> str | None:
    """What is wrong with offering ``offered`` with ``fallback``, None when it is fine."""
    unknown = sorted(set(offered) - set(SHIPPED))
    if unknown:
        return f"ShopCare has no shopper pages in {unknown[0]!r}"
    if not offered:
        return "offer shoppers at least one language"
    if fallback not in offered:
        return f"the fallback language {fallback!r} must be one the shop offers"
    return None
