"""The label rules: when a return gets one, the parcel, the rate bought, amounts in minor
units, and what a downloaded file is."""

from __future__ import annotations

from shopcare.domain.return_labels import (
    LabelsFor,
    LabelState,
    Parcel,
    Rate,
    amount_minor,
    choose_rate,
    label_kind,
    label_wanted,
    may_retry,
    parcel_for,
)


def wanted(labels_for: LabelsFor, **kw: object) -> bool:
    args: dict[str, object] = {
        "reasons": frozenset({"damaged"}),
        "shipping_paid_by": "shopper",
        "line_reasons": ["too_small"],
        "parcel_comes_back": True,
        **kw,
    }
    return label_wanted(labels_for, **args)  # type: ignore[arg-type]


def test_a_label_follows_the_postage_or_the_chosen_reasons_and_never_for_keep() -> None:
    assert not wanted(LabelsFor.NEVER, shipping_paid_by="shop")
    assert wanted(LabelsFor.SHOP_PAYS, shipping_paid_by="shop")
    assert not wanted(LabelsFor.SHOP_PAYS)
    assert wanted(LabelsFor.REASONS, line_reasons=["too_small", "damaged"])
    assert not wanted(LabelsFor.REASONS)
    assert not wanted(LabelsFor.SHOP_PAYS, shipping_paid_by="shop", parcel_comes_back=False)


def test_the_parcel_fits_the_largest_item_and_weighs_every_unit() -> None:
    default = Parcel(30, 20, 10, 1000)
    presets = {"MUG": Parcel(20, 15, 12, 700)}
    assert parcel_for([], presets=presets, default=default) == default
    assert parcel_for([("MUG", 2), ("TOWEL", 1)], presets=presets, default=default) == Parcel(
        30, 20, 12, 2400
    )
    assert Parcel(2.54, 5.08, 25.4, 1000).inches() == (1.0, 2.0, 10.0)
    assert Parcel(weight_g=1000).ounces() == 35.3


RATES = [
    Rate("a", "USPS", "Express", "27.20", "USD"),
    Rate("b", "USPS", "Priority", "7.58", "USD"),
    Rate("c", "UPS", "Ground", "9.10", "USD"),
    Rate("d", "FedEx", "Home", "free", "USD"),
]


def test_the_cheapest_readable_rate_unless_the_owner_names_carrier_and_service() -> None:
    assert choose_rate(RATES) == RATES[1]
    assert choose_rate(RATES, carrier="ups") == RATES[2]
    assert choose_rate(RATES, carrier="USPS", service="express") == RATES[0]
    assert choose_rate(RATES, carrier="FedEx") is None
    assert choose_rate([]) is None


def test_amounts_become_minor_units_of_their_currency() -> None:
    assert amount_minor("7.58", "USD") == 758
    assert amount_minor("1200", "JPY") == 1200
    assert amount_minor("1.5", "KWD") == 1500
    assert amount_minor("", "USD") is None and amount_minor("-1", "USD") is None


def test_only_pdf_and_png_labels_are_taken() -> None:
    assert label_kind(b"%PDF-1.4 ...") == "application/pdf"
    assert label_kind(b"\x89PNG\r\n\x1a\n...") == "image/png"
    assert label_kind(b"^XA^FO50,50^XZ") is None  # ZPL
    assert label_kind(b"<html>") is None


def test_only_a_failed_label_is_tried_again() -> None:
    assert may_retry(LabelState.FAILED)
    assert not any(may_retry(s) for s in LabelState if s is not LabelState.FAILED)
