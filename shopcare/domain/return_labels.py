"""Prepaid return labels as rules: whether an approved return gets one, which parcel it is,
which rate to buy, what a label request's state allows next, and what a failure means for
the owner.

Pure: the caller passes the policy's choices, the lines and the rates; nothing here reads a
clock, the store or the network.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from shopcare.domain.money import minor_digits


class LabelProvider(StrEnum):
    EASYPOST = "easypost"
    SHIPPO = "shippo"


class LabelsFor(StrEnum):
    """When the shop buys a label (the owner's policy)."""

    NEVER = "never"
    SHOP_PAYS = "shop_pays"
    """Whenever the return's postage is on the shop (the policy's payer, or one of its
    free-postage reasons)."""
    REASONS = "reasons"
    """Only for the reasons the owner chose, whoever pays the postage otherwise."""


class LabelState(StrEnum):
    """Stored in ``return_label.state``; the values never change once written."""

    DUE = "due"
    """To be bought (at approval, or the owner asked to try again)."""
    BUYING = "buying"
    """A purchase is under way; a row left here by a dead process is taken back."""
    BOUGHT = "bought"
    FAILED = "failed"
    """The last attempt failed; the return keeps its plain slip until the owner retries."""
    VOIDED = "voided"
    """The return was cancelled and the provider was asked to refund the label."""


class FailureKind(StrEnum):
    ADDRESS = "address"
    FUNDS = "funds"
    AUTH = "auth"
    REFUSED = "refused"
    UNAVAILABLE = "unavailable"
    TIMEOUT = "timeout"
    GARBAGE = "garbage"
    NO_RATE = "no_rate"
    SETUP = "setup"


OWNER_WORDS: dict[FailureKind, str] = {
    FailureKind.ADDRESS: "the carrier did not accept an address",
    FailureKind.FUNDS: "the label account has no funds or no payment method",
    FailureKind.AUTH: "the label account refused the API key",
    FailureKind.REFUSED: "the label service refused the request",
    FailureKind.UNAVAILABLE: "the label service had a server error",
    FailureKind.TIMEOUT: "the label service did not answer in time",
    FailureKind.GARBAGE: "the label service answered something unreadable",
    FailureKind.NO_RATE: "no carrier offered a rate for this parcel",
    FailureKind.SETUP: "prepaid labels are not set up",
}
"""The first half of what the owner reads on the return; the provider's own text follows."""

UNCERTAIN = frozenset({FailureKind.TIMEOUT, FailureKind.UNAVAILABLE, FailureKind.GARBAGE})
"""After these the label may have been bought all the same: a retry asks first."""


def label_wanted(
    labels_for: LabelsFor,
    *,
    reasons: frozenset[str],
    shipping_paid_by: str,
    line_reasons: Iterable[str],
    parcel_comes_back: bool,
) -> bool:
    """Whether an approved return gets a prepaid label: never when nothing comes back."""
    if not parcel_comes_back or labels_for is LabelsFor.NEVER:
        return False
    if labels_for is LabelsFor.SHOP_PAYS:
        return shipping_paid_by == "shop"
    return bool(reasons & set(line_reasons))


class PostageNote(StrEnum):
    """What the portal says beside a reason about sending the parcel back."""

    SHOPPER_PAYS = "shopper_pays"
    FREE_POSTAGE = "free_postage"
    """The shop pays, without a label from ShopCare (the owner's own arrangement)."""
    FREE_LABEL = "free_label"
    """The shop pays and a prepaid label comes with the approval."""


def postage_notes(
    reason_codes: Sequence[str],
    *,
    shopper_pays: bool,
    free_reasons: frozenset[str],
    labels_for: LabelsFor,
    label_reasons: frozenset[str],
    buys_labels: bool,
) -> dict[str, PostageNote]:
    """Per reason, who pays the return postage, for the reasons' options in the portal;
    empty when every reason is the same (the form's costs already say it once).
    ``buys_labels``: a label account is set up."""
    notes = {}
    for code in reason_codes:
        shop_pays = not shopper_pays or code in free_reasons
        labelled = buys_labels and label_wanted(
            labels_for, reasons=label_reasons, shipping_paid_by="shop" if shop_pays else "shopper",
            line_reasons=[code], parcel_comes_back=True,
        )  # fmt: skip
        if not shop_pays:
            notes[code] = PostageNote.SHOPPER_PAYS
        else:
            notes[code] = PostageNote.FREE_LABEL if labelled else PostageNote.FREE_POSTAGE
    return notes if len(set(notes.values())) > 1 else {}


@dataclass(frozen=True)
class Parcel:
    """Centimetres and grams, as the owner enters them; providers get inches and ounces."""

    length_cm: float = 30.0
    width_cm: float = 20.0
    height_cm: float = 10.0
    weight_g: int = 1000

    def inches(self) -> tuple[float, float, float]:
        return tuple(round(v / 2.54, 1) for v in (self.length_cm, self.width_cm, self.height_cm))  # type: ignore[return-value]

    def ounces(self) -> float:
        return round(self.weight_g / 28.349523125, 1)


def parcel_for(
    lines: Sequence[tuple[str, int]], *, presets: Mapping[str, Parcel], default: Parcel
) -> Parcel:
    """``lines`` are (SKU, quantity). One box big enough for the largest item's preset,
    weighing what every unit weighs; a SKU without a preset counts as the default."""
    if not lines:
        return default
    chosen = [(presets.get(sku, default), qty) for sku, qty in lines]
    return Parcel(
        length_cm=max(p.length_cm for p, _ in chosen),
        width_cm=max(p.width_cm for p, _ in chosen),
        height_cm=max(p.height_cm for p, _ in chosen),
        weight_g=sum(p.weight_g * max(q, 1) for p, q in chosen),
    )


@dataclass(frozen=True)
class Rate:
    id: str
    carrier: str
    service: str
    amount: str
    """As the provider writes it ("7.58")."""
    currency: str


def amount_minor(amount: str, currency: str) -> int | None:
    """A provider's decimal string in minor units; None when it is not an amount."""
    try:
        value = Decimal(str(amount).strip()).scaleb(minor_digits(currency))
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value < 0:
        return None
    return int(value.to_integral_value())


def choose_rate(rates: Sequence[Rate], *, carrier: str = "", service: str = "") -> Rate | None:
    """The owner's carrier and service when named (case-insensitive), else the cheapest;
    rates whose amount cannot be read are never chosen."""
    usable = [r for r in rates if amount_minor(r.amount, r.currency or "USD") is not None]
    if carrier:
        usable = [r for r in usable if r.carrier.casefold() == carrier.casefold()]
    if service:
        usable = [r for r in usable if r.service.casefold() == service.casefold()]
    return min(
        usable,
        key=lambda r: (Decimal(r.amount), r.carrier, r.service),
        default=None,
    )


def may_buy(state: LabelState) -> bool:
    return state is LabelState.DUE


def may_retry(state: LabelState) -> bool:
    """The owner's "try again": after a failure only; a bought label is never bought again."""
    return state is LabelState.FAILED


def may_void(state: LabelState) -> bool:
    return state is LabelState.BOUGHT


def idempotency_key(return_id: int, rma: str) -> str:
    """One per return: sent to the provider as the shipment's reference and the purchase's
    metadata, so a purchase that timed out can be found again."""
    return f"shopcare-return-{return_id}-{rma}"


def label_kind(data: bytes) -> str | None:
    """The media type of a downloaded label, from its first bytes (PDF or PNG); None for
    anything else (ZPL, an HTML error page)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None
