"""One page of a list the admin reads from the store: its rows, how many there are in all,
and which page this is (the last one when a page past the end was asked for)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)


def page_count(total: int, per_page: int) -> int:
    """At least one: an empty list still has its (empty) first page."""
    return max(1, -(-total // per_page))


def page_within(wanted: int, total: int, per_page: int) -> int:
    """``wanted`` kept between the first and the last page."""
    return min(max(1, wanted), page_count(total, per_page))
