"""Countries by name for people, by ISO 3166 code for the store, and a shipping address as
it is written on an envelope.

Orders keep the two-letter code (platforms and files send it, carriers want it); the owner
picks and reads names. Names come from Babel's CLDR data, so they need no list of our own.
Here and not in the domain because the domain uses the standard library only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import cache

from babel import Locale, UnknownLocaleError


@cache
def country_names(locale: str = "en") -> dict[str, str]:
    """Two-letter codes to names, sorted by name: the options of a country select.
    Regions ('150' Europe) and private-use codes ('ZZ') are left out."""
    try:
        territories = Locale.parse(locale.replace("-", "_")).territories
    except (UnknownLocaleError, ValueError):
        territories = Locale("en").territories
    countries = {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }
    return dict(sorted(countries.items(), key=lambda item: _sort_key(item[1])))


def _sort_key(name: str) -> str:
    """'Åland Islands' beside 'Albania', not after 'Zimbabwe'."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


_NOT_COUNTRIES = frozenset({"ZZ", "QO", "EU", "EZ", "UN", "XA", "XB"})
"""Codes CLDR names that are not countries an address is in (unknown, outlying, groups)."""


def country_name(code: str, locale: str = "en") -> str:
    """The country's name, or the code as it was when it names no country we know."""
    clean = code.strip().upper()
    return country_names(locale).get(clean, clean)


def country_code(text: str) -> str:
    """The code for a code or an English name ('de', 'Germany' -> 'DE'); "" when neither."""
    clean = text.strip()
    if clean.upper() in country_names("en"):
        return clean.upper()
    by_name = {name.casefold(): code for code, name in country_names("en").items()}
    return by_name.get(clean.casefold(), "")


def address_lines(
    *,
    name: str = "",
    address1: str = "",
    address2: str = "",
    postcode: str = "",
    city: str = "",
    region: str = "",
    country: str = "",
    locale: str = "en",
) -> list[str]:
    """One part a line, as on an envelope; empty parts left out, the country by name."""
    town = " ".join(p.strip() for p in (postcode, city) if p.strip())
    parts: Iterable[str] = (
        name,
        address1,
        address2,
        town,
        region,
        country_name(country, locale) if country.strip() else "",
    )
    return [p.strip() for p in parts if p.strip()]
