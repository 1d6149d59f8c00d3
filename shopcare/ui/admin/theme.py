"""The admin's colours: Quasar's defaults put white text on light blue, green and teal
(primary 3.1:1), which reads as disabled. Every pair here meets WCAG AA (4.5:1) with the text
Quasar puts on it: white, except on warning, where notifications and badges use dark text.

Dark mode keeps the same button colours (white text on them still reads) and lightens what
the colours write as text on the dark page (links, flat buttons, coloured labels), which at
their light-mode shades would be 2.5:1 on Quasar's #121212."""

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


ON_DARK_TEXT = {
    "primary": "#93c5fd",
    "secondary": "#5eead4",
    "accent": "#d8b4fe",
    "positive": "#86efac",
    "negative": "#fca5a5",
    "info": "#7dd3fc",
}
"""Dark mode's colours: light shades, read as text on the dark page (at least 7:1 on
#121212 and on the dark cards) and carrying dark text (``ON_LIGHT_SHADE``) as backgrounds."""
ON_LIGHT_SHADE = "#0f172a"
LINK = "#1d4ed8"
"""NiceGUI's links are #3b82f6 (3.7:1 on white)."""
MUTED = {"light": "#475569", "dark": "#cbd5e1"}
"""Secondary text (the ``text-gray-600`` hints, inactive steps) in each mode."""

DARK_BANNERS = {
    "amber": ("#422006", "#fef3c7"),
    "red": ("#450a0a", "#fee2e2"),
    "green": ("#052e16", "#dcfce7"),
}
"""The banners' light tints (bg-amber-50 ...) in dark mode: background and text."""

_CSS = "@layer overrides {\n%s\n}" % "\n".join(  # noqa: UP031 - braces in the CSS
    [
        f".nicegui-link {{ color: {LINK}; }}",
        f".text-gray-600, .text-gray-500 {{ color: {MUTED['light']} !important; }}",
        ".q-stepper__tab:not(.q-stepper__tab--active) .q-stepper__title"
        f" {{ color: {MUTED['light']}; }}",
        # dark mode: Quasar's colour variables become the light shades ...
        ".body--dark { "
        + " ".join(f"--q-{name}: {color} !important;" for name, color in ON_DARK_TEXT.items())
        + " }",
        # ... so what they fill carries dark text instead of white
        *(
            f".body--dark .bg-{name} {{ color: {ON_LIGHT_SHADE} !important; }}"
            for name in ON_DARK_TEXT
        ),
        ".body--dark .nicegui-link, .body--dark a:not(.q-btn)"
        f" {{ color: {ON_DARK_TEXT['primary']}; }}",
        ".body--dark .text-gray-600, .body--dark .text-gray-500"
        f" {{ color: {MUTED['dark']} !important; }}",
        ".body--dark .q-stepper__tab:not(.q-stepper__tab--active) .q-stepper__title"
        f" {{ color: {MUTED['dark']}; }}",
        *(
            f".body--dark [class*='bg-{tint}-'] {{ background-color: {back} !important;"
            f" color: {text} !important; }}"
            for tint, (back, text) in DARK_BANNERS.items()
        ),
    ]
)


def use_admin_colors() -> None:
    ui.colors(**ON_WHITE_TEXT, warning=WARNING)
    ui.add_css(_CSS)  # in NiceGUI's "overrides" layer: it must beat Quasar's !important text-white
