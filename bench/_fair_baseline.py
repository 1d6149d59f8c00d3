"""The tracking benchmark's fair baseline: the same page made with as little as possible
around it. A bare Starlette route on the same uvicorn (uvloop, httptools, one worker, the page
made on the event loop as ShopCare does) runs the tracking page's own queries through the
database driver alone (stdlib ``sqlite3``, or ``psycopg`` on PostgreSQL), builds the same read
model with the same code, and renders the same Jinja template with the same context, headers
and CSRF cookie. What ShopCare spends beyond it is its framework, its ORM and session, its
view counting and offer choosing: the overhead the ratio measures.

The SQL is the app's: each SQLAlchemy statement the read model runs is compiled once for the
driver and its rows converted as SQLAlchemy would (SQLite's text datetimes and 0/1 booleans).
The banner is the store's one live offer, read once; views are not counted (ShopCare counts
them in memory and writes them in batches, off the page's path).

    python bench/_fair_baseline.py PORT DATA_DIR DATABASE_URL
"""

from __future__ import annotations

import sqlite3
import sys
from collections import namedtuple
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import uvicorn
from sqlalchemy.dialects import postgresql, sqlite
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shopcare.config import load_settings
from shopcare.services.offers.placement import OfferView
from shopcare.services.shopper_site.tracking_page import tracking_page
from shopcare.ui.public.csrf import csrf_dependency
from shopcare.ui.public.templating import render


class Rows:
    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def all(self) -> list[Any]:
        return self._rows


class DriverStore:
    """Stands in for the session the read model is given: ``connection().execute(statement,
    params)`` runs the statement's SQL, compiled once, on the driver's connection."""

    def __init__(self, url: str) -> None:
        self.postgres = url.startswith("postgresql")
        if self.postgres:
            import psycopg

            self._db: Any = psycopg.connect(url.replace("+psycopg", ""), autocommit=True)
            self._dialect: sa.Dialect = postgresql.psycopg.dialect()
        else:
            self._db = sqlite3.connect(url.removeprefix("sqlite:///"), check_same_thread=False)
            self._dialect = sqlite.dialect(paramstyle="named")
        self._prepared: dict[int, tuple[str, dict[str, Any], Callable[[Any], Any]]] = {}

    def get_bind(self) -> DriverStore:
        return self

    @property
    def dialect(self) -> sa.Dialect:
        return self._dialect

    def connection(self, **options: Any) -> DriverStore:
        """The one connection, in autocommit already (as ``db.engine.reads_only`` asks)."""
        return self

    def execute(self, statement: Any, params: dict[str, Any]) -> Rows:
        prepared = self._prepared.get(id(statement))
        if prepared is None:
            prepared = self._prepared[id(statement)] = self._prepare(statement)
        sql, defaults, make = prepared
        cursor = self._db.execute(sql, {**defaults, **params})
        return Rows([make(row) for row in cursor.fetchall()])

    def _prepare(self, statement: Any) -> tuple[str, dict[str, Any], Callable[[Any], Any]]:
        compiled = statement.compile(dialect=self._dialect)
        columns = list(statement.selected_columns)
        row_type = namedtuple("Row", [c.key for c in columns])  # type: ignore[misc]
        if self.postgres:  # psycopg gives datetimes and booleans already
            return compiled.string, dict(compiled.params), lambda row: row_type(*row)
        converters = [_sqlite_converter(c.type) for c in columns]

        def make(row: Any) -> Any:
            return row_type(
                *(f(v) if f and v is not None else v for f, v in zip(converters, row, strict=True))
            )

        return compiled.string, dict(compiled.params), make


def _sqlite_converter(kind: Any) -> Callable[[Any], Any] | None:
    """What SQLAlchemy does to a column of ``kind`` read from SQLite: the app's datetimes are
    stored as UTC text without an offset (``UTCDateTime``), booleans as 0 and 1."""
    if isinstance(getattr(kind, "impl_instance", kind), sa.DateTime):
        return _utc
    if isinstance(kind, sa.Boolean):
        return bool
    return None


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def first_offer(store: DriverStore) -> tuple[int, str, str, str, str, str] | None:
    query = (
        "SELECT id, kind, title, body, image_url, button FROM offer "
        "WHERE active ORDER BY position, id LIMIT 1"
    )
    row = store._db.execute(query).fetchone()
    return tuple(row) if row else None


def main() -> None:
    port, data_dir, url = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    settings = load_settings({}, data_dir=data_dir)
    store = DriverStore(url)
    keyed = csrf_dependency(settings.secret)
    offer = first_offer(store)

    @contextmanager
    def sessions() -> Iterator[DriverStore]:
        yield store

    async def page(request: Request) -> Response:
        keyed(request)
        token = request.path_params["token"]
        view = tracking_page(sessions, token, now=datetime.now(UTC))  # type: ignore[arg-type]
        if view is None:
            return Response("not found", status_code=404)
        order = view.order
        shown = OfferView(*offer, click_path=f"/o/{offer[0]}/{order.token}") if offer else None
        return render(
            "tracking.html",
            request,
            shopper_locale=order.locale,
            shop=order.shop,
            order=order,
            page=view,
            offer=shown,
            whatsapp=view.whatsapp,
            whatsapp_path=f"/t/{order.token}/whatsapp",
            reported=request.query_params.get("reported") == "1",
            whatsapp_done=request.query_params.get("whatsapp", ""),
        )

    async def health(request: Request) -> Response:
        return Response(b'{"status": "ok"}', media_type="application/json")

    app = Starlette(routes=[Route("/t/{token}", page), Route("/healthz", health)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
