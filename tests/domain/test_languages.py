"""Which language a shopper gets: the first they ask for that the shop offers, else the
shop's fallback; never one the shop left out."""

from __future__ import annotations

import pytest

from shopcare.domain.languages import (
    SHIPPED,
    accept_language,
    offer_problem,
    pick_language,
)

GERMAN_DUTCH = ("de", "nl")


def test_the_browser_gets_its_best_offered_language() -> None:
    header = "fr-FR, fr;q=0.9, nl;q=0.5, de;q=0.4"
    assert accept_language(header) == "fr"  # every shipped language offered
    assert accept_language(header, offered=GERMAN_DUTCH) == "nl"
    assert accept_language("fr, es;q=0.8", offered=GERMAN_DUTCH) is None
    assert accept_language("nl;q=0, de", offered=GERMAN_DUTCH) == "de"


@pytest.mark.parametrize(
    ("wanted", "picked"),
    [
        (["nl-BE"], "nl"),  # offered, by its language
        (["fr", "nl"], "nl"),  # the first one offered wins
        (["fr"], "de"),  # shipped but not offered: the fallback
        (["ja"], "de"),  # not shipped at all: the fallback
        ([None, ""], "de"),  # nothing asked
        (["fr_CA", None, "NL"], "nl"),
    ],
)
def test_a_language_not_offered_gives_way_to_the_next_then_the_fallback(
    wanted: list[str | None], picked: str
) -> None:
    assert pick_language(wanted, offered=GERMAN_DUTCH, fallback="de") == picked


def test_a_fallback_the_shop_does_not_offer_gives_way_to_an_offered_language() -> None:
    """A store edited by hand can hold one; the shopper still gets an offered language."""
    assert pick_language(["en"], offered=("nl", "ar"), fallback="en") == "nl"
    assert pick_language([], offered=SHIPPED, fallback="en") == "en"


@pytest.mark.parametrize(
    ("offered", "fallback", "problem"),
    [
        (("de", "nl"), "de", None),
        ((), "en", "at least one language"),
        (("de", "ja"), "de", "no shopper pages in 'ja'"),
        (("de", "nl"), "en", "the fallback language 'en' must be one the shop offers"),
    ],
)
def test_an_offer_needs_a_shipped_language_and_its_fallback(
    offered: tuple[str, ...], fallback: str, problem: str | None
) -> None:
    found = offer_problem(offered, fallback)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found
