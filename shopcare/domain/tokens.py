"""The random tokens in shoppers' links (tracking, returns, feedback, unsubscribe, watches).

Spam filters score any word that looks like a Bitcoin address (+1.0 in SpamAssassin, on every
message carrying it): a 32-character URL-safe token is one about once in 600 draws. A token
is drawn again until no word in it could be one, so no link costs a shop's mail its score.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

TOKEN_BYTES = 24
"""192 bits: 32 URL-safe characters."""

_WORD = re.compile(r"[A-Za-z0-9_]+")
_LEGACY = re.compile(r"[13][a-km-zA-HJ-NP-Z1-9]{25,34}")
"""Base58 P2PKH/P2SH addresses, as filters match them: a whole word."""
_SEGWIT = re.compile(r"bc1[ac-hj-np-z02-9]{11,71}", re.IGNORECASE)


def looks_like_coin_address(text: str) -> bool:
    """Whether any word of ``text`` (letters, digits, underscores) has an address's shape."""
    return any(_LEGACY.fullmatch(word) or _SEGWIT.fullmatch(word) for word in _WORD.findall(text))


def public_token(draw: Callable[[int], str] = secrets.token_urlsafe) -> str:
    """A fresh token for a shopper's link; ``draw`` is the randomness (tests pass their own)."""
    while True:
        token = draw(TOKEN_BYTES)
        if not looks_like_coin_address(token):
            return token
