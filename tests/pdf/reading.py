"""Read a PDF the way the outside world does: poppler renders and extracts it, zbar scans
the barcodes on the rendered pages (Debian poppler-utils and zbar-tools)."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


def text(pdf: bytes) -> str:
    return _run(["pdftotext", "-layout", "-", "-"], pdf).decode()


EMBEDDING_MARKS = dict.fromkeys(range(0x202A, 0x202F), " ")


def logical_words(pdf: bytes) -> list[str]:
    """The words as typed: pdftotext returns Arabic in logical order but in the joined
    letters drawn (Arabic Presentation Forms, which NFKC folds back into the letters), and
    wraps right-to-left lines and the Latin runs inside them in embedding marks, which can
    carry a neighbouring space; the marks are dropped."""
    return unicodedata.normalize("NFKC", text(pdf)).translate(EMBEDDING_MARKS).split()


def reads(words: list[str], phrase: str) -> bool:
    """``phrase``'s words appear one after the other in ``words``."""
    wanted = phrase.split()
    return any(words[i : i + len(wanted)] == wanted for i in range(len(words)))


def page_texts(pdf: bytes) -> list[str]:
    """Page by page: pdftotext separates pages with a form feed."""
    return text(pdf).split("\f")[:-1]


def scan_pages(pdf: bytes, folder: Path) -> list[set[tuple[str, str]]]:
    """Every page rendered at 200 dpi and scanned: per page, the (symbology, value) found."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "doc.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", str(folder / "doc.pdf"), str(folder / "page")],
        check=True,
        timeout=120,
    )
    found = []
    for png in sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[1])):
        result = subprocess.run(
            ["zbarimg", "--quiet", str(png)], capture_output=True, text=True, timeout=60
        )
        lines = [line.partition(":") for line in result.stdout.splitlines() if ":" in line]
        found.append({(kind, value) for kind, _, value in lines})
    return found


def words(pdf: bytes) -> tuple[list[tuple[float, float]], list[Word]]:
    """Page sizes and every word's box, from ``pdftotext -bbox``."""
    html = _run(["pdftotext", "-bbox", "-", "-"], pdf).decode()
    sizes = [
        (float(w), float(h))
        for w, h in re.findall(r'<page width="([\d.]+)" height="([\d.]+)"', html)
    ]
    found = []
    for page, body in enumerate(html.split("<page ")[1:]):
        for x1, y1, x2, y2, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
            body,
        ):
            found.append(Word(page, word, float(x1), float(y1), float(x2), float(y2)))
    return sizes, found


def overlaps(a: Word, b: Word, *, slack: float = 0.5) -> bool:
    return (
        a.page == b.page
        and a.x_min + slack < b.x_max
        and b.x_min + slack < a.x_max
        and a.y_min + slack < b.y_max
        and b.y_min + slack < a.y_max
    )


def _run(command: list[str], data: bytes) -> bytes:
    return subprocess.run(command, input=data, capture_output=True, check=True, timeout=60).stdout
