"""Text typed by shoppers (or sent in their name by a shop platform): cleaned when it comes
in, and isolated where it is shown beside other text.

``clean_text`` removes what nobody types on purpose and what can disguise text: control
characters (a NUL, a bell, an escape sequence), and the invisible bidi controls that reorder
what follows them (U+202E shows ``exe.txt`` as ``txt.exe``), with a few other invisible
formatting characters. Letters of every script stay, right-to-left ones included, and so do
the joiners some scripts and emoji need (U+200C, U+200D).

``isolate`` wraps text whose direction could leak into its surroundings in U+2068 … U+2069
(first-strong isolate … pop isolate): a Hebrew name in an English sentence, or an old stored
value that still carries an override, then cannot reorder the words around it. Text without
right-to-left letters or bidi controls is returned as it is.
"""

from __future__ import annotations

import re
import unicodedata

BIDI_CONTROLS = (
    "\u061c"  # Arabic letter mark
    "\u200e\u200f"  # left-to-right and right-to-left marks
    "\u202a-\u202e"  # embeddings, pop, overrides
    "\u2066-\u2069"  # isolates
)
"""Invisible characters that set or change the direction of the text around them (as
ranges in a regular expression's character class)."""
INVISIBLE_FORMAT = (
    "\u200b"  # zero width space
    "\u2060-\u2064"  # word joiner, invisible operators
    "\u206a-\u206f"  # deprecated shaping and digit controls
    "\ufeff"  # zero width no-break space (byte order mark)
    "\ufff9-\ufffb"  # interlinear annotation controls
)
"""Other invisible formatting characters, which only serve to disguise typed text."""
CONTROLS = "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f"
"""C0, DEL and C1 controls but tab and the line breaks (those are turned into \\n first)."""

_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_REMOVED = re.compile(f"[{CONTROLS}{BIDI_CONTROLS}{INVISIBLE_FORMAT}\ud800-\udfff]")
_SPACED = re.compile("[\n\t]")
_FIRST_STRONG_ISOLATE, _POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"
_NEEDS_ISOLATION = frozenset(
    {"R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
)


def clean_text(text: str, *, multiline: bool = False) -> str:
    """``text`` without control, bidi-control and invisible formatting characters (and
    lone surrogate halves, which cannot be stored as UTF-8).

    ``multiline``: line breaks (any kind) become ``\\n`` and tabs stay, as a comment needs;
    otherwise each line break or tab becomes a space, as a name or an address line needs.
    Cleaning twice changes nothing more."""
    if text.isprintable():  # the usual case, at C speed: none of the above is printable
        return text
    text = _LINE_BREAKS.sub("\n", text)
    if not multiline:
        text = _SPACED.sub(" ", text)
    return _REMOVED.sub("", text)


def isolate(text: str) -> str:
    """``text`` in a first-strong isolate when it has right-to-left letters or bidi
    controls (see the module); otherwise unchanged."""
    if any(unicodedata.bidirectional(char) in _NEEDS_ISOLATION for char in text):
        return f"{_FIRST_STRONG_ISOLATE}{text}{_POP_DIRECTIONAL_ISOLATE}"
    return text
