"""Schemathesis against the API's own OpenAPI document, in-process (ASGI), with a valid key:
no generated request may get a 5xx, and every answer must match the schema it documents.

The store holds the demo shop, an order with a parcel that moved, a return and a feedback
answer, plus the orders the POST examples make, so reads find rows as well as miss them.
Examples are bounded so the run stays about a minute on a shared two-core machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.parameters import ParameterLocation

from shopcare.app import ShopCare, build
from shopcare.config import load_settings, with_public_url
from shopcare.services.accounts.api_keys import create_key
from shopcare.ui.api.app import api_app
from tests.api.conftest import seed_history
from tests.conftest import PUBLIC_URL, FakeClock

MAX_EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    negative_data_rejection,
]
"""Not ``positive_data_acceptance``: a schema-valid request may still break a rule the schema
cannot say (a cursor this API never gave, an order number of another platform order); and
not ``allow_header_conformance``: Starlette's 405 names the methods of one route only."""


@dataclass(frozen=True)
class Target:
    app: FastAPI
    key: str


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """One demo shop for every operation: building it takes seconds, and orders the POST
    examples create make the reads' examples find more."""
    data_dir = tmp_path_factory.mktemp("schemathesis")
    config = with_public_url(load_settings({}, data_dir=str(data_dir)), PUBLIC_URL)
    shop = build(config, clock=FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC)), demo=True)
    seed_history(shop)
    key = create_key(shop.sessions, "schemathesis", now=shop.clock()).key
    yield Target(api_app(shop), key)
    shop.engine.dispose()


# Only the OpenAPI document is read from this app (routes would need a store): each example
# is sent to the test's own app (``app=``), built on the test's own data dir.
schema = schemathesis.openapi.from_asgi("/openapi.json", api_app(cast("ShopCare", None)))


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: a gate, not a lottery
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_request_gets_a_server_error_and_every_answer_matches_the_schema(
    case: schemathesis.Case[Any], target: Target
) -> None:
    case.call_and_validate(
        app=target.app, headers=_key_unless_dropped(case, target.key), checks=CHECKS
    )


def _key_unless_dropped(case: schemathesis.Case[Any], key: str) -> dict[str, str]:
    """The valid key in place of the generated one, except where a negative example left
    the header out on purpose: adding it back would turn the example valid, and refusing
    nothing would then be reported as accepting invalid data."""
    dropped = (
        case.meta is not None
        and case.meta.is_negative_at(ParameterLocation.HEADER)
        and not any(name.lower() == "authorization" for name in case.headers or {})
    )
    return {} if dropped else {"Authorization": f"Bearer {key}"}
