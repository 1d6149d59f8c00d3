"""The shop's own profile (name, addresses, time zone) and its look on the shopper pages
(colours, fonts, links, FAQ, custom CSS), kept as one settings group in the store."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from shopcare.db.engine import SessionFactory
from shopcare.domain.branding import (
    DEFAULT_FONT_STACK,
    MAX_FOOTER,
    BrandingError,
    Link,
    Question,
    check_color,
    check_contrast,
    check_faq,
    check_font_stack,
    check_links,
    check_url,
)
from shopcare.domain.languages import SHIPPED, offer_problem
from shopcare.services.errors import InputError
from shopcare.services.shop.settings_rows import load_group, update_group
from shopcare.services.shopper_site.custom_css import check_css


@dataclass(frozen=True)
class ShopProfile:
    name: str = "My Shop"
    sender_email: str = "shop@example.com"
    support_email: str = "support@example.com"
    timezone: str = "UTC"
    currency: str = "EUR"
    """The shop's usual currency: the default of orders added by hand (each order keeps its
    own)."""
    default_language: str = "en"
    """The fallback: the shopper pages' and messages' language when neither the link, the
    order nor the browser names one the shop offers. Always one of ``languages``."""
    languages: tuple[str, ...] = SHIPPED
    """The languages the shop offers shoppers (some of ``domain.languages.SHIPPED``, at least
    one): the only ones their pages, switcher and messages use."""
    return_address: str = "My Shop\nReturns\n1 Example Street\n10115 Berlin\nGermany"
    postal_address: str = ""
    """The shop's postal address, in every email's footer (commercial email must carry one);
    empty: the return address stands in."""
    simulated_speed: float = 1.0
    """Clock speed of the simulated carrier: 1440 in the demo (a day per minute)."""
    brand_color: str = "#2563eb"
    logo_url: str = ""
    """An absolute https:// address of the logo, as mail clients fetch it."""
    shop_url: str = ""
    review_url: str = ""
    """Where shoppers write a public review (Google, Trustpilot, the shop's own page): in
    review emails, and on the feedback thank-you page of promoters (9-10)."""
    feedback_discount_code: str = ""
    """A code the feedback thank-you page gives everyone who answered; empty: none."""
    favicon_url: str = ""
    """An https:// address of the site's icon; empty asks the browser for none."""
    button_text_color: str = "#ffffff"
    """Text on buttons, which have the brand colour as background."""
    text_color: str = "#1f2937"
    background_color: str = "#ffffff"
    font_stack: str = DEFAULT_FONT_STACK
    header_links: tuple[Link, ...] = ()
    social_links: tuple[Link, ...] = ()
    footer_text: str = ""
    custom_css: str = ""
    faq: tuple[Question, ...] = ()
    """The owner's own questions; empty shows the default ones, in the shopper's language."""
    show_faq: bool = True

    def __post_init__(self) -> None:
        # Stored as JSON lists; tuples keep the profile hashable (pages cache its style).
        for name in ("header_links", "social_links", "faq"):
            value = getattr(self, name)
            object.__setattr__(self, name, tuple((str(a), str(b)) for a, b in value))
        object.__setattr__(self, "languages", tuple(str(code) for code in self.languages))

    @property
    def footer_address(self) -> str:
        """One line for email footers: the postal address, else the return address."""
        lines = (self.postal_address or self.return_address).splitlines()
        return " · ".join(line.strip() for line in lines if line.strip())

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


_KEY = PROFILE_KEY = "shop_profile"
MAX_CODE = 64


def load_profile(session: Session) -> ShopProfile:
    return load_group(session, _KEY, ShopProfile)


def get_profile(sessions: SessionFactory) -> ShopProfile:
    with sessions() as session:
        return load_profile(session)


_LOOK = frozenset(f.name for f in fields(ShopProfile)) - {
    "name", "sender_email", "support_email", "timezone", "return_address", "postal_address",
    "simulated_speed",
    "logo_url", "shop_url", "review_url", "feedback_discount_code",
}  # fmt: skip
"""The fields of the site's look: checked when one of them changes, so a look stored before
a rule existed does not block saving the shop's name."""


def update_profile(sessions: SessionFactory, **changes: Any) -> ShopProfile:
    look = bool(_LOOK & changes.keys())

    def check(profile: ShopProfile) -> None:
        _check(profile)
        if look:
            try:
                check_look(profile)
            except BrandingError as exc:
                raise InputError(str(exc)) from None

    return update_group(sessions, _KEY, ShopProfile, changes, check=check)


def check_look(profile: ShopProfile) -> None:
    """Raises BrandingError with the first thing the owner must change."""
    for name, what in (
        ("brand_color", "brand colour"),
        ("button_text_color", "button text colour"),
        ("text_color", "text colour"),
        ("background_color", "background colour"),
    ):
        check_color(getattr(profile, name), what)
    check_contrast(
        profile.button_text_color, profile.brand_color, "Button text on the brand colour"
    )
    check_contrast(profile.text_color, profile.background_color, "Text on the background")
    check_font_stack(profile.font_stack)
    if profile.favicon_url:
        check_url(profile.favicon_url, "icon address")
    check_links(profile.header_links, "header links")
    check_links(profile.social_links, "social links")
    check_faq(profile.faq)
    if len(profile.footer_text) > MAX_FOOTER:
        raise BrandingError(f"The footer text may be at most {MAX_FOOTER} characters.")
    check_css(profile.custom_css)


def _check(profile: ShopProfile) -> None:
    try:
        ZoneInfo(profile.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone {profile.timezone!r}") from None
    if not profile.name.strip():
        raise InputError("the shop needs a name")
    if not (len(profile.currency) == 3 and profile.currency.isalpha()):
        raise InputError(f"the currency must be a code such as EUR, got {profile.currency!r}")
    if profile.default_language not in SHIPPED:
        raise InputError(f"ShopCare has no shopper pages in {profile.default_language!r}")
    problem = offer_problem(profile.languages, profile.default_language)
    if problem:
        raise InputError(problem)
    if len(profile.feedback_discount_code) > MAX_CODE:
        raise InputError(f"the thank-you code may be at most {MAX_CODE} characters")
    if profile.simulated_speed <= 0:
        raise InputError("simulated carrier speed must be positive")
