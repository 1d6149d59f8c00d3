"""axe-core on every shopper page: no serious or critical violation anywhere.

axe is injected into the page (the pages themselves allow no scripts, so these contexts
bypass the CSP). Full results go to ``test-artifacts/axe/{page}.json``; a failure names each
rule, its impact and the first offending elements' selectors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shopcare.services.shopper_site.account import sign_account_token
from tests.browser.browsing import BLOCKING, axe_summary, run_axe, write_json
from tests.browser.conftest import PageMaker, Site
from tests.browser.shop_data import WHATSAPP_AGREED

PAGES: dict[str, Callable[[Site], str]] = {
    "tracking-en": lambda s: s.tracking_url("two_parcels", "?lang=en"),
    "tracking-de": lambda s: s.tracking_url("german"),
    "tracking-ar": lambda s: s.tracking_url("two_parcels", "?lang=ar"),
    "tracking-delivered": lambda s: s.tracking_url("delivered"),
    "lookup": lambda s: f"{s.url}/track",
    "returns-lookup": lambda s: f"{s.url}/returns",
    "return-form": lambda s: f"{s.url}/t/{s.order('delivered').token}/return",
    "return-status": lambda s: f"{s.url}/r/{s.data.return_token}",
    "thanks": lambda s: f"{s.url}/thanks/{s.order('two_parcels').token}",
    "account": lambda s: f"{s.url}/account",
    "account-orders": lambda s: f"{s.url}/account/{account_token(s, WHATSAPP_AGREED)}",
}


def account_token(site: Site, key: str) -> str:
    """A fresh sign-in link's token for the shopper of the order ``key``."""
    app = site.app
    customer = site.data.customer_ids[key]
    return sign_account_token(customer, issued_at=app.clock(), secret=app.settings.secret)


_summary: dict[str, list[str]] = {}


@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_has_no_serious_accessibility_violations(
    new_page: PageMaker, site: Site, name: str
) -> None:
    page = new_page(width=1280, bypass_csp=True)
    response = page.goto(PAGES[name](site))
    assert response is not None and response.status == 200, (name, response and response.status)

    violations = run_axe(page, name)

    _summary[name] = axe_summary(violations)
    write_json("axe/summary.json", _summary)
    print(f"axe {name}: " + ("; ".join(_summary[name]) or "no violations"))
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, "\n".join(axe_summary(blocking))


def test_the_axe_run_catches_a_broken_page(new_page: PageMaker) -> None:
    """The harness itself: a page with an unlabelled input and an image without text must
    fail, or the checks above would pass on anything."""
    page = new_page(bypass_csp=True)
    page.set_content(
        '<html><body><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<input type="text" name="q"></body></html>'
    )

    violations = run_axe(page, "self-check-broken-page")

    blocking = {v["id"] for v in violations if v["impact"] in BLOCKING}
    assert {"image-alt", "label", "html-has-lang"} <= blocking, axe_summary(violations)
