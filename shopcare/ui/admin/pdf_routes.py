"""The owner's PDFs over plain HTTP (a download is no NiceGUI page): one return slip, a
batch of selected slips in one file, and an order's packing slip; ``?size=`` overrides the
default page size.

``AdminGate`` already sends signed-out requests to the sign-in page; each route checks the
session again, so a PDF full of addresses never depends on one path rule alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from shopcare.services.errors import InputError
from shopcare.services.returns.slips import packing_slip_pdf, return_slips_pdf
from shopcare.ui.admin.access.gate import signed_in

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def pdf_router(shopcare: ShopCare) -> APIRouter:
    """Register before any page with a path like ``/admin/returns/{id}``, which would
    otherwise take ``/admin/returns/slips.pdf``."""
    router = APIRouter(include_in_schema=False)
    data_dir = shopcare.settings.data_dir

    @router.get("/admin/returns/slips.pdf")
    def return_slips(request: Request, ids: str = "", size: str | None = None) -> Response:
        def make() -> bytes | None:
            wanted = _ids(ids)
            return return_slips_pdf(
                shopcare.sessions,
                wanted,
                public_url=shopcare.public_url,
                size=size,
                data_dir=data_dir,
            )

        return _pdf(request, make, filename="return-slips.pdf")

    @router.get("/admin/returns/{return_id}/slip.pdf")
    def return_slip(request: Request, return_id: int, size: str | None = None) -> Response:
        return _pdf(
            request,
            lambda: return_slips_pdf(
                shopcare.sessions,
                [return_id],
                public_url=shopcare.public_url,
                size=size,
                data_dir=data_dir,
            ),
            filename=f"return-slip-{return_id}.pdf",
        )

    @router.get("/admin/orders/{order_id}/packing-slip.pdf")
    def packing_slip(request: Request, order_id: int, size: str | None = None) -> Response:
        return _pdf(
            request,
            lambda: packing_slip_pdf(shopcare.sessions, order_id, size=size, data_dir=data_dir),
            filename=f"packing-slip-{order_id}.pdf",
        )

    return router


def _ids(text: str) -> list[int]:
    """``1,2,3`` in the order given, each once."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise InputError("ids must be return numbers separated by commas, like 1,2,3")
    return list(dict.fromkeys(int(p) for p in parts))


def _pdf(request: Request, make: Callable[[], bytes | None], *, filename: str) -> Response:
    if signed_in(request) is None:
        return PlainTextResponse("Sign in first.", status_code=403)
    try:
        pdf = make()
    except InputError as exc:
        return PlainTextResponse(str(exc), status_code=400)
    if pdf is None:
        return PlainTextResponse("Not found: it may have been removed.", status_code=404)
    headers = {
        "Content-Disposition": f'inline; filename="{filename}"',
        "Cache-Control": "no-store",
    }
    return Response(pdf, media_type="application/pdf", headers=headers)
