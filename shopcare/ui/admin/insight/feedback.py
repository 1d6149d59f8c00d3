"""Feedback (``/admin/feedback``): shoppers' scores and comments, newest first, a page at a
time; score group, comments only and search in the address."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import Request
from nicegui import events, ui

from shopcare.services.shopper_site.feedback_list import (
    GROUPS,
    FeedbackQuery,
    FeedbackRow,
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
        ("comment", "Comment"),
    )
]


def register_feedback(shopcare: ShopCare) -> None:
    @ui.page("/admin/feedback")
    def feedback_list(request: Request) -> None:
        params = dict(request.query_params)
        query = FeedbackQuery(
            search=params.get("q", "")[:200],
            group=params.get("group", ""),
            with_comment=params.get("comments") == "1",
            page=_int(params.get("page")),
        )
        found = feedback_page(shopcare.sessions, query)

        def go(**changes: str) -> None:
            merged = {**params, **changes}
            merged.pop("page", None)
            kept = {k: v for k, v in merged.items() if v}
            ui.navigate.to("/admin/feedback" + (f"?{urlencode(kept)}" if kept else ""))

        with frame("Feedback"):
            with ui.row().classes("w-full items-end gap-3").mark("feedback-filters"):
                search = ui.input("Search: order, name, email", value=query.search)
                search.classes("min-w-72").mark("feedback-search")
                search.on("keydown.enter", lambda: go(q=search.value or ""))
                ui.select(
                    {"": "Every score"} | {k: v[0] for k, v in GROUPS.items()},
                    value=query.group if query.group in GROUPS else "",
                    label="Score",
                    on_change=lambda e: go(group=e.value or ""),
                ).classes("min-w-48").mark("feedback-group")
                ui.checkbox(
                    "With a comment",
                    value=query.with_comment,
                    on_change=lambda e: go(comments="1" if e.value else ""),
                ).mark("feedback-comments")
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
            table.on("rowClick", _open_order)
            with ui.row().classes("items-center gap-3").mark("feedback-pager"):
                ui.label(f"{found.total:,} answers · page {found.page} of {found.pages}")
                for label, page in (("Previous", found.page - 1), ("Next", found.page + 1)):
                    if 1 <= page <= found.pages:
                        link = urlencode({**params, "page": str(page)})
                        ui.link(label, f"/admin/feedback?{link}")


def _row(row: FeedbackRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "order_id": row.order_id,
        "answered": when(row.answered_at),
        "order": row.order_number,
        "score": row.score,
        "comment": row.comment,
    }


def _int(text: str | None) -> int:
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1


def _open_order(event: events.GenericEventArguments) -> None:
    row = event.args[1] if isinstance(event.args, list) and len(event.args) > 1 else event.args
    if isinstance(row, dict) and "order_id" in row:
        ui.navigate.to(f"/admin/orders/{int(row['order_id'])}")
