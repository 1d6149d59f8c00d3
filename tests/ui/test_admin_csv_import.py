"""Admin → Import through NiceGUI's user simulation: upload, Preview (nothing changes),
Import with its progress row and report, and the report downloaded as CSV with formulas
escaped."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import os
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from sqlmodel import select

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.db.models import ShopOrder
from shopcare.services.intake.csv_runs import start_run
from tests.ui.admin_support import only, sign_in

FIXTURES = Path(__file__).parent.parent / "fixtures" / "csv"
pytestmark = pytest.mark.usefixtures("admin_data_dir")


def stored_numbers() -> set[str]:
    app = build(load_settings(data_dir=os.environ["SHOPCARE_DATA_DIR"]))
    try:
        with app.sessions() as session:
            return set(session.exec(select(ShopOrder.order_number)).all())
    finally:
        app.engine.dispose()


async def upload(user: User, name: str, data: bytes | None = None) -> None:
    data = (FIXTURES / name).read_bytes() if data is None else data
    await only(user, ui.upload).handle_uploads(
        [SmallFileUpload(name=name, content_type="text/csv", _data=data)]
    )
    await user.should_see(f"{name} ({len(data):,} bytes), ready")


async def until_seen(user: User, marker: str, text: str) -> None:
    """Preview and Import run in a worker thread: wait for their result to be shown."""
    for _ in range(400):
        with contextlib.suppress(AssertionError):  # not on the page yet
            if any(text in getattr(e, "text", "") for e in user.find(marker=marker).elements):
                return
        await asyncio.sleep(0.05)
    await user.should_see(text, marker=marker)


async def test_preview_then_import_a_shopify_export(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/import")
    await user.should_see("Import orders from a Shopify or WooCommerce orders export")
    await upload(user, "shopify_orders.csv")
    before = stored_numbers()
    user.find(marker="preview").click()
    await until_seen(user, "report-summary", "shopify file, 5 rows: 4 would be created")
    assert stored_numbers() == before
    table = only(user, ui.table, "report-table")
    assert [(r["line"], r["order"], r["result"]) for r in table.rows] == [
        (4, "#1002", "warning"),
        (6, "#1003", "warning"),
    ]
    user.find(marker="import").click()
    await until_seen(user, "report-summary", "shopify file, 5 rows: 4 were created")
    assert stored_numbers() - before == {"#1001", "#1002", "#1003", "#1004"}
    await until_seen(user, "import-summary", "Finished: shopify_orders.csv · 4 created")
    user.find(marker="download-report").click()
    response = await user.download.next()
    rows = list(csv.reader(response.content.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["line", "order_number", "result", "reason"]
    assert [r[:3] for r in rows[1:]] == [["4", "#1002", "warning"], ["6", "#1003", "warning"]]


async def test_a_file_it_cannot_read_says_why_and_changes_nothing(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/import")
    await upload(user, "tracking.csv")
    user.find(marker="format").elements.pop().set_value("shopify")
    user.find(marker="import").click()
    await until_seen(user, "import-error", "not a shopify file: the header lacks 'name'")
    await until_seen(user, "import-summary", "Stopped: tracking.csv")


async def test_the_report_download_escapes_formulas(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/import")
    data = b'order_number,order_date,currency,item_name\n=HYPERLINK("x"),bad,EUR,x\n'
    await upload(user, "evil.csv", data)
    user.find(marker="preview").click()
    await until_seen(user, "report-summary", "1 rejected")
    user.find(marker="download-shown").click()
    response = await user.download.next()
    rows = list(csv.reader(response.content.decode("utf-8-sig").splitlines()))
    assert rows[1][:3] == ["2", '\'=HYPERLINK("x")', "rejected"]


async def test_an_import_the_app_did_not_finish_shows_as_interrupted(user: User) -> None:
    app = build(load_settings(data_dir=os.environ["SHOPCARE_DATA_DIR"]))
    start_run(app.sessions, source="big.csv", now=app.clock())  # then the app was killed
    app.engine.dispose()
    await sign_in(user)
    await user.open("/admin/import")
    await user.should_see("Interrupted (import the file again to complete it): big.csv")
