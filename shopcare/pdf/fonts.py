"""Fonts for names and addresses in any script, and text measured in them.

DejaVu Sans (shipped in ``assets/fonts``, embedded as a subset) covers Latin, Cyrillic,
Greek, Hebrew, Armenian and Georgian. Chinese, Japanese and Korean fall back, run by run,
to the CID fonts every PDF reader knows by name (STSong-Light, HeiseiKakuGo-W5,
HYGothic-Medium): they add nothing to the wheel and a few hundred bytes to a PDF, where an
embeddable CJK TrueType (Droid Sans Fallback) weighs 4 MB, takes ~90 ms to load and still
lacks Hangul. The price: the CJK glyphs are drawn by the reader's own Asian fonts.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache, lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

from shopcare.paths import assets_dir

REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
CHINESE, JAPANESE, KOREAN = "STSong-Light", "HeiseiKakuGo-W5", "HYGothic-Medium"


@dataclass(frozen=True)
class Run:
    font: str
    text: str


@cache
def register_fonts() -> frozenset[int]:
    """Once per process; returns the code points the embedded font covers."""
    folder = assets_dir() / "fonts"
    regular = TTFont(REGULAR, str(folder / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    for name in (CHINESE, JAPANESE, KOREAN):
        pdfmetrics.registerFont(UnicodeCIDFont(name))
    return frozenset(regular.face.charToGlyph)


def _is_hangul(code: int) -> bool:
    return 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F or 0xAC00 <= code <= 0xD7AF


def _is_kana(code: int) -> bool:
    return 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F


def _fallback(char: str, *, japanese: bool) -> str:
    code = ord(char)
    if _is_hangul(code):
        return KOREAN
    if japanese or _is_kana(code):
        return JAPANESE
    return CHINESE


@lru_cache(maxsize=4096)
def runs(text: str, *, bold: bool = False) -> tuple[Run, ...]:
    """Split ``text`` into runs of one font each: the embedded one wherever it has the glyph.

    Han characters in a text with kana are taken as Japanese (their shapes differ from the
    Chinese ones); spaces stay in the current run so CJK words are not split by fonts.
    Cached: a batch repeats the same labels and addresses, and wrapping measures prefixes.
    """
    covered = register_fonts()
    main = BOLD if bold else REGULAR
    japanese = any(_is_kana(ord(c)) for c in text)
    fonts: list[str] = []
    for char in text:
        if char == " " and fonts:
            fonts.append(fonts[-1])
        elif ord(char) < 0x2E80 or ord(char) in covered:
            fonts.append(main)
        else:
            fonts.append(_fallback(char, japanese=japanese))
    found, start = [], 0
    for font, group in itertools.groupby(fonts):
        length = len(list(group))
        found.append(Run(font, text[start : start + length]))
        start += length
    return tuple(found)


@lru_cache(maxsize=16384)
def width(text: str, size: float, *, bold: bool = False) -> float:
    return float(sum(pdfmetrics.stringWidth(r.text, r.font, size) for r in runs(text, bold=bold)))


def wrap(text: str, max_width: float, size: float, *, bold: bool = False) -> list[str]:
    """Lines no wider than ``max_width``: at spaces where possible, else inside a word
    (long SKUs, URLs and CJK text have no spaces). Newlines in ``text`` are kept."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if width(candidate, size, bold=bold) <= max_width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for char in word:
                if line and width(line + char, size, bold=bold) > max_width:
                    lines.append(line)
                    line = ""
                line += char
        lines.append(line)
    return lines


def shorten(text: str, max_width: float, size: float, *, bold: bool = False) -> str:
    """One line, cut with an ellipsis: for the compact label, where items are abbreviated."""
    if width(text, size, bold=bold) <= max_width:
        return text
    while text and width(text + "…", size, bold=bold) > max_width:
        text = text[:-1]
    return text.rstrip() + "…"
