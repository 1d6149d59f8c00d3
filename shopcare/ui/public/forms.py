"""Reading posted forms on the public pages, and answering them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from python_multipart.multipart import parse_options_header
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import FormParser, MultiPartParser

from shopcare.domain.return_policy import MAX_PHOTO_BYTES, MAX_PHOTOS
from shopcare.ui.bodies import FORM_BODY, PHOTO_FORM_BODY, BodyTooLarge, capped_stream
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
    max_files: int = MAX_PHOTOS,
    max_file_size: int = MAX_PHOTO_BYTES,
    limit: int = PHOTO_FORM_BODY,
    csrf: bool = True,
) -> tuple[dict[str, str], list[tuple[str, str, bytes]]]:
    """Text fields and uploaded files as ``(field name, content type, bytes)``, CSRF-checked
    (``csrf=False`` for the admin's forms, which its gate checks by session and origin).
    Empty file inputs (the browser sends them when nothing was chosen) are skipped.

    Memory stays bounded: a body announced over ``limit`` is refused before it is read and
    a longer one is cut as it streams (``BodyTooLarge``, 413); the text fields together may
    have ``FORM_BODY`` bytes, as in any form; files past 1 MB wait on disk, and of each at
    most ``max_file_size + 1`` bytes are read, so the caller can still tell the shopper which
    photo was too big. A broken multipart body raises ``MultiPartException``."""
    kind, _ = parse_options_header(request.headers.get("content-type"))
    text_only = kind != b"multipart/form-data"  # then no more than any form
    stream = capped_stream(request, limit=FORM_BODY if text_only else limit)
    form = FormData()
    try:
        if kind == b"multipart/form-data":
            form = await _TextCappedParser(request.headers, stream, max_files=max_files).parse()
        elif kind == b"application/x-www-form-urlencoded":
            form = await FormParser(request.headers, stream).parse()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        files = []
        for name, value in form.multi_items():
            if isinstance(value, UploadFile) and value.filename:
                data = await value.read(max_file_size + 1)
                files.append((name, value.content_type or "", data))
    finally:
        await stream.aclose()
        await form.close()
    if csrf:
        check_csrf(request, fields)
    return fields, files


class _TextCappedParser(MultiPartParser):
    """Starlette's multipart parser, with the text parts capped together (``FORM_BODY``) and
    not only one by one: text is held in memory, files past 1 MB are not."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._text_size = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._current_part.file is None:  # a text field
            self._text_size += end - start
            if self._text_size > FORM_BODY:
                raise BodyTooLarge(FORM_BODY)
        super().on_part_data(data, start, end)


def prefix(request: Request) -> str:
    """The path prefix the site lives under behind a reverse proxy ("" at the root)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def see_other(request: Request, path: str) -> RedirectResponse:
    """Redirect after a successful post, to ``path`` under the site's prefix."""
    return RedirectResponse(prefix(request) + path, status_code=303)
