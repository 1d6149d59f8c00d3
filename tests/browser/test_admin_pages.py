"""Every admin page in Chromium under the admin's CSP: signed in, each page loads, its socket
connects and nothing is blocked (no CSP report, no console error); and no other site can
frame the admin. The app runs in its own process (``tests/e2e/admin_server.py``).

Playwright's ``wait_for_function`` compiles its predicate inside the page, which the page's
own CSP governs; ``evaluate`` goes over the debugging protocol and is not, so the waits
here poll with it.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page
from sqlmodel import Session, create_engine, select

from shopcare.db.models import AdminSession
from tests.browser.browsing import BLOCKING, axe_summary, run_axe, screenshot
from tests.e2e.admin_server import AdminServer, running_admin
from tests.store import lasting_store
from tests.ui.admin_support import OWNER, PASSWORD

ADMIN = Path(__file__).parents[2] / "shopcare" / "ui" / "admin"
PAGES = (
    "/admin",
    "/admin/orders",
    "/admin/orders/new",
    "/admin/orders/{order_id}",
    "/admin/parcels",
    "/admin/messages/log",
    "/admin/returns",
    "/admin/returns/{return_id}",
    "/admin/problems",
    "/admin/feedback",
    "/admin/store",
    "/admin/import",
    "/admin/carriers",
    "/admin/tracking",
    "/admin/messages",
    "/admin/messages/templates",
    "/admin/offers",
    "/admin/offers/new",
    "/admin/offers/{offer_id}",
    "/admin/shop",
    "/admin/email",
    "/admin/start",
    "/admin/return-policy",
    "/admin/return-policy/catalogue",
    "/admin/return-labels",
    "/admin/store-credit",
    "/admin/store-credit/{credit_id}",
    "/admin/privacy",
    "/admin/printing",
    "/admin/mailbox",
    "/admin/webhooks",
    "/admin/api-keys",
    "/admin/backups",
    "/admin/account",
    "/admin/users",
)
OPEN_PAGES = ("/admin/login", "/admin/setup")


@dataclass
class Console:
    """What the pages said: errors, warnings and CSP reports (Chromium logs those as errors)."""

    problems: list[str] = field(default_factory=list)

    def listen(self, page: Page) -> None:
        page.on("console", self._message)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: {error}"))

    def _message(self, message: ConsoleMessage) -> None:
        text = message.text
        if message.type in ("error", "warning") or "Content Security Policy" in text:
            self.problems.append(f"{message.type}: {text}")


@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[AdminServer]:
    store = lasting_store(worker_id, "admin_browser")
    with running_admin(tmp_path_factory.mktemp("admin-browser") / "data", store) as server:
        yield server


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    yield context
    context.close()


def until(page: Page, script: str) -> None:
    """Poll ``script`` until true (a guard against hanging, not a measurement)."""
    for _ in range(600):
        if page.evaluate(script):
            return
        time.sleep(0.05)
    raise AssertionError(f"{page.url}: never true: {script}")


def connected(page: Page) -> None:
    until(page, "window.did_handshake === true")


def sign_in(page: Page, admin: AdminServer) -> None:
    page.goto(f"{admin.url}/admin/login")
    page.fill("input[name=username]", OWNER)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{admin.url}/admin")


def test_the_list_of_pages_is_every_admin_page() -> None:
    declared = set()
    for module in ADMIN.rglob("*.py"):
        text = module.read_text()
        declared |= set(re.findall(r'ui\.page\("([^"]+)"\)', text))
        path = re.search(r'^PATH = "([^"]+)"$', text, re.M)  # a module that names its path once
        for tail in re.findall(r'ui\.page\(PATH(?: \+ "([^"]+)")?\)', text):
            assert path is not None, module
            declared.add(path.group(1) + tail)
    assert declared == set(PAGES) | set(OPEN_PAGES)


def test_every_admin_page_works_under_its_csp(context: BrowserContext, admin: AdminServer) -> None:
    """Each page is also kept as a 1280 px screenshot (test-artifacts/screenshots)."""
    page = context.new_page()
    console = Console()
    console.listen(page)
    page.goto(f"{admin.url}/admin/login")
    connected(page)  # the sign-in page has its socket too: no "connection lost"
    assert page.get_attribute("#popup", "aria-hidden") == "true"
    sign_in(page, admin)
    ids = {
        "order_id": admin.order_id,
        "return_id": admin.return_id,
        "offer_id": admin.offer_id,
        "credit_id": admin.credit_id,
    }
    for path in PAGES:
        response = page.goto(admin.url + path.format(**ids))
        assert response is not None and response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
        connected(page)
        assert page.get_attribute("#popup", "aria-hidden") == "true", path
        screenshot(page, "admin-1280" + path.replace("/admin", "").replace("/", "-"))
    assert console.problems == []


def test_a_choice_made_over_the_socket_works_under_the_csp(
    context: BrowserContext, admin: AdminServer
) -> None:
    page = context.new_page()
    console = Console()
    console.listen(page)
    sign_in(page, admin)
    page.goto(f"{admin.url}/admin/account")
    connected(page)
    page.get_by_label("Idle timeout").click()
    page.get_by_role("option", name="4 hours").click()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Idle browsers are now signed out after 4 hours").wait_for()
    assert console.problems == []


def test_another_site_cannot_frame_the_admin(
    context: BrowserContext, admin: AdminServer, tmp_path: Path
) -> None:
    """The framing page comes from a real server on another port: another origin on the same
    loopback address (Chromium refuses a public page framing loopback whatever the headers)."""
    (tmp_path / "frame.html").write_text(f'<iframe src="{admin.url}/admin/login"></iframe>')
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    other = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=other.serve_forever, name="framing-site", daemon=True).start()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{other.server_address[1]}/frame.html", wait_until="load")
        (child,) = page.main_frame.child_frames  # "load" waited for the frame too
        assert not child.url.startswith(admin.url)
        assert "Sign in to ShopCare" not in child.content()
    finally:
        other.shutdown()
        other.server_close()


def test_signing_out_everywhere_sends_an_open_page_to_the_sign_in_page(
    context: BrowserContext, admin: AdminServer
) -> None:
    orders = context.new_page()
    sign_in(orders, admin)
    orders.goto(f"{admin.url}/admin/orders")
    connected(orders)
    account = context.new_page()
    account.goto(f"{admin.url}/admin/account")
    account.get_by_role("button", name="Sign out everywhere").click()
    account.wait_for_url(f"{admin.url}/admin/login")
    orders.wait_for_url(f"{admin.url}/admin/login")  # told over its socket before it closed
    store = create_engine(admin.database_url)  # the server's store, SQLite or PostgreSQL
    with Session(store) as session:
        assert session.exec(select(AdminSession)).all() == []
    store.dispose()


AXE_PAGES = (
    "/admin",
    "/admin/orders",
    "/admin/orders/{order_id}",
    "/admin/returns",
    "/admin/start",
    "/admin/email",
    "/admin/shop",
    "/admin/carriers",
    "/admin/messages",
)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_admin_pages_have_no_serious_accessibility_violations_light_or_dark(
    browser: Browser, admin: AdminServer, dark: bool
) -> None:
    """axe on the pages the owner lives in, at 1280 px, in both modes (the choice is kept
    with the session, so one click on the switch turns every page dark); a screenshot of
    each is kept under test-artifacts/screenshots."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    sign_in(page, admin)
    connected(page)
    if dark:
        page.click("[aria-label='Dark mode']")
        until(page, "document.body.classList.contains('body--dark')")
    ids = {
        "order_id": admin.order_id,
        "return_id": admin.return_id,
        "offer_id": admin.offer_id,
        "credit_id": admin.credit_id,
    }
    found: dict[str, list[str]] = {}
    for path in AXE_PAGES:
        page.goto(admin.url + path.format(**ids))
        connected(page)
        assert page.evaluate("document.body.classList.contains('body--dark')") == dark, path
        name = (
            "admin"
            + path.replace("/admin", "").replace("/", "-").replace("{", "").replace("}", "")
            + ("-dark" if dark else "")
        )
        screenshot(page, name)
        blocking = [v for v in run_axe(page, name) if v["impact"] in BLOCKING]
        if blocking:
            found[path] = axe_summary(blocking)
    context.close()
    assert found == {}
