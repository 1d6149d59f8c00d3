"""Admin colours meet WCAG AA with the text put on them, and on the white page."""

import pytest

from shopcare.domain.branding import contrast_ratio
from shopcare.ui.admin.theme import (
    DARK_BANNERS,
    LINK,
    MUTED,
    ON_DARK_TEXT,
    ON_LIGHT_SHADE,
    ON_WHITE_TEXT,
    WARNING,
)

QUASAR_DARK_TEXT = "#1d1d1d"


@pytest.mark.parametrize(("name", "color"), sorted(ON_WHITE_TEXT.items()))
def test_white_text_on_each_colour_and_the_colour_on_white_read_at_aa(
    name: str, color: str
) -> None:
    assert contrast_ratio("#ffffff", color) >= 4.5, name


def test_warning_carries_dark_text_at_aa() -> None:
    assert contrast_ratio(QUASAR_DARK_TEXT, WARNING) >= 4.5


def test_quasars_default_primary_was_below_aa() -> None:
    """The finding this fixes: white on rgb(88, 152, 212)."""
    assert contrast_ratio("#ffffff", "#5898d4") < 4.5


QUASAR_DARK_PAGE = "#121212"


@pytest.mark.parametrize(("name", "color"), sorted(ON_DARK_TEXT.items()))
def test_each_dark_mode_colour_reads_on_the_dark_page_and_carries_dark_text(
    name: str, color: str
) -> None:
    assert contrast_ratio(color, QUASAR_DARK_PAGE) >= 7, name
    assert contrast_ratio(color, ON_WHITE_TEXT["dark"]) >= 4.5, name  # on the dark cards
    assert contrast_ratio(ON_LIGHT_SHADE, color) >= 4.5, name


def test_links_and_muted_text_read_at_aa_in_both_modes() -> None:
    assert contrast_ratio(LINK, "#ffffff") >= 4.5
    assert contrast_ratio(MUTED["light"], "#ffffff") >= 4.5
    assert contrast_ratio(MUTED["dark"], QUASAR_DARK_PAGE) >= 4.5
    assert contrast_ratio(MUTED["dark"], ON_WHITE_TEXT["dark"]) >= 4.5


def test_the_light_shades_as_text_on_the_dark_page_were_below_aa() -> None:
    """What dark mode would show without ON_DARK_TEXT: primary links at 2.5:1."""
    assert contrast_ratio(ON_WHITE_TEXT["primary"], QUASAR_DARK_PAGE) < 4.5


@pytest.mark.parametrize(("back", "text"), sorted(DARK_BANNERS.values()))
def test_the_banners_in_dark_mode_read_at_aaa(back: str, text: str) -> None:
    assert contrast_ratio(text, back) >= 7
