"""Fonts for names and addresses in any script, text measured in them, and text put in the
order it is drawn in.

DejaVu Sans (shipped in ``assets/fonts``, embedded as a subset) covers Latin, Cyrillic,
Greek, Hebrew, Arabic (with its joined letter forms), Armenian and Georgian. Chinese,
Japanese and Korean fall back, run by run, to the CID fonts every PDF reader knows by name
(STSong-Light, HeiseiKakuGo-W5, HYGothic-Medium): they add nothing to the wheel and a few
hundred bytes to a PDF, where an embeddable CJK TrueType (Droid Sans Fallback) weighs 4 MB,
takes ~90 ms to load and still lacks Hangul. The price: the CJK glyphs are drawn by the
reader's own Asian fonts.

A canvas draws characters left to right, one glyph each. ReportLab's own shaping lays
text out right to left only with its ``rlbidi`` package, which is not on PyPI; so
``visual`` prepares each line instead: arabic-reshaper picks each Arabic letter's joined
form (Arabic Presentation Forms, which DejaVu Sans has) and python-bidi orders the runs by
the Unicode Bidirectional Algorithm, so Latin parts (RMA numbers, SKUs) still read left to
right inside an Arabic line. Text extractors return the joined forms in logical order;
NFKC folds them back into the letters typed.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from arabic_reshaper import ArabicReshaper
from bidi import get_display
from bidi.mirror import MIRRORED
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

from shopcare.paths import assets_dir

REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
CHINESE, JAPANESE, KOREAN = "STSong-Light", "HeiseiKakuGo-W5", "HYGothic-Medium"
RESHAPER = ArabicReshaper(configuration={"delete_harakat": False, "ARABIC LIGATURE ALLAH": False})
"""Vowel marks kept (DejaVu Sans places them); no word ligature the font lacks."""


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


def _is_right_to_left(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("R", "AL")


@lru_cache(maxsize=4096)
def right_to_left(paragraph: str) -> bool:
    """Whether a paragraph reads right to left: its first strong letter does (UAX #9, P2-P3).
    Wrapped lines take their paragraph's direction, not their own first word's."""
    if paragraph.isascii():
        return False
    for char in paragraph:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return False


BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
"""Marks that steer the order of text and have no glyph: taken out once the order is set."""


def left_to_right(text: str) -> str:
    """``text`` kept in its own order inside a right-to-left line (UAX #9 isolate): an ISO
    date after Arabic words would otherwise print as 02-11-2026, its numbers read as
    Arabic and the hyphens between them as right to left."""
    return f"\u2066{text}\u2069"


@lru_cache(maxsize=4096)
def joined(text: str) -> str:
    """Arabic letters in the form their neighbours ask for (initial, medial, final, the
    lam-alef ligatures); a form the font lacks (some Urdu and Kurdish letters) stays the
    plain letter. Other text is returned as it is."""
    if text.isascii() or not any("\u0600" <= c <= "\u08ff" for c in text):
        return text
    covered = register_fonts()
    return "".join(
        c
        if ord(c) in covered or not 0xFB50 <= ord(c) <= 0xFEFF
        else unicodedata.normalize("NFKC", c)
        for c in RESHAPER.reshape(text)
    )


@lru_cache(maxsize=4096)
def visual(line: str, *, rtl: bool) -> str:
    """One line as it is drawn left to right: Arabic joined, right-to-left runs reversed and
    their brackets mirrored; ``rtl`` is the direction of the paragraph the line is from."""
    shaped = joined(line)
    if shaped.isascii() or not any(_is_right_to_left(c) for c in shaped):
        return shaped.translate(BIDI_CONTROLS)
    base = "R" if rtl else "L"
    return str(get_display(_mirrored(shaped, base=base), base_dir=base)).translate(BIDI_CONTROLS)


_LEVEL = re.compile(r"Level\(\s*(\d+),?\s*\)")


def _mirrored(text: str, *, base: str) -> str:
    """Brackets and guillemets that land in a right-to-left run swapped for their mirror
    image (UAX #9, rule L4), so "(أزرق)" does not print as ")أزرق(". python-bidi's Rust
    implementation leaves L4 out (its issue #25); its debug report gives the resolved
    level of each UTF-8 byte, odd for right to left. Swapping before reordering keeps the
    levels of typical text; a report that cannot be read leaves the text as it is."""
    if not any(c in MIRRORED for c in text):
        return text
    report = str(get_display(text, base_dir=base, debug=True))
    levels = [int(n) for n in _LEVEL.findall(report.partition("levels: [")[2].partition("]")[0])]
    if len(levels) != len(text.encode()):
        return text
    swapped, offset = [], 0
    for char in text:
        odd = levels[offset] % 2 == 1
        swapped.append(MIRRORED.get(char, char) if odd else char)
        offset += len(char.encode())
    return "".join(swapped)


@lru_cache(maxsize=16384)
def width(text: str, size: float, *, bold: bool = False) -> float:
    """Drawn width: Arabic measured in its joined forms, which are narrower or wider."""
    drawn = runs(joined(text).translate(BIDI_CONTROLS), bold=bold)
    return float(sum(pdfmetrics.stringWidth(r.text, r.font, size) for r in drawn))


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


def directed_wrap(
    text: str, max_width: float, size: float, *, bold: bool = False
) -> list[tuple[str, bool]]:
    """``wrap``, each line with whether its paragraph reads right to left (see ``visual``)."""
    return [
        (line, rtl)
        for paragraph in text.splitlines() or [""]
        for rtl in [right_to_left(paragraph)]
        for line in wrap(paragraph, max_width, size, bold=bold)
    ]


def shorten(text: str, max_width: float, size: float, *, bold: bool = False) -> str:
    """One line, cut with an ellipsis: for the compact label, where items are abbreviated."""
    if width(text, size, bold=bold) <= max_width:
        return text
    while text and width(text + "…", size, bold=bold) > max_width:
        text = text[:-1]
    return text.rstrip() + "…"
