"""The API's error answers: 422 in FastAPI's own shape (a list of problems, each with the
field path), so a caller parses one shape whether Pydantic or a rule refused the input."""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError

from shopcare.ui.api.schemas import Problem

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem}}
COMMON: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body is not JSON."},
    401: {"model": Problem, "description": "No key, a wrong key, or a revoked one."},
    413: {"model": Problem, "description": "The body is over 1 MB."},
}


def invalid(where: tuple[str, ...], message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": where, "msg": message, "type": "value_error"}])
