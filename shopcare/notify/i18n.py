"""The emails' languages: the catalogs shared with the public pages (``shopcare.catalogs``)."""

from __future__ import annotations

from shopcare.catalogs import SOURCE_LOCALE, read_catalog, translations

__all__ = ["SOURCE_LOCALE", "read_catalog", "translations"]
