"""Settings groups (the shop profile, tracking, …) kept as one JSON row each.

Each group is a frozen dataclass with defaults, so a new field needs no migration: rows
written before it simply lack it, and unknown keys from newer versions are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, fields, replace
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Setting
from shopcare.services.secrets_at_rest.box import box_of

T = TypeVar("T")


_SHARED_MAX = 64
_shared: dict[tuple[type, str], Any] = {}
"""Groups already parsed, by their class and stored text: the shopper's pages read the shop
profile on every request. Keyed by the text itself, so any change to the row, by whatever
path, is a new key and never a stale answer; only immutable groups are shared."""


def load_group(session: Session, key: str, cls: type[T]) -> T:
    value = session.connection().execute(_VALUE, {"key": key}).scalar()
    return parse_group(cls, value or "")


_VALUE = sa.select(col(Setting.value)).where(col(Setting.key) == sa.bindparam("key"))


def parse_group(cls: type[T], value: str) -> T:
    """The group stored as ``value`` (JSON; "" for a group never saved)."""
    found = _shared.get((cls, value))
    if found is not None:
        return found  # type: ignore[no-any-return]
    stored: dict[str, Any] = json.loads(value) if value else {}
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    group = cls(**{k: v for k, v in stored.items() if k in known})
    if _immutable(group):
        if len(_shared) >= _SHARED_MAX:
            _shared.clear()
        _shared[(cls, value)] = group
    return group


def _immutable(group: object) -> bool:
    """A frozen dataclass whose values all hash (no lists or dicts a caller could change)."""
    params = getattr(group, "__dataclass_params__", None)
    if params is None or not params.frozen:
        return False
    try:
        hash(group)
    except TypeError:
        return False
    return True


def update_group(
    sessions: SessionFactory,
    key: str,
    cls: type[T],
    changes: dict[str, Any],
    *,
    check: Callable[[T], None],
    sealed: frozenset[str] = frozenset(),
) -> T:
    """Apply ``changes``; ``check`` raises InputError before anything is written. The
    ``sealed`` fields (secrets) are checked as given, then stored and returned sealed."""
    with transaction(sessions) as session:
        updated = replace(load_group(session, key, cls), **changes)  # type: ignore[type-var]
        check(updated)
        if sealed:
            box = box_of(session)
            updated = replace(updated, **{f: box.seal(getattr(updated, f)) for f in sealed})  # type: ignore[type-var]
        row = session.get(Setting, key) or Setting(key=key)
        row.value = json.dumps(asdict(updated))  # type: ignore[call-overload]
        session.add(row)
    return updated
