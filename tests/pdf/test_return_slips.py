"""Return slips as a shopper's printer and the shop's scanner see them: rendered by poppler,
scanned by zbar, text extracted; for every page size."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from shopcare.app import ShopCare
from shopcare.services.errors import InputError
from shopcare.services.returns.print_settings import update_print_settings
from shopcare.services.returns.slips import return_slip_by_token, return_slips_pdf
from shopcare.services.shop.profile import update_profile
from tests.conftest import PUBLIC_URL
from tests.pdf.data import make_order
from tests.pdf.reading import overlaps, page_texts, scan_pages, text, words

SIZES = ("a4", "letter", "label_4x6")
POINTS = {"a4": (595.3, 841.9), "letter": (612.0, 792.0), "label_4x6": (288.0, 432.0)}


def slip(shopcare: ShopCare, ids: list[int], size: str | None = None) -> bytes:
    pdf = return_slips_pdf(shopcare.sessions, ids, public_url=PUBLIC_URL, size=size)
    assert pdf is not None
    return pdf


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return [(round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1)) for p in pages]


@pytest.mark.parametrize("size", SIZES)
def test_the_barcode_decodes_to_the_rma_and_the_qr_code_to_the_status_page(
    shopcare: ShopCare, size: str, tmp_path: Path
) -> None:
    made = make_order(shopcare)
    pdf = slip(shopcare, made.return_ids, size)
    [first] = scan_pages(pdf, tmp_path)
    assert ("CODE-128", made.rmas[0]) in first
    assert ("QR-Code", f"{PUBLIC_URL}/r/{made.tokens[0]}") in first
    assert page_sizes(pdf) == [POINTS[size]]
    printed = text(pdf)
    for expected in (made.rmas[0], "Ceramic mug", "Linen apron", "Too small", "Arrived damaged"):
        assert expected in printed, expected
    assert "Size L (1042-L)" in printed  # the exchange wished for


def test_names_in_cyrillic_greek_chinese_japanese_and_korean_are_printed(
    shopcare: ShopCare,
) -> None:
    names = {
        "1001": ("Иван Петров", "Москва"),
        "1002": ("Αθηνά Παπαδοπούλου", "Αθήνα"),
        "1003": ("王小明", "北京市"),
        "1004": ("山田 たろう", "東京都渋谷区"),
        "1005": ("김민준", "서울특별시"),
    }
    ids = [
        make_order(shopcare, number=number, ship_name=name, city=city).return_ids[0]
        for number, (name, city) in names.items()
    ]
    pdf = slip(shopcare, ids, "a4")
    pages = page_texts(pdf)
    assert len(pages) == len(names)
    for page, (name, city) in zip(pages, names.values(), strict=True):
        assert name in page and city in page, (name, city, page)
    fonts = {
        str(font["/BaseFont"])
        for p in PdfReader(io.BytesIO(pdf)).pages
        for font in p["/Resources"]["/Font"].values()
    }
    assert any(f.endswith("+DejaVuSans") for f in fonts), fonts  # an embedded subset
    assert {"/STSong-Light", "/HeiseiKakuGo-W5", "/HYGothic-Medium"} <= {
        f.split("-UniGB")[0].split("-UniJIS")[0].split("-UniKS")[0] for f in fonts
    }, fonts


def test_a_batch_prints_each_slip_on_its_own_pages_in_the_order_chosen(
    shopcare: ShopCare, tmp_path: Path
) -> None:
    made = make_order(shopcare, returns=3)
    order = list(reversed(made.return_ids))
    pdf = slip(shopcare, order, "label_4x6")
    scanned = scan_pages(pdf, tmp_path)
    codes = [sorted(v for k, v in page if k == "CODE-128") for page in scanned]
    assert codes == [[rma] for rma in reversed(made.rmas)]
    for page, rma in zip(page_texts(pdf), reversed(made.rmas), strict=True):
        assert rma in page and all(other not in page for other in made.rmas if other != rma)


@pytest.mark.parametrize("size", SIZES)
def test_long_titles_and_addresses_wrap_inside_the_page_without_overlapping(
    shopcare: ShopCare, size: str, tmp_path: Path
) -> None:
    titles = [
        f"Hand-thrown stoneware serving bowl number {i} with a speckled glaze and a wide rim "
        "that is far too long to fit on one line of any slip"
        for i in range(30)
    ]
    made = make_order(
        shopcare,
        ship_name="Maximiliane Alexandra Friederike von Hohenzollern-Sigmaringen-Württemberg",
        address="Sehr lange Straße mit einem außergewöhnlich langen Namen 123, Hinterhaus, "
        "Aufgang C, dritter Stock links, bei Familie Oberhuber-Schwarzenbach",
        titles=titles,
    )
    update_profile(shopcare.sessions, return_address="Returns\n" + "Unit 7, " * 30 + "Berlin")
    pdf = slip(shopcare, made.return_ids, size)
    sizes, found = words(pdf)
    assert len(sizes) >= 2  # thirty items do not fit on one page of any size
    width, height = sizes[0]
    outside = [w for w in found if w.x_min < 5 or w.y_min < 5 or w.x_max > width - 5
               or w.y_max > height - 5]  # fmt: skip
    assert outside == []
    clashes = [(a.text, b.text) for i, a in enumerate(found) for b in found[i + 1 :]
               if overlaps(a, b)]  # fmt: skip
    assert clashes == []
    assert all(f"number {i} " in " ".join(page_texts(pdf)).replace("\n", " ") or size == "label_4x6"
               for i in range(30))  # fmt: skip
    scanned = scan_pages(pdf, tmp_path)
    assert ("CODE-128", made.rmas[0]) in scanned[0]


def test_the_owners_default_size_is_used_unless_the_request_names_one(shopcare: ShopCare) -> None:
    made = make_order(shopcare)
    assert page_sizes(slip(shopcare, made.return_ids)) == [POINTS["a4"]]
    update_print_settings(shopcare.sessions, page_size="letter")
    token_pdf = return_slip_by_token(shopcare.sessions, made.tokens[0], public_url=PUBLIC_URL)
    assert token_pdf is not None and page_sizes(token_pdf) == [POINTS["letter"]]
    assert page_sizes(slip(shopcare, made.return_ids, "label_4x6")) == [POINTS["label_4x6"]]
    with pytest.raises(InputError, match="unknown page size"):
        slip(shopcare, made.return_ids, "a3")
    with pytest.raises(InputError):
        update_print_settings(shopcare.sessions, page_size="tabloid")


def test_unknown_returns_make_no_pdf(shopcare: ShopCare) -> None:
    made = make_order(shopcare)
    assert return_slips_pdf(shopcare.sessions, [made.return_ids[0], 999], public_url="") is None
    assert return_slip_by_token(shopcare.sessions, "nope", public_url="") is None


def test_a_logo_file_in_the_data_dir_is_printed_instead_of_the_name(shopcare: ShopCare) -> None:
    from PIL import Image

    made = make_order(shopcare)
    data_dir = shopcare.settings.data_dir
    plain = return_slips_pdf(shopcare.sessions, made.return_ids, public_url="", data_dir=data_dir)
    Image.new("RGB", (300, 100), "navy").save(data_dir / "logo.png")
    branded = return_slips_pdf(shopcare.sessions, made.return_ids, public_url="", data_dir=data_dir)
    assert plain is not None and branded is not None
    images = [len(PdfReader(io.BytesIO(pdf)).pages[0].images) for pdf in (plain, branded)]
    assert images == [0, 1]
    assert "Test Shop" in text(plain) and "Test Shop" not in text(branded).split("Return slip")[0]


def test_the_owners_own_reason_labels_are_printed(shopcare: ShopCare) -> None:
    from shopcare.services.returns.policy import get_policy_settings, update_policy

    made = make_order(shopcare, reason="fits_badly")
    reasons = [*get_policy_settings(shopcare.sessions).reasons]
    reasons.append({"code": "fits_badly", "label": "Fits badly"})
    update_policy(shopcare.sessions, reasons=reasons)
    printed = text(slip(shopcare, made.return_ids, "a4"))
    assert "Fits badly" in printed and "fits_badly" not in printed
    assert "Arrived damaged" in printed
