"""Which shoppers an offer is for, and which offer wins on a page.

An offer's segment is stored as JSON (``Offer.rules``). Every rule that is given must hold;
a segment without rules is for everyone. Among the offers that are switched on, inside their
schedule and matching, the lowest ``position`` wins (then the lowest id, so the answer never
depends on the order rows come back in).

Rules, all optional::

    {"skus": ["MUG-SAND"], "tags": ["coffee"],
     "total_min": 2000, "total_max": 10000, "currency": "EUR",
     "countries": ["DE", "AT"], "statuses": ["delivered"], "customer": "repeat"}

SKUs and tags compare without regard to case (owners type them by hand); totals are integer
minor units of ``currency``, which they require, and both bounds are inclusive.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from shopcare.domain.status import ShipmentStatus


class SegmentError(ValueError):
    """The rules cannot be read; the message names the rule and what is wrong with it."""


class CustomerKind(StrEnum):
    FIRST = "first"
    """No earlier order from the same customer."""
    REPEAT = "repeat"


RULE_KEYS = (
    "skus",
    "tags",
    "total_min",
    "total_max",
    "currency",
    "countries",
    "statuses",
    "customer",
)


@dataclass(frozen=True)
class Segment:
    skus: frozenset[str] = frozenset()
    """Case-folded; any order line with one of them."""
    tags: frozenset[str] = frozenset()
    """Case-folded; any order line carrying one of them."""
    total_min: int | None = None
    total_max: int | None = None
    currency: str = ""
    countries: frozenset[str] = frozenset()
    """ISO 3166 alpha-2, upper case."""
    statuses: frozenset[ShipmentStatus] = frozenset()
    """Any parcel of the order in one of them."""
    customer: CustomerKind | None = None

    @property
    def needs_history(self) -> bool:
        """Only the first/repeat rule asks about the customer's other orders (a query the
        caller can skip otherwise)."""
        return self.customer is not None


@dataclass(frozen=True)
class OrderFacts:
    """What the rules may look at in one order; nothing personal beyond the country."""

    skus: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    total_minor: int = 0
    currency: str = ""
    country: str = ""
    statuses: frozenset[ShipmentStatus] = frozenset()
    repeat: bool = False
    """The customer placed another order before this one."""


def order_facts(
    *,
    skus: Iterable[str],
    tags: Iterable[str],
    total_minor: int,
    currency: str,
    country: str,
    statuses: Iterable[ShipmentStatus],
    repeat: bool,
) -> OrderFacts:
    """Facts normalised the way :class:`Segment` stores its rules."""
    return OrderFacts(
        skus=frozenset(s.strip().casefold() for s in skus if s.strip()),
        tags=frozenset(t.strip().casefold() for t in tags if t.strip()),
        total_minor=total_minor,
        currency=currency.strip().upper(),
        country=country.strip().upper(),
        statuses=frozenset(statuses),
        repeat=repeat,
    )


def matches(segment: Segment, facts: OrderFacts) -> bool:
    if segment.skus and not segment.skus & facts.skus:
        return False
    if segment.tags and not segment.tags & facts.tags:
        return False
    if segment.currency and facts.currency != segment.currency:
        return False
    if segment.total_min is not None and facts.total_minor < segment.total_min:
        return False
    if segment.total_max is not None and facts.total_minor > segment.total_max:
        return False
    if segment.countries and facts.country not in segment.countries:
        return False
    if segment.statuses and not segment.statuses & facts.statuses:
        return False
    if segment.customer is CustomerKind.FIRST:
        return not facts.repeat
    if segment.customer is CustomerKind.REPEAT:
        return facts.repeat
    return True


@dataclass(frozen=True)
class Schedule:
    starts_at: datetime | None = None
    """Inclusive: shown from this moment on."""
    ends_at: datetime | None = None
    """Exclusive: gone at this moment."""

    def covers(self, now: datetime) -> bool:
        if self.starts_at is not None and now < self.starts_at:
            return False
        return self.ends_at is None or now < self.ends_at


class Candidate(Protocol):
    """An offer as the choice sees it."""

    @property
    def id(self) -> int: ...
    @property
    def position(self) -> int: ...
    @property
    def active(self) -> bool: ...
    @property
    def schedule(self) -> Schedule: ...
    @property
    def segment(self) -> Segment: ...


C = TypeVar("C", bound=Candidate)


def live(candidates: Iterable[C], *, now: datetime) -> list[C]:
    """Switched on and inside the schedule, in the order they compete in."""
    on = [c for c in candidates if c.active and c.schedule.covers(now)]
    return sorted(on, key=lambda c: (c.position, c.id))


def first_match(candidates: Iterable[C], facts: OrderFacts, *, now: datetime) -> C | None:
    return next((c for c in live(candidates, now=now) if matches(c.segment, facts)), None)


def parse_segment(text: str) -> Segment:
    """``Offer.rules`` as stored; raises :class:`SegmentError`."""
    try:
        data = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise SegmentError(f"the rules are not valid JSON: {exc.msg}") from None
    if not isinstance(data, Mapping):
        raise SegmentError("the rules must be a JSON object")
    return segment_from_rules(data)


def segment_from_rules(rules: Mapping[str, Any]) -> Segment:
    """Checks every rule; empty lists and ``None`` mean "not given"."""
    unknown = sorted(set(rules) - set(RULE_KEYS))
    if unknown:
        raise SegmentError(f"unknown rule {unknown[0]!r}; known: {', '.join(RULE_KEYS)}")
    total_min = _amount(rules, "total_min")
    total_max = _amount(rules, "total_max")
    if total_min is not None and total_max is not None and total_min > total_max:
        raise SegmentError("total_min is more than total_max")
    currency = _text(rules, "currency").upper()
    if currency and not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        raise SegmentError(f"currency must be a three-letter code such as EUR, not {currency!r}")
    if (total_min is not None or total_max is not None) and not currency:
        raise SegmentError("an order total needs its currency")
    countries = frozenset(c.upper() for c in _words(rules, "countries"))
    for country in sorted(countries):
        if not (len(country) == 2 and country.isascii() and country.isalpha()):
            raise SegmentError(f"countries must be two-letter codes such as DE, not {country!r}")
    return Segment(
        skus=frozenset(s.casefold() for s in _words(rules, "skus")),
        tags=frozenset(t.casefold() for t in _words(rules, "tags")),
        total_min=total_min,
        total_max=total_max,
        currency=currency,
        countries=countries,
        statuses=frozenset(_status(s) for s in _words(rules, "statuses")),
        customer=_customer(rules),
    )


def segment_rules(segment: Segment) -> dict[str, Any]:
    """The JSON-ready form, only the rules that are given, lists sorted: stored text is
    stable, so an unchanged segment saves unchanged."""
    rules: dict[str, Any] = {
        "skus": sorted(segment.skus),
        "tags": sorted(segment.tags),
        "total_min": segment.total_min,
        "total_max": segment.total_max,
        "currency": segment.currency,
        "countries": sorted(segment.countries),
        "statuses": sorted(segment.statuses),
        "customer": segment.customer.value if segment.customer else None,
    }
    return {k: v for k, v in rules.items() if v not in (None, "", [])}


def segment_json(segment: Segment) -> str:
    return json.dumps(segment_rules(segment), sort_keys=True, ensure_ascii=False)


def _words(rules: Mapping[str, Any], key: str) -> list[str]:
    value = rules.get(key)
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise SegmentError(f"{key} must be a list of texts")
    words = []
    for item in value:
        if not isinstance(item, str):
            raise SegmentError(f"{key} must be a list of texts, not {item!r}")
        if item.strip():
            words.append(item.strip())
    return words


def _text(rules: Mapping[str, Any], key: str) -> str:
    value = rules.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SegmentError(f"{key} must be a text")
    return value.strip()


def _amount(rules: Mapping[str, Any], key: str) -> int | None:
    value = rules.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SegmentError(f"{key} must be a whole number of minor units (cents), not {value!r}")
    if value < 0:
        raise SegmentError(f"{key} must not be negative")
    return value


def _status(word: str) -> ShipmentStatus:
    try:
        return ShipmentStatus(word.lower())
    except ValueError:
        known = ", ".join(s.value for s in ShipmentStatus)
        raise SegmentError(f"unknown shipment status {word!r}; known: {known}") from None


def _customer(rules: Mapping[str, Any]) -> CustomerKind | None:
    word = _text(rules, "customer").lower()
    if not word:
        return None
    try:
        return CustomerKind(word)
    except ValueError:
        raise SegmentError(f"customer must be 'first' or 'repeat', not {word!r}") from None
