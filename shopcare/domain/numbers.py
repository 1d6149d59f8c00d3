"""Whole numbers typed or posted by someone outside: read strictly or not at all.

``int()`` takes more than a form should: other scripts' digits (``'٣'``), ``'²'`` (which
``str.isdigit`` calls a digit, but ``int`` refuses), signs, underscores, and thousands of
digits; and a number past SQLite's 64 bits fails only deep in the store. One reader for
every such field keeps those out before they reach a rule or a query.
"""

from __future__ import annotations

MAX_ROW_ID = 2**63 - 1
"""The largest id SQLite stores: anything above cannot name a row."""


def parse_whole(text: str, *, maximum: int = MAX_ROW_ID) -> int | None:
    """``text`` as a number from 0 to ``maximum`` written in ASCII digits (surrounding
    spaces allowed); None for anything else, so the caller answers with its own message."""
    value = text.strip()
    if not value or len(value) > len(str(maximum)) or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= maximum else None
