"""Rules for the shop's look on the shopper pages: colours that stay readable, a font stack
and custom CSS that cannot break out of the page's ``<style>`` element, and links that can
only lead to https pages.

The owner is trusted with the look, but a typo must not make the page unreadable for a
shopper, and nothing pasted into the admin may turn into markup or script on the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

Link = tuple[str, str]
"""(label, https URL)."""
Question = tuple[str, str]
"""(question, answer)."""

MIN_CONTRAST = 4.5
"""WCAG 2.x AA for normal text."""
MAX_LINKS = 8
MAX_FAQ = 12
MAX_CSS_BYTES = 20 * 1024
MAX_FOOTER = 1000
DEFAULT_FONT_STACK = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
_FONT_STACK = re.compile(r"[A-Za-z0-9 ,'\"-]{1,200}")
_URL = re.compile(r"https://[^\s\"'<>`\\]{3,490}")


class BrandingError(ValueError):
    """The owner's branding cannot be used; the message says what to change."""


def is_hex_color(value: str) -> bool:
    return bool(_HEX.fullmatch(value))


def check_color(value: str, what: str) -> None:
    if not is_hex_color(value):
        raise BrandingError(f"The {what} must be a colour like #2563eb, not {value!r}.")


def _channels(color: str) -> tuple[int, int, int]:
    digits = color[1:]
    if len(digits) == 3:
        digits = "".join(2 * d for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _luminance(color: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else float(((c + 0.055) / 1.055) ** 2.4)

    red, green, blue = (linear(c) for c in _channels(color))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two ``#rgb``/``#rrggbb`` colours, from 1 to 21."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def check_contrast(foreground: str, background: str, what: str) -> None:
    ratio = contrast_ratio(foreground, background)
    if ratio < MIN_CONTRAST:
        raise BrandingError(
            f"{what}: {foreground} on {background} has a contrast of {ratio:.1f}:1; it needs at "
            f"least {MIN_CONTRAST}:1 to be readable. Pick a darker or lighter colour."
        )


def readable_on(background: str, preferred: str, fallback: str) -> str:
    """``preferred`` when it is readable on ``background``, else ``fallback`` (links in the
    brand colour, unless the brand colour is too light to read as text)."""
    ok = contrast_ratio(preferred, background) >= MIN_CONTRAST
    return preferred if ok else fallback


def check_font_stack(value: str) -> None:
    if not _FONT_STACK.fullmatch(value):
        raise BrandingError(
            "The font list may hold only letters, digits, spaces, commas, quotes and hyphens, "
            'e.g. Georgia, "Times New Roman", serif.'
        )


def check_url(value: str, what: str) -> None:
    if not _URL.fullmatch(value):
        raise BrandingError(f"The {what} must be a full https:// address, not {value!r}.")


def check_links(links: Iterable[Link], what: str) -> None:
    links = list(links)
    if len(links) > MAX_LINKS:
        raise BrandingError(f"At most {MAX_LINKS} {what}, please ({len(links)} given).")
    for label, url in links:
        if not label.strip() or len(label) > 60:
            raise BrandingError(f"Each of the {what} needs a label of 1 to 60 characters.")
        check_url(url, f"address of {label!r}")


def parse_links(text: str, what: str) -> tuple[Link, ...]:
    """One link a line, the label then the address: ``Instagram https://instagram.com/x``
    (a ``|`` between them is allowed)."""
    links = []
    for line in text.splitlines():
        if not line.strip():
            continue
        label, _, url = line.strip().rpartition(" ")
        label = label.strip().rstrip("|").strip()
        if not label:
            raise BrandingError(f"Write each of the {what} as a label, a space and the address.")
        links.append((label, url.strip()))
    check_links(links, what)
    return tuple(links)


def links_text(links: Iterable[Link]) -> str:
    return "\n".join(f"{label} {url}" for label, url in links)


def parse_faq(text: str) -> tuple[Question, ...]:
    """Questions and answers separated by blank lines; the first line of each is the question."""
    entries = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        if not block.strip():
            continue
        question, _, answer = block.strip().partition("\n")
        if not answer.strip():
            raise BrandingError(f"The question {question.strip()!r} has no answer below it.")
        entries.append((question.strip(), answer.strip()))
    check_faq(entries)
    return tuple(entries)


def check_faq(entries: Iterable[Question]) -> None:
    entries = list(entries)
    if len(entries) > MAX_FAQ:
        raise BrandingError(f"At most {MAX_FAQ} questions, please ({len(entries)} given).")
    for question, answer in entries:
        if not 1 <= len(question) <= 200 or not 1 <= len(answer) <= 2000:
            raise BrandingError("Each question may be up to 200 characters, each answer 2000.")


def faq_text(entries: Iterable[Question]) -> str:
    return "\n\n".join(f"{question}\n{answer}" for question, answer in entries)


def style_text(css: str) -> str:
    """CSS made safe to place inside ``<style>`` whatever was stored: ``<`` cannot start a
    tag (CSS reads ``\\3c `` as the same character inside strings)."""
    return css.replace("<", "\\3c ")
