"""The shopper site's look, on the Shop page: icon, colours, fonts, header and social links,
footer, FAQ and custom CSS. The logo and brand colour are the shop's (shared with emails)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from shopcare.domain.branding import faq_text, links_text
from shopcare.services.errors import InputError
from shopcare.services.shop.profile import ShopProfile, get_profile
from shopcare.services.shopper_site.branding import save_branding

if TYPE_CHECKING:
    from shopcare.app import ShopCare

COLORS: tuple[tuple[str, str], ...] = (
    ("button_text_color", "Button text colour (on the brand colour)"),
    ("text_color", "Text colour"),
    ("background_color", "Background colour"),
)
AREAS: tuple[tuple[str, str, str], ...] = (
    ("header_links", "Header links", "One a line: label, space, https:// address (at most 8)"),
    ("social_links", "Social links", "One a line: Instagram https://instagram.com/yourshop"),
    ("footer_text", "Footer text", "Shown at the bottom of every page, as plain text"),
    (
        "faq",
        "Questions and answers",
        "Question on one line, the answer below, a blank line between; empty: our defaults",
    ),
    (
        "custom_css",
        "Custom CSS (optional, up to 20 KB)",
        "Styles only: no @import, url() or [attribute] selectors, no backslashes",
    ),
)


class SiteLookForm:
    def __init__(self, shopcare: ShopCare) -> None:
        self.shopcare = shopcare
        profile = get_profile(shopcare.sessions)
        with ui.card().classes("w-full"):
            ui.label("Tracking page look").classes("text-lg font-semibold")
            with ui.grid(columns=2).classes("w-full"):
                self.favicon = ui.input("Icon address (optional)", value=profile.favicon_url)
                self.favicon.props["hint"] = "An https:// address of a .png, .ico or .svg"
                self.favicon.mark("site-favicon-url")
                self.font = ui.input("Fonts", value=profile.font_stack).mark("site-font-stack")
                self.font.props["hint"] = 'Installed fonts only, e.g. Georgia, "Times New Roman"'
                self.colors = {
                    name: ui.color_input(label, value=getattr(profile, name), preview=True).mark(
                        f"site-{name.replace('_', '-')}"
                    )
                    for name, label in COLORS
                }
            self.areas: dict[str, ui.textarea] = {}
            for name, label, hint in AREAS:
                area = ui.textarea(label, value=self._text(profile, name)).classes("w-full")
                area.props["hint"] = hint
                self.areas[name] = area.mark(f"site-{name.replace('_', '-')}")
            self.show_faq = ui.checkbox("Show questions and answers", value=profile.show_faq)
            self.show_faq.mark("site-show-faq")
            ui.button("Save look", on_click=self.save).mark("save-site-look")

    @staticmethod
    def _text(profile: ShopProfile, name: str) -> str:
        if name in ("header_links", "social_links"):
            return links_text(getattr(profile, name))
        if name == "faq":
            return faq_text(profile.faq)
        return str(getattr(profile, name))

    def save(self) -> None:
        texts = {name: area.value or "" for name, area in self.areas.items()}
        try:
            save_branding(
                self.shopcare.sessions,
                favicon_url=self.favicon.value or "",
                font_stack=self.font.value or "",
                show_faq=bool(self.show_faq.value),
                **{name: field.value or "" for name, field in self.colors.items()},
                **texts,
            )
        except InputError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        ui.notify("Look saved", type="positive")
