"""Query and path parameters every ``/api/v1`` list and read shares, declared once."""

from typing import Annotated

from fastapi import Path, Query

from shopcare.services.api.paging import MAX_LIMIT

RowId = Annotated[int, Path(ge=1, le=2**53)]
# A cursor is only ever one the API handed out, never empty: ``?cursor=`` is a client bug
# (a template that lost its value), answered as one rather than read as "the first page".
Cursor = Annotated[str | None, Query(min_length=1, max_length=200)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
