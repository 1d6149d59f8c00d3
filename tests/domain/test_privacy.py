"""The pure rules behind erasure and retention (issue 15, §5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shopcare.domain.privacy import (
    ERASED,
    email_digest,
    redact,
    retention_cutoff,
    retention_problem,
    shopper_email,
)

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def test_an_address_is_searched_for_as_the_store_keeps_it() -> None:
    assert shopper_email("  Anna@Example.COM ") == "anna@example.com"
    assert shopper_email("") == ""
    assert shopper_email("anna at example") == ""


def test_the_erasure_hash_is_keyed_by_the_secret() -> None:
    one = email_digest("anna@example.com", secret="s1")
    assert one == email_digest("anna@example.com", secret="s1")
    assert one != email_digest("anna@example.com", secret="s2")
    assert len(one) == 64 and "anna" not in one


def test_redact_replaces_the_address_in_any_case_and_nothing_else() -> None:
    assert redact("Gift for ANNA@example.com, again anna@example.com", "anna@example.com") == (
        f"Gift for {ERASED}, again {ERASED}"
    )
    assert redact("a+b@x.org is not a.b@x.org", "a+b@x.org") == f"{ERASED} is not a.b@x.org"
    assert redact("nothing here", "anna@example.com") == "nothing here"


def test_zero_or_none_keeps_forever_and_days_count_back_from_now() -> None:
    assert retention_cutoff(0, now=NOW) is None
    assert retention_cutoff(None, now=NOW) is None
    assert retention_cutoff(30, now=NOW) == NOW - timedelta(days=30)
    assert retention_problem(0) == retention_problem(None) == retention_problem(365) == ""
    assert retention_problem(-1) and retention_problem(100_000)
