"""Reading posted forms on the public pages, and answering them."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile

from shopcare.ui.public.csrf import check_csrf, keyed_by


def shopper_router(secret: str) -> APIRouter:
    """Every public router is made here, so every page can render forms with a CSRF token."""
    return APIRouter(include_in_schema=False, dependencies=[keyed_by(secret)])  # type: ignore[list-item]


async def form_fields(request: Request, *, csrf: bool = True) -> dict[str, str]:
    """Text fields of a posted form; a file where text belongs is ignored. Raises
    ``CsrfRejected`` unless the form carries this browser's token (``csrf=False`` only for
    posts that come from mail providers, such as RFC 8058 one-click unsubscribe)."""
    async with request.form() as form:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if csrf:
        check_csrf(request, fields)
    return fields


async def form_with_files(
    request: Request,
    *,
    max_files: int = 5,
    max_part_size: int = 1024 * 1024,
    max_file_size: int = 8 * 1024 * 1024,
) -> tuple[dict[str, str], list[tuple[str, str, bytes]]]:
    """Text fields and uploaded files as ``(field name, content type, bytes)``, CSRF-checked.
    Empty file inputs (the browser sends them when nothing was chosen) are skipped.

    Memory stays bounded: a body announced larger than ``max_files`` full files is refused
    before it is read (413), and of each file at most ``max_file_size + 1`` bytes are read,
    so the caller can still tell the shopper which photo was too big."""
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > max_files * max_file_size + max_part_size:
        raise HTTPException(status_code=413, detail="upload too large")
    async with request.form(max_files=max_files, max_part_size=max_part_size) as form:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        files = []
        for name, value in form.multi_items():
            if isinstance(value, UploadFile) and value.filename:
                data = await value.read(max_file_size + 1)
                files.append((name, value.content_type or "", data))
    check_csrf(request, fields)
    return fields, files


def prefix(request: Request) -> str:
    """The path prefix the site lives under behind a reverse proxy ("" at the root)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def see_other(request: Request, path: str) -> RedirectResponse:
    """Redirect after a successful post, to ``path`` under the site's prefix."""
    return RedirectResponse(prefix(request) + path, status_code=303)
