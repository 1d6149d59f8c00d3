from datetime import UTC, datetime
from io import BytesIO

from pypdf import PdfReader

from shopcare.pdf.return_slip import ReturnSlip, SlipItem, render_return_slip


def test_the_slip_carries_rma_items_address_and_status_link_in_any_script() -> None:
    slip = ReturnSlip(
        shop_name="Demo Coffee",
        rma="R-ABCD-2345",
        status_url="http://shop.test/r/token123",
        return_address="Demo Coffee\nMusterstraße 1\n10115 Berlin",
        order_number="1001",
        customer_name="Zoë Łukasz Иван Ωμέγα",
        created_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        reason="Too small",
        items=[SlipItem("Ceramic mug <sand>", 2), SlipItem("Tea towel", 1)],
    )
    pdf = render_return_slip(slip)
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in (
        "R-ABCD-2345",
        "Ceramic mug <sand>",
        "Tea towel",
        "Musterstraße 1",
        "Zoë Łukasz Иван Ωμέγα",
        "http://shop.test/r/token123",
    ):
        assert expected in text
    assert reader.metadata is not None and reader.metadata.title == "Return slip R-ABCD-2345"
