"""Shopper link tokens never carry a word shaped like a Bitcoin address (spam filters score
it on every message)."""

import base64
import random

import pytest

from shopcare.domain.tokens import looks_like_coin_address, public_token

ADDRESSES = [
    "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",  # P2PKH
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",  # P2SH
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",  # bech32
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_an_address_is_recognised_as_a_whole_word_inside_a_token(address: str) -> None:
    assert looks_like_coin_address(address)
    assert looks_like_coin_address(f"Ab-{address}-x")  # "-" ends a word, as in filters
    assert not looks_like_coin_address(f"Ab{address}")  # part of a longer word: no match
    broken = address[:6] + ("b" if address.startswith("bc1") else "0") + address[7:]
    assert not looks_like_coin_address(broken)  # b is not bech32, 0 not base58


def test_a_coin_like_draw_is_drawn_again() -> None:
    draws = iter([f"x-{ADDRESSES[0]}", "plain-token-with-no-address-shape"])
    assert public_token(lambda _n: next(draws)) == "plain-token-with-no-address-shape"


def test_tokens_are_32_url_safe_characters_and_never_coin_like() -> None:
    tokens = {public_token() for _ in range(5000)}
    assert len(tokens) == 5000
    assert all(len(t) == 32 and not looks_like_coin_address(t) for t in tokens)


def test_plain_url_safe_tokens_do_look_like_one_now_and_then() -> None:
    """Why the check exists: raw draws do, about one in 600 (seeded, so the count is fixed)."""
    rng = random.Random(600)
    raw = [base64.urlsafe_b64encode(rng.randbytes(24)).decode() for _ in range(20000)]
    hits = sum(looks_like_coin_address(t) for t in raw)
    assert 10 < hits < 100
