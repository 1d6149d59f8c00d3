"""What every one-record admin page (an order, a return) does around its content: read the id
from the path strictly, say plainly when there is no such record, and redraw itself every
``REFRESH_S`` so the owner watches it change."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from nicegui import ui

from shopcare.domain.numbers import parse_whole
from shopcare.ui.admin.layout import REFRESH_S, frame

V = TypeVar("V")


@contextmanager
def record_frame(
    raw_id: str,
    load: Callable[[int], V | None],
    *,
    what: str,
    title: Callable[[V], str],
    back: tuple[str, str],
) -> Iterator[tuple[int, V] | None]:
    """The page's frame; yields the id and the record, or None after saying there is none
    (the path parameter is text so "/admin/orders/abc" or "²" gets this, not a 422 or 500)."""
    number = parse_whole(raw_id)
    found = load(number) if number is not None else None
    with frame(title(found) if found is not None else f"{what.capitalize()} not found"):
        if number is None or found is None:
            ui.label(f"There is no {what} {raw_id!r}. It may have been removed.")
            ui.link(*back)
            yield None
        else:
            yield number, found


def redrawn(draw: Callable[[], None]) -> Callable[[], object]:
    """Draw now and every ``REFRESH_S``; returns the redraw, for actions that change it."""
    area = ui.refreshable(draw)
    area()
    ui.timer(REFRESH_S, area.refresh)
    return area.refresh
