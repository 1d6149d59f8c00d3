"""The owner's PDF downloads and the printing page: behind the sign-in, the right pages in
the right size, and the default size the owner saves."""

from __future__ import annotations

import io

import pytest
from nicegui import ui
from nicegui.testing import User
from pypdf import PdfReader

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.services.returns.print_settings import get_print_settings
from tests.pdf.data import Made, make_order
from tests.ui.admin_support import only, sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")


def three_returns() -> Made:
    app = build(load_settings())
    made = make_order(app, number="9001", returns=3)
    app.engine.dispose()
    return made


def sizes(pdf: bytes) -> list[tuple[int, int]]:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pages]


async def test_signed_out_requests_for_pdfs_go_to_the_sign_in_page(user: User) -> None:
    made = three_returns()
    for path in (
        f"/admin/returns/{made.return_ids[0]}/slip.pdf",
        "/admin/returns/slips.pdf?ids=" + ",".join(map(str, made.return_ids)),
        f"/admin/orders/{made.order_id}/packing-slip.pdf?size=a4",
    ):
        response = await user.http_client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/admin/login")
        assert not response.content.startswith(b"%PDF")


async def test_the_owner_downloads_a_batch_a_slip_and_a_packing_slip(user: User) -> None:
    made = three_returns()
    await sign_in(user)
    ids = ",".join(map(str, made.return_ids))
    batch = await user.http_client.get(f"/admin/returns/slips.pdf?ids={ids}")
    assert batch.status_code == 200
    assert batch.headers["content-type"] == "application/pdf"
    assert batch.headers["cache-control"] == "no-store"
    assert sizes(batch.content) == [(595, 842)] * 3

    one = await user.http_client.get(f"/admin/returns/{made.return_ids[1]}/slip.pdf?size=label_4x6")
    assert one.headers["content-type"] == "application/pdf"
    assert sizes(one.content) == [(288, 432)]
    assert made.rmas[1] in PdfReader(io.BytesIO(one.content)).pages[0].extract_text()

    packing = await user.http_client.get(f"/admin/orders/{made.order_id}/packing-slip.pdf")
    assert packing.headers["content-type"] == "application/pdf"
    assert "9001" in PdfReader(io.BytesIO(packing.content)).pages[0].extract_text()


async def test_wrong_requests_get_a_plain_answer(user: User) -> None:
    made = three_returns()
    await sign_in(user)
    bad_size = await user.http_client.get(f"/admin/returns/{made.return_ids[0]}/slip.pdf?size=a3")
    assert (bad_size.status_code, "unknown page size" in bad_size.text) == (400, True)
    bad_ids = await user.http_client.get("/admin/returns/slips.pdf?ids=1,x")
    assert bad_ids.status_code == 400
    missing = await user.http_client.get(f"/admin/returns/slips.pdf?ids={made.return_ids[0]},999")
    assert missing.status_code == 404
    assert (await user.http_client.get("/admin/orders/999/packing-slip.pdf")).status_code == 404


async def test_the_owner_chooses_letter_and_slips_come_in_letter(user: User) -> None:
    made = three_returns()
    await sign_in(user)
    await user.open("/admin/printing")
    await user.should_see("Default page size")
    user.find("US Letter (8.5 × 11 in)").click()
    user.find(marker="save-printing").click()
    await user.should_see("Printing settings saved")
    app = build(load_settings())
    assert get_print_settings(app.sessions).page_size == "letter"
    app.engine.dispose()
    slip = await user.http_client.get(f"/admin/returns/{made.return_ids[0]}/slip.pdf")
    assert sizes(slip.content) == [(612, 792)]


async def test_the_order_page_links_its_packing_slip(user: User) -> None:
    made = three_returns()
    await sign_in(user)
    await user.open(f"/admin/orders/{made.order_id}")
    link = only(user, ui.link, content="Packing slip (PDF)")
    assert link.props["href"] == f"/admin/orders/{made.order_id}/packing-slip.pdf"
