"""Whatever a platform sends, the payload readers either give an OrderIn (or parcels) or
raise ValueError with a reason: never another exception, which would leave a webhook
delivery failed with an internal error instead of saying what was wrong."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shopcare.platforms.shopify_rest import fulfillment_from_shopify, order_from_shopify
from shopcare.platforms.woocommerce_orders import order_from_woocommerce

FIXTURES = Path(__file__).parent.parent / "fixtures" / "platforms"
SHOPIFY_ORDER = json.loads((FIXTURES / "shopify_order.json").read_text(encoding="utf-8"))
SHOPIFY_FULFILLMENT = json.loads(
    (FIXTURES / "shopify_fulfillment.json").read_text(encoding="utf-8")
)
WOOCOMMERCE_ORDER = json.loads((FIXTURES / "woocommerce_order.json").read_text(encoding="utf-8"))

TRICKY = st.sampled_from(
    ["Infinity", "NaN", "1e999999", "-5", "0", "1.5", "9999-12-31T23:59:59-01:00",
     "0001-01-01T00:00:00+01:00", "99999999999999999999", "2026-13-45", "", " ", "#", "."]
)  # fmt: skip
"""Values that look like numbers or dates but overflow, or are not quite either."""
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**15, max_value=10**40)
    | st.floats()
    | st.text(max_size=20)
    | TRICKY,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document a value could be swapped."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            found += _paths(inner, (*prefix, i))
    return found


def _replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(document)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


def mutations(document: dict[str, Any]) -> st.SearchStrategy[Any]:
    paths = _paths(document)
    return st.lists(st.tuples(st.sampled_from(paths), JSON), min_size=1, max_size=4).map(
        lambda swaps: _apply_all(document, swaps)
    )


def _apply_all(document: Any, swaps: list[tuple[tuple[Any, ...], Any]]) -> Any:
    for path, value in swaps:
        try:
            document = _replaced(document, path, value)
        except (KeyError, IndexError, TypeError):  # an earlier swap removed the place
            continue
    return document


def _only_value_errors(read: Any, payload: Any) -> None:
    try:
        read(payload)
    except ValueError as exc:
        assert str(exc)


@settings(max_examples=300, deadline=None)
@given(mutations(SHOPIFY_ORDER))
def test_a_shopify_order_in_any_shape_reads_or_says_why(payload: Any) -> None:
    _only_value_errors(order_from_shopify, payload)


@settings(max_examples=200, deadline=None)
@given(mutations(SHOPIFY_FULFILLMENT))
def test_a_shopify_fulfillment_in_any_shape_reads_or_says_why(payload: Any) -> None:
    _only_value_errors(fulfillment_from_shopify, payload)


@settings(max_examples=300, deadline=None)
@given(mutations(WOOCOMMERCE_ORDER))
def test_a_woocommerce_order_in_any_shape_reads_or_says_why(payload: Any) -> None:
    _only_value_errors(order_from_woocommerce, payload)


@settings(max_examples=100, deadline=None)
@given(JSON)
def test_any_json_at_all_reads_or_says_why(payload: Any) -> None:
    for read in (order_from_shopify, fulfillment_from_shopify, order_from_woocommerce):
        _only_value_errors(read, payload)
