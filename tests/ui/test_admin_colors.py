"""Admin colours meet WCAG AA with the text put on them, and on the white page."""

import pytest

from shopcare.domain.branding import contrast_ratio
from shopcare.ui.admin.theme import ON_WHITE_TEXT, WARNING

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
