"""Segment rules for offers: each rule alone, rules together, the schedule's edges, reading
the stored JSON, and which offer wins."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopcare.domain.segments import (
    CustomerKind,
    OrderFacts,
    Schedule,
    Segment,
    SegmentError,
    first_match,
    live,
    matches,
    order_facts,
    parse_segment,
    segment_from_rules,
    segment_json,
)
from shopcare.domain.status import ShipmentStatus as S

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ORDER = order_facts(
    skus=["MUG-Sand", "TOWEL"],
    tags=["Kitchen", "gift"],
    total_minor=4850,
    currency="eur",
    country="de",
    statuses=[S.IN_TRANSIT, S.DELIVERED],
    repeat=False,
)


def seg(**rules: object) -> Segment:
    return segment_from_rules(rules)


@dataclass(frozen=True)
class Offer:
    id: int
    position: int = 0
    active: bool = True
    schedule: Schedule = field(default_factory=Schedule)
    segment: Segment = field(default_factory=Segment)


def test_an_empty_segment_is_for_everyone() -> None:
    assert matches(Segment(), ORDER)
    assert matches(parse_segment("{}"), OrderFacts())
    assert matches(parse_segment(""), ORDER)


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ({"skus": ["mug-sand"]}, True),
        ({"skus": ["POUR-SET", "towel"]}, True),
        ({"skus": ["POUR-SET"]}, False),
        ({"tags": ["KITCHEN"]}, True),
        ({"tags": ["coffee"]}, False),
        ({"total_min": 4850, "currency": "EUR"}, True),
        ({"total_min": 4851, "currency": "EUR"}, False),
        ({"total_max": 4850, "currency": "EUR"}, True),
        ({"total_max": 4849, "currency": "EUR"}, False),
        ({"total_min": 1000, "currency": "GBP"}, False),
        ({"currency": "eur"}, True),
        ({"countries": ["AT", "de"]}, True),
        ({"countries": ["FR"]}, False),
        ({"statuses": ["delivered"]}, True),
        ({"statuses": ["exception", "failed_attempt"]}, False),
        ({"customer": "first"}, True),
        ({"customer": "repeat"}, False),
    ],
)
def test_each_rule_alone(rules: dict[str, object], expected: bool) -> None:
    assert matches(seg(**rules), ORDER) is expected


def test_a_repeat_customer_matches_repeat_and_not_first() -> None:
    again = replace(ORDER, repeat=True)
    assert matches(seg(customer="repeat"), again)
    assert not matches(seg(customer="first"), again)


def test_all_given_rules_must_hold() -> None:
    both = seg(skus=["MUG-SAND"], countries=["DE"], statuses=["delivered"], customer="first")
    assert matches(both, ORDER)
    assert not matches(replace(both, countries=frozenset({"FR"})), ORDER)
    assert not matches(both, replace(ORDER, statuses=frozenset({S.IN_TRANSIT})))
    assert not matches(both, replace(ORDER, repeat=True))


def test_an_order_without_parcels_has_no_status_to_match() -> None:
    assert not matches(seg(statuses=["pending"]), replace(ORDER, statuses=frozenset()))


def test_the_schedule_starts_exactly_at_start_and_ends_just_before_end() -> None:
    week = Schedule(starts_at=NOW, ends_at=NOW + timedelta(days=7))
    assert not week.covers(NOW - timedelta(microseconds=1))
    assert week.covers(NOW)
    assert week.covers(NOW + timedelta(days=7) - timedelta(microseconds=1))
    assert not week.covers(NOW + timedelta(days=7))
    assert Schedule().covers(NOW)
    assert Schedule(ends_at=NOW + timedelta(seconds=1)).covers(datetime(2000, 1, 1, tzinfo=UTC))


def test_the_first_live_match_by_position_then_id_wins() -> None:
    offers = [
        Offer(id=5, position=2),
        Offer(id=4, position=1, segment=seg(countries=["FR"])),  # does not match
        Offer(id=3, position=2),
        Offer(id=2, position=0, active=False),  # switched off
        Offer(id=1, position=0, schedule=Schedule(starts_at=NOW + timedelta(hours=1))),
    ]
    chosen = first_match(offers, ORDER, now=NOW)
    assert chosen is not None and chosen.id == 3
    assert [o.id for o in live(offers, now=NOW)] == [4, 3, 5]
    later = first_match(offers, ORDER, now=NOW + timedelta(hours=1))
    assert later is not None and later.id == 1


def test_no_offer_matches_when_none_is_live() -> None:
    assert first_match([], ORDER, now=NOW) is None
    assert first_match([Offer(id=1, schedule=Schedule(ends_at=NOW))], ORDER, now=NOW) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1]", "must be a JSON object"),
        ("{", "not valid JSON"),
        ('{"sku": ["A"]}', "unknown rule 'sku'"),
        ('{"skus": "A"}', "skus must be a list of texts"),
        ('{"skus": [1]}', "skus must be a list of texts"),
        ('{"total_min": "12.50", "currency": "EUR"}', "total_min must be a whole number"),
        ('{"total_min": 12.5, "currency": "EUR"}', "total_min must be a whole number"),
        ('{"total_max": true, "currency": "EUR"}', "total_max must be a whole number"),
        ('{"total_min": -1, "currency": "EUR"}', "must not be negative"),
        ('{"total_min": 10, "total_max": 5, "currency": "EUR"}', "more than total_max"),
        ('{"total_min": 10}', "needs its currency"),
        ('{"currency": "EURO"}', "three-letter code"),
        ('{"countries": ["DEU"]}', "two-letter codes"),
        ('{"statuses": ["lost"]}', "unknown shipment status 'lost'"),
        ('{"customer": "new"}', "customer must be 'first' or 'repeat'"),
    ],
)
def test_bad_rules_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(SegmentError, match=message):
        parse_segment(text)


def test_empty_lists_mean_not_given() -> None:
    assert seg(skus=[], tags=["", " "], countries=None, customer="") == Segment()


def test_stored_json_is_stable_and_only_holds_given_rules() -> None:
    segment = seg(tags=["b", "A"], total_min=100, currency="eur", customer="repeat")
    assert segment_json(segment) == (
        '{"currency": "EUR", "customer": "repeat", "tags": ["a", "b"], "total_min": 100}'
    )
    assert segment_json(Segment()) == "{}"


statuses = st.frozensets(st.sampled_from(list(S)), max_size=3)
words = st.frozensets(st.sampled_from(["a", "b", "c", "mug"]), max_size=3)
segments = st.builds(
    Segment,
    skus=words,
    tags=words,
    total_min=st.none() | st.integers(0, 5000),
    currency=st.just("EUR"),
    countries=st.frozensets(st.sampled_from(["DE", "FR", "NL"]), max_size=2),
    statuses=statuses,
    customer=st.none() | st.sampled_from(list(CustomerKind)),
)
facts = st.builds(
    OrderFacts,
    skus=words,
    tags=words,
    total_minor=st.integers(0, 6000),
    currency=st.sampled_from(["EUR", "GBP"]),
    country=st.sampled_from(["DE", "FR", "NL", ""]),
    statuses=statuses,
    repeat=st.booleans(),
)


@given(segments)
def test_a_segment_survives_being_stored(segment: Segment) -> None:
    assert parse_segment(segment_json(segment)) == segment


@given(segments, facts, st.sampled_from(["skus", "tags", "countries", "customer"]))
def test_dropping_a_rule_never_loses_a_shopper(
    segment: Segment, order: OrderFacts, rule: str
) -> None:
    wider = replace(segment, **{rule: None if rule == "customer" else frozenset()})
    if matches(segment, order):
        assert matches(wider, order)
