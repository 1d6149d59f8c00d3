"""Every dashboard table as CSV over plain HTTP (a download is no NiceGUI page):
``/admin/insight/<panel>/<table>.csv?from=YYYY-MM-DD&to=YYYY-MM-DD``.

Built through the same cache as the page, so a download of what the owner sees costs
nothing more. ``AdminGate`` already sends signed-out requests to the sign-in page; the route
checks the session again, as the PDF routes do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response

from shopcare.services.insight.cache import panels
from shopcare.services.insight.panels import PANELS
from shopcare.services.insight.ranges import period_from, shop_zone
from shopcare.ui.admin.access.gate import signed_in

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def insight_router(shopcare: ShopCare) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/admin/insight/{panel}/{table}.csv")
    def table_csv(
        request: Request,
        panel: str,
        table: str,
        first: str = Query("", alias="from"),
        last: str = Query("", alias="to"),
    ) -> Response:
        if signed_in(request) is None:
            return PlainTextResponse("Sign in first.", status_code=403)
        if panel not in PANELS:
            return PlainTextResponse(f"There is no panel {panel!r}.", status_code=404)
        now = shopcare.clock()
        period = period_from(
            {"from": first, "to": last}, now=now, zone=shop_zone(shopcare.sessions)
        )
        built = panels(shopcare.sessions, period, now=now, keys=(panel,))[0]
        try:
            found = built.table(table)
        except KeyError:
            return PlainTextResponse(f"There is no table {table!r} in {panel}.", status_code=404)
        name = f"{panel}-{table}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
        return Response(
            found.csv(),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )

    return router
