"""Photos a shopper attaches to a return: checked by their first bytes (a name or a
Content-Type header says nothing), kept in the data dir under a random name, never served on
the public site."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shopcare.domain.return_policy import MAX_PHOTO_BYTES, MAX_PHOTOS, Problem, RequestProblem

PHOTO_DIR = "return-photos"
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})


@dataclass(frozen=True)
class PhotoUpload:
    name: str
    data: bytes


@dataclass(frozen=True)
class StoredPhoto:
    stored_name: str
    content_type: str
    size: int


def sniff(data: bytes) -> str | None:
    """The image type the bytes really are, among the ones phones make; None otherwise."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "image/heic"
    return None


def photo_problems(photos: Sequence[PhotoUpload]) -> list[RequestProblem]:
    """``limit`` on a photo's problem is its position (1-based), so the page can say which."""
    problems = []
    if len(photos) > MAX_PHOTOS:
        problems.append(RequestProblem(Problem.TOO_MANY_PHOTOS, limit=MAX_PHOTOS))
    for number, photo in enumerate(photos, start=1):
        if len(photo.data) > MAX_PHOTO_BYTES:
            problems.append(RequestProblem(Problem.PHOTO_TOO_LARGE, limit=number))
        elif sniff(photo.data) is None:
            problems.append(RequestProblem(Problem.PHOTO_TYPE, limit=number))
    return problems


def store_photos(directory: Path, photos: Sequence[PhotoUpload]) -> list[StoredPhoto]:
    """Written before the return commits; the caller removes them if it does not."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stored = []
    for photo in photos:
        content_type = sniff(photo.data)
        assert content_type is not None  # checked by photo_problems
        name = f"{secrets.token_hex(16)}.{content_type.removeprefix('image/')}"
        (directory / name).write_bytes(photo.data)
        stored.append(StoredPhoto(name, content_type, len(photo.data)))
    return stored


def remove_photos(directory: Path, stored: Sequence[StoredPhoto]) -> None:
    for photo in stored:
        (directory / photo.stored_name).unlink(missing_ok=True)
