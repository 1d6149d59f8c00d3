"""The public site on a real socket, opened in a real browser (Debian's chromium through
Playwright). One server and one browser per test session keep the whole folder fast; each test
gets its own browser context (cookies, viewport, JavaScript on or off).

Playwright's sync API is used from plain test functions: pytest-asyncio runs no event loop
in the main thread for them, and the server's loop lives in its own thread.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

from shopcare.app import ShopCare, build
from shopcare.config import load_settings, with_public_url
from shopcare.ui.public import mount_public
from tests.browser.shop_data import OFFER_LINK, START, ShopData, ShopperOrder, seed_shop
from tests.conftest import FakeClock, free_port, store_env
from tests.store import lasting_store

CHROMIUM = "/usr/bin/chromium"


@dataclass
class Site:
    url: str
    app: ShopCare
    data: ShopData

    def order(self, key: str) -> ShopperOrder:
        return self.data.orders[key]

    def tracking_url(self, key: str, query: str = "") -> str:
        return f"{self.url}/t/{self.order(key).token}{query}"


@dataclass
class Outside:
    """Requests the pages made to anything but our server: answered for the offer's shop
    page, refused and remembered otherwise (the pages promise no third-party requests)."""

    site_url: str
    refused: list[str] = field(default_factory=list)

    def handle(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(self.site_url) or url.startswith("data:"):
            route.continue_()
        elif url.startswith(OFFER_LINK):
            route.fulfill(status=200, content_type="text/html", body="<h1>Autumn sale</h1>")
        else:
            self.refused.append(url)
            route.abort()


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[Site]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    data_dir = tmp_path_factory.mktemp("browser-site") / "data"
    store = store_env(lasting_store(worker_id, "browser_site"))
    settings = with_public_url(load_settings(store, data_dir=str(data_dir)), url)
    clock = FakeClock(START)
    app = build(settings, clock=clock, simulated=True)
    clock.advance(hours=36)  # the parcels' scans lie between START and now
    data = seed_shop(app)
    web = FastAPI()
    mount_public(web, app)
    server = uvicorn.Server(
        uvicorn.Config(
            web, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="none"
        )
    )
    thread = threading.Thread(target=server.run, name="browser-test-site", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test site did not start")
        time.sleep(0.01)
    yield Site(url=url, app=app, data=data)
    server.should_exit = True
    thread.join(timeout=10)
    app.engine.dispose()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test-deps (Debian package chromium)")
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield chromium
        chromium.close()


PageMaker = Callable[..., Page]


@pytest.fixture
def outside(site: Site) -> Outside:
    return Outside(site.url)


@pytest.fixture
def new_page(browser: Browser, outside: Outside) -> Iterator[PageMaker]:
    """``new_page(width=360, javascript=True, bypass_csp=False)``: a page in a fresh context
    (no cookies), closed after the test."""
    contexts: list[BrowserContext] = []

    def make(
        *,
        width: int = 360,
        height: int = 800,
        javascript: bool = True,
        bypass_csp: bool = False,
        locale: str = "en-GB",
    ) -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
            bypass_csp=bypass_csp,
            locale=locale,
            service_workers="block",
        )
        context.set_default_timeout(20_000)  # a loaded CI machine, not a slow page
        context.route("**/*", outside.handle)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
