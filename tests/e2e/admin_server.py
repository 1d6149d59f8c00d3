"""The whole app in a real process on a free port, with the demo shop and a known owner:
for what only a real socket shows (NiceGUI's websocket, a browser, response headers as
uvicorn sends them). Used by ``tests/e2e/test_admin_socket.py`` and the admin browser test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlmodel import select

from shopcare.app import ShopCare, build
from shopcare.config import load_settings
from shopcare.db.models import Offer, OrderLine, ReturnRequest, ShopOrder, StoreCredit
from shopcare.services.accounts.auth import set_password
from shopcare.services.returns.requests import open_return
from shopcare.services.returns.store_credit import issue_credit
from shopcare.services.shopper_site.problem_reports import report_problem
from tests.conftest import free_port, store_env
from tests.ui.admin_support import OWNER, PASSWORD


@dataclass(frozen=True)
class AdminServer:
    url: str
    host: str
    order_id: int
    return_id: int
    offer_id: int
    credit_id: int
    database_url: str
    """The store it serves: its data dir's SQLite file, or the test's PostgreSQL database."""

    def sign_in(self) -> str:
        """A fresh session: the value of the admin cookie."""
        form = {"username": OWNER, "password": PASSWORD, "next": "/admin"}
        answer = httpx.post(f"{self.url}/admin/login", data=form, timeout=30)
        assert answer.status_code == 303 and answer.headers["location"] == "/admin", answer.text
        return answer.cookies["shopcare_admin"]


@contextmanager
def running_admin(data_dir: Path, database_url: str | None = None) -> Iterator[AdminServer]:
    """The demo admin in its own process, on ``database_url`` (``tests.store.lasting_store``)
    or the data dir's SQLite store."""
    port = free_port()
    settings = load_settings(store_env(database_url), data_dir=str(data_dir))
    app = build(settings, demo=True)
    set_password(app.sessions, username=OWNER, password=PASSWORD, now=app.clock())
    _a_return_and_a_problem(app)
    with app.sessions() as session:
        ids = [
            session.exec(select(table.id).limit(1)).one()  # type: ignore[attr-defined]
            for table in (ShopOrder, ReturnRequest, Offer, StoreCredit)
        ]
    app.engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "NICEGUI"))}
    env["SHOPCARE_DATA_DIR"] = str(data_dir)
    env.pop("SHOPCARE_DATABASE_URL", None)
    env.update(store_env(database_url))
    env.pop("SHOPCARE_PUBLIC_URL", None)
    command = [sys.executable, "-m", "shopcare", "run", "--port", str(port)]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}"
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(server.stdout or ()), daemon=True)
    reader.start()
    try:
        _wait_for(server, url)
        yield AdminServer(url, f"127.0.0.1:{port}", *ids, database_url=settings.database_url)
        served = "".join(lines)  # what it said while serving; stopping has its own noise
    finally:
        server.terminate()
        server.wait(timeout=30)
        reader.join(timeout=10)
    assert "Traceback" not in served, served


def _a_return_and_a_problem(app: ShopCare) -> None:
    """So the returns, store credit and problems pages show one (the demo shop has none)."""
    with app.sessions() as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.order_number == "1001")).one()
        line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).first()
    assert line is not None and line.id is not None
    open_return(
        app.sessions,
        order_token=order.public_token,
        quantities={line.id: 1},
        reason="changed_mind",
        now=app.clock(),
    )
    with app.sessions() as session:
        returned = session.exec(
            select(ReturnRequest).where(ReturnRequest.order_id == order.id)
        ).one()
        issue_credit(session, returned, amount_minor=1800, currency="EUR", now=app.clock())
        session.commit()
    report_problem(
        app.sessions,
        order.public_token,
        kind="damaged",
        message="Box crushed",
        shipment_id=None,
        now=app.clock(),
    )


def _wait_for(server: subprocess.Popen[str], url: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and server.poll() is None:
        try:
            httpx.get(f"{url}/healthz", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the admin server did not start (exit code {server.poll()})")
