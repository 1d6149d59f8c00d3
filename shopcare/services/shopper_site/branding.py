"""The owner edits the site's look as plain text fields; this turns them into the shop
profile's branding, checked before anything is stored."""

from __future__ import annotations

from shopcare.db.engine import SessionFactory
from shopcare.domain.branding import BrandingError, parse_faq, parse_links
from shopcare.services.errors import InputError
from shopcare.services.shop.profile import ShopProfile, update_profile

TEXT_FIELDS = (
    "favicon_url",
    "brand_color",
    "button_text_color",
    "text_color",
    "background_color",
    "font_stack",
    "footer_text",
    "custom_css",
)


def save_branding(
    sessions: SessionFactory,
    *,
    header_links: str = "",
    social_links: str = "",
    faq: str = "",
    show_faq: bool = True,
    **texts: str,
) -> ShopProfile:
    """The whole branding form: ``header_links``/``social_links`` hold one "Label https://…"
    a line, ``faq`` the questions and answers separated by blank lines (empty: the default
    questions). Raises InputError with what to fix; nothing is stored then."""
    unknown = set(texts) - set(TEXT_FIELDS)
    if unknown:
        raise InputError(f"unknown branding fields: {', '.join(sorted(unknown))}")
    changes: dict[str, object] = {
        name: value if name == "custom_css" else value.strip() for name, value in texts.items()
    }
    try:
        changes["header_links"] = parse_links(header_links, "header links")
        changes["social_links"] = parse_links(social_links, "social links")
        changes["faq"] = parse_faq(faq)
    except BrandingError as exc:
        raise InputError(str(exc)) from None
    changes["show_faq"] = show_faq
    return update_profile(sessions, **changes)
