"""Feedback (``/admin/feedback``): shoppers' scores, ratings and comments, newest first, a
page at a time; filters (score band, an aspect rated low, carrier, days answered, comments
only, search) live in the address, and each row's order number links to the order's page."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import Request
from nicegui import events, ui

from shopcare.services.shopper_site.feedback_list import (
    BANDS,
    LOW_ASPECTS,
    FeedbackQuery,
    FeedbackRow,
    carriers_with_feedback,
    feedback_page,
)
from shopcare.ui.admin.layout import frame, when

if TYPE_CHECKING:
    from shopcare.app import ShopCare

COLUMNS: list[dict[str, Any]] = [
    {"name": k, "label": label, "field": k, "align": "left"}
    for k, label in (
        ("answered", "Answered"),
        ("order", "Order"),
        ("score", "Score"),
        ("ratings", "Ratings"),
        ("carriers", "Carrier"),
        ("comment", "Comment"),
    )
]
ORDER_LINK = (
    '<q-td :props="props"><a :href="\'/admin/orders/\' + props.row.order_id"'
    ' class="text-primary underline" @click.stop>{{ props.value }}</a></q-td>'
)


def query_from(params: dict[str, str]) -> FeedbackQuery:
    """The list's state from the address; what cannot be read is left out, never an error."""
    return FeedbackQuery(
        search=params.get("q", "")[:200],
        band=params.get("band", ""),
        low_aspect=params.get("low", ""),
        carrier=params.get("carrier", "")[:32],
        since=_day(params.get("since")),
        until=_day(params.get("until")),
        with_comment=params.get("comments") == "1",
        page=_int(params.get("page")),
    )


def register_feedback(shopcare: ShopCare) -> None:
    @ui.page("/admin/feedback")
    def feedback_list(request: Request) -> None:
        params = dict(request.query_params)
        query = query_from(params)
        found = feedback_page(shopcare.sessions, query)

        def go(**changes: str) -> None:
            merged = {**params, **changes}
            merged.pop("page", None)
            kept = {k: v for k, v in merged.items() if v}
            ui.navigate.to("/admin/feedback" + (f"?{urlencode(kept)}" if kept else ""))

        with frame("Feedback"):
            _filters(query, carriers_with_feedback(shopcare.sessions), go)
            if not found.total:
                ui.label(
                    "No answers yet: shoppers are asked for a score after delivery."
                    if not params
                    else "No answer matches these filters."
                ).mark("feedback-empty")
                return
            table = ui.table(
                columns=COLUMNS, rows=[_row(r) for r in found.rows], row_key="id"
            ).classes("w-full cursor-pointer")
            table.props("hide-pagination :pagination='{rowsPerPage: 0}'").mark("feedback-table")
            table.add_slot("body-cell-order", ORDER_LINK)
            table.on("rowClick", _open_order)
            with ui.row().classes("items-center gap-3").mark("feedback-pager"):
                ui.label(f"{found.total:,} answers · page {found.page} of {found.pages}")
                for label, page in (("Previous", found.page - 1), ("Next", found.page + 1)):
                    if 1 <= page <= found.pages:
                        link = urlencode({**params, "page": str(page)})
                        ui.link(label, f"/admin/feedback?{link}")


def _filters(query: FeedbackQuery, carriers: dict[str, str], go: Any) -> None:
    with ui.row().classes("w-full items-end gap-3").mark("feedback-filters"):
        search = ui.input("Search: order, name, email", value=query.search)
        search.classes("min-w-72").mark("feedback-search")
        search.on("keydown.enter", lambda: go(q=search.value or ""))
        ui.select(
            {"": "Every score"} | BANDS,
            value=query.band if query.band in BANDS else "",
            label="Score",
            on_change=lambda e: go(band=e.value or ""),
        ).classes("min-w-48").mark("feedback-band")
        ui.select(
            {"": "Any rating"} | {k: f"{v} rated 1-2" for k, v in LOW_ASPECTS.items()},
            value=query.low_aspect if query.low_aspect in LOW_ASPECTS else "",
            label="Rated low",
            on_change=lambda e: go(low=e.value or ""),
        ).classes("min-w-48").mark("feedback-low")
        if query.carrier and query.carrier not in carriers:
            carriers = carriers | {query.carrier: query.carrier}
        ui.select(
            {"": "Any carrier"} | carriers,
            value=query.carrier,
            label="Carrier",
            on_change=lambda e: go(carrier=e.value or ""),
        ).classes("min-w-36").mark("feedback-carrier")
        for name, label in (("since", "From (YYYY-MM-DD)"), ("until", "To (YYYY-MM-DD)")):
            value = getattr(query, name)
            box = ui.input(label, value=value.isoformat() if value else "").classes("w-40")
            box.mark(f"feedback-{name}")
            box.on("keydown.enter", lambda _, n=name, b=box: go(**{n: b.value or ""}))
        ui.checkbox(
            "With a comment",
            value=query.with_comment,
            on_change=lambda e: go(comments="1" if e.value else ""),
        ).mark("feedback-comments")


def _row(row: FeedbackRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "order_id": row.order_id,
        "answered": when(row.answered_at),
        "order": row.order_number,
        "score": row.score,
        "ratings": row.ratings,
        "carriers": row.carriers,
        "comment": row.comment,
    }


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()) if text else None
    except ValueError:
        return None


def _int(text: str | None) -> int:
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1


def _open_order(event: events.GenericEventArguments) -> None:
    row = event.args[1] if isinstance(event.args, list) and len(event.args) > 1 else event.args
    if isinstance(row, dict) and "order_id" in row:
        ui.navigate.to(f"/admin/orders/{int(row['order_id'])}")
