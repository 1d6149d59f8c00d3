"""The owner's printing choices: the page size slips are made in unless a link asks for
another (A4 in most of the world, Letter in North America, a 4×6 inch thermal label)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from shopcare.db.engine import SessionFactory
from shopcare.services.errors import InputError
from shopcare.services.shop.settings_rows import load_group, update_group

_KEY = "printing"


class PageSize(StrEnum):
    A4 = "a4"
    LETTER = "letter"
    LABEL_4X6 = "label_4x6"


PAGE_SIZE_LABELS: dict[PageSize, str] = {
    PageSize.A4: "A4 (210 × 297 mm)",
    PageSize.LETTER: "US Letter (8.5 × 11 in)",
    PageSize.LABEL_4X6: "Thermal label (4 × 6 in)",
}


@dataclass(frozen=True)
class PrintSettings:
    page_size: str = PageSize.A4.value


def load_print_settings(session: Session) -> PrintSettings:
    return load_group(session, _KEY, PrintSettings)


def get_print_settings(sessions: SessionFactory) -> PrintSettings:
    with sessions() as session:
        return load_print_settings(session)


def update_print_settings(sessions: SessionFactory, **changes: Any) -> PrintSettings:
    return update_group(sessions, _KEY, PrintSettings, changes, check=_check)


def page_size(requested: str | None, *, default: str) -> PageSize:
    """The size a request asked for (``?size=``), else the owner's default."""
    wanted = (requested or default).strip().lower()
    try:
        return PageSize(wanted)
    except ValueError:
        choices = ", ".join(PageSize)
        raise InputError(f"unknown page size {wanted!r}: choose one of {choices}") from None


def _check(settings: PrintSettings) -> None:
    if settings.page_size not in {size.value for size in PageSize}:
        page_size(settings.page_size, default=PageSize.A4)  # raises with the choices
        raise InputError(f"write the page size as one of {', '.join(PageSize)}")
