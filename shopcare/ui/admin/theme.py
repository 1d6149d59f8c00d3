"""The admin's colours: Quasar's defaults put white text on light blue, green and teal
(primary 3.1:1), which reads as disabled. Every pair here meets WCAG AA (4.5:1) with the text
Quasar puts on it: white, except on warning, where notifications and badges use dark text."""

from __future__ import annotations

from nicegui import ui

ON_WHITE_TEXT = {
    "primary": "#1d4ed8",
    "secondary": "#0f766e",
    "accent": "#7e22ce",
    "dark": "#1e293b",
    "positive": "#15803d",
    "negative": "#b91c1c",
    "info": "#0369a1",
}
"""Colours that carry white text (buttons, badges, chips) and are also used as text on the
white page (flat buttons, links)."""
WARNING = "#f2c037"
"""Carries dark text: Quasar's warning notification does, and badges are given it."""
NEUTRAL_BADGE = "grey-8"
"""For neutral badges: Quasar's "grey" under white text is 2.7:1."""


def use_admin_colors() -> None:
    ui.colors(**ON_WHITE_TEXT, warning=WARNING)
