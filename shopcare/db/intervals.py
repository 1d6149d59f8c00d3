"""Whole days between two stored times, computed by the database (SQLite or PostgreSQL), so
the dashboard groups a year of returns or orders by days in SQL instead of in Python."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class whole_days_between(FunctionElement[int]):
    """``whole_days_between(start, end)``: full days elapsed from ``start`` to ``end``
    (2 days 23 hours is 2), NULL when either is NULL."""

    type = sa.Integer()
    inherit_cache = True
    name = "whole_days_between"


@compiles(whole_days_between, "sqlite")
def _sqlite(element: whole_days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"


@compiles(whole_days_between, "postgresql")
def _postgresql(element: whole_days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(TRUNC(EXTRACT(EPOCH FROM ({end}) - ({start})) / 86400) AS INTEGER)"
