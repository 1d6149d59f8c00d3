"""The shopper's language: gettext catalogs read from ``shopcare/locale/<lang>/LC_MESSAGES/
messages.po`` at first use, without a compile step, and kept for the life of the process."""

from __future__ import annotations

from functools import cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = Path(__file__).parent.parent / "locale"
DOMAIN = "messages"
SOURCE_LOCALE = "en"
"""The language the templates are written in; it needs no catalog."""


def catalog_path(locale: str) -> Path:
    return LOCALES / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(locale: str) -> NullTranslations:
    """The catalog for ``locale`` (a supported language code such as "de"); the source
    language, or a language without a catalog, translates nothing."""
    path = catalog_path(locale)
    if locale == SOURCE_LOCALE or not path.is_file():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale, domain=DOMAIN)
    mo = BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return Translations(mo, domain=DOMAIN)
