"""How deep a JSON body nests, counted before it is parsed.

Python's ``json`` recurses once per level, so a body nested 100,000 levels deep ends in a
``RecursionError`` (a 500) instead of a clean refusal. Bodies from outside (carrier pushes,
shop platform webhooks) are measured here first; no honest payload nests anywhere near
``MAX_DEPTH``.
"""

from __future__ import annotations

import re

MAX_DEPTH = 64
"""Levels of arrays and objects a body from outside may have."""

_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_too_deep(body: bytes, *, limit: int = MAX_DEPTH) -> bool:
    """True when arrays and objects in ``body`` open more than ``limit`` levels deep.

    Brackets inside strings do not count. The body need not be valid JSON: up to the
    point where a parser would give up, the count is exact, so no deep body gets through."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    brackets = _STRINGS.sub(b"", body).translate(None, _NOT_BRACKETS)
    depth = 0
    for char in brackets:
        if char in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False
