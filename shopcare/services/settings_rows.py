"""Settings groups (the shop profile, tracking, …) kept as one JSON row each.

Each group is a frozen dataclass with defaults, so a new field needs no migration: rows
written before it simply lack it, and unknown keys from newer versions are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, fields, replace
from typing import Any, TypeVar

from sqlmodel import Session

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Setting

T = TypeVar("T")


def load_group(session: Session, key: str, cls: type[T]) -> T:
    row = session.get(Setting, key)
    stored: dict[str, Any] = json.loads(row.value) if row else {}
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in stored.items() if k in known})


def update_group(
    sessions: SessionFactory,
    key: str,
    cls: type[T],
    changes: dict[str, Any],
    *,
    check: Callable[[T], None],
) -> T:
    """Apply ``changes``; ``check`` raises InputError before anything is written."""
    with transaction(sessions) as session:
        updated = replace(load_group(session, key, cls), **changes)  # type: ignore[type-var]
        check(updated)
        row = session.get(Setting, key) or Setting(key=key)
        row.value = json.dumps(asdict(updated))  # type: ignore[call-overload]
        session.add(row)
    return updated
