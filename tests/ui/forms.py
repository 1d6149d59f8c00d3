"""Filling the shopper's forms in HTTP tests: the browser's CSRF cookie and its token."""

from typing import Any

from shopcare.app import ShopCare
from shopcare.ui.public.csrf import FIELD, token_for

BROWSER_COOKIE = "a-test-browsers-csrf-cookie-0001"


def signed(shopcare: ShopCare, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` plus the token that matches the ``client`` fixture's cookie."""
    return {**data, FIELD: token_for(shopcare.settings.secret, BROWSER_COOKIE)}
