"""Paging for the API's lists: pages of at most ``MAX_LIMIT`` rows and opaque cursors (the
last row's sort key, JSON in URL-safe base64), refused with InputError when they are not
ones this API gave out."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlmodel import Session, col

from shopcare.db.models import Feedback, ReturnRequest, Shipment
from shopcare.services.errors import InputError

MAX_LIMIT = 200

T = TypeVar("T")
R = TypeVar("R", Shipment, ReturnRequest, Feedback)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, shape: tuple[type, ...]) -> list[Any]:
    """The values a cursor carries, or InputError when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise InputError("cursor is not one this API gave out") from error
    if not isinstance(values, list) or len(values) != len(shape):
        raise InputError("cursor is not one this API gave out")
    pairs = zip(values, shape, strict=True)
    if not all(isinstance(v, t) and not isinstance(v, bool) for v, t in pairs):
        raise InputError("cursor is not one this API gave out")
    return values


def page_by_id(
    session: Session, query: Any, table: type[R], *, cursor: str | None, limit: int
) -> tuple[list[R], str | None]:
    key = col(table.id)
    if cursor:
        (last_id,) = decode_cursor(cursor, shape=(int,))
        query = query.where(key > last_id)
    rows = list(session.exec(query.order_by(key).limit(bounded(limit) + 1)).all())
    if len(rows) > bounded(limit):
        rows = rows[: bounded(limit)]
        return rows, encode_cursor([rows[-1].id])
    return rows, None


def bounded(limit: int) -> int:
    return max(1, min(limit, MAX_LIMIT))
