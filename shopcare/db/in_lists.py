"""``IN`` lists in a few lengths, so a query over a batch of ids is a few SQL texts, not one
per batch size.

SQLAlchemy writes ``id IN (?, ?, …)`` with one ``?`` per value, so every length is another
SQL text, and the SQLite driver keeps a prepared statement per text in each pooled
connection (its cache of 128, least recently used first out). A poll pass records its
answers in batches of any size up to 500, so the caches filled with statements of hundreds
of parameters (about 100 KiB each at 500) that were seldom used again: the server's memory
grew for as long as new sizes came (issue 15), and the statements the pages use were pushed
out and prepared anew. Padded to a power of two, the batch queries are ten texts each.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")

STEP = 1024
"""Up to this many values the length is rounded up to a power of two; above it, to a
multiple of it (so a long list is never padded by more than this)."""


def padded(values: Iterable[T]) -> list[T]:
    """``values`` as a list whose length is one of a few (1, 2, 4, … 1024, then multiples of
    1024), its last value repeated: an ``IN`` over it matches exactly the same rows. An
    empty list stays empty (SQLAlchemy writes its own "no rows" test for it)."""
    items = list(values)
    if not items:
        return items
    return items + [items[-1]] * (padded_length(len(items)) - len(items))


def padded_length(count: int) -> int:
    if count <= STEP:
        return 1 << (count - 1).bit_length()
    return -(-count // STEP) * STEP
