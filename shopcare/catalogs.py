"""The shopper's languages: gettext catalogs read from ``shopcare/locale/<lang>/LC_MESSAGES/
*.po`` at first use, without a compile step, and kept for the life of the process.

One language may have several ``.po`` files (``messages.po`` for the emails and pages,
one per feature besides); they are read as one catalog. Emails and public pages share them.
"""

from __future__ import annotations

from functools import cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = Path(__file__).parent / "locale"
DOMAIN = "messages"
SOURCE_LOCALE = "en"
"""The language the templates are written in; it needs no catalog."""
RIGHT_TO_LEFT = frozenset({"ar", "he", "fa", "ur"})
"""Languages written right to left: their pages and emails carry ``dir="rtl"``."""


def direction(locale: str) -> str:
    return "rtl" if locale in RIGHT_TO_LEFT else "ltr"


def catalog_files(locale: str) -> list[Path]:
    return sorted((LOCALES / locale / "LC_MESSAGES").glob("*.po"))


def read_catalog(locale: str) -> Catalog:
    """Every ``.po`` file of ``locale`` as one catalog; a msgid in two files keeps the
    translation of the first by name."""
    merged = Catalog(locale=locale, domain=DOMAIN)
    for path in catalog_files(locale):
        with path.open("rb") as po:
            for message in read_po(po, locale=locale, domain=DOMAIN):
                if message.id and message.id not in merged:
                    merged[message.id] = message
    return merged


@cache
def translations(locale: str) -> NullTranslations:
    """The catalog for ``locale`` (a supported language code such as "de"); the source
    language, or a language without a catalog, translates nothing."""
    if locale == SOURCE_LOCALE or not catalog_files(locale):
        return NullTranslations()
    mo = BytesIO()
    write_mo(mo, read_catalog(locale))
    mo.seek(0)
    return Translations(mo, domain=DOMAIN)
