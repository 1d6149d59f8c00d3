"""Reading posted forms on the public pages."""

from __future__ import annotations

from fastapi import Request


async def form_fields(request: Request) -> dict[str, str]:
    """Text fields of a posted form; a file where text belongs is ignored."""
    async with request.form() as form:
        return {k: v for k, v in form.items() if isinstance(v, str)}
