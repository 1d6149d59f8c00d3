from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from shopcare.app import ShopCare, build
from shopcare.config import load_settings
from shopcare.services.accounts.auth import set_password
from shopcare.ui.public import mount_public
from shopcare.ui.public.csrf import COOKIE
from tests.conftest import PUBLIC_URL
from tests.ui.admin_support import OWNER, PASSWORD
from tests.ui.forms import BROWSER_COOKIE


@pytest.fixture
async def client(shopcare: ShopCare) -> AsyncIterator[httpx.AsyncClient]:
    """The public site over real HTTP semantics, in-process."""
    app = FastAPI()
    mount_public(app, shopcare)
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        http.cookies.set(COOKIE, BROWSER_COOKIE)
        yield http


@pytest.fixture
def admin_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The demo shop (today's six orders, without its months of history: the admin tests
    count and find those six) and a known owner in the test's own data dir, for
    ``admin_main.py``.

    Admin test modules request it with ``pytestmark = pytest.mark.usefixtures(...)``, which
    sets it up before the ``user`` fixture starts the app."""
    monkeypatch.setenv("SHOPCARE_DATA_DIR", str(tmp_path))
    for name in ("SHOPCARE_SMTP_URL", "SHOPCARE_PUBLIC_URL"):  # the store: ``store_url``
        monkeypatch.delenv(name, raising=False)
    app = build(load_settings(), demo=True, demo_history=False)
    set_password(app.sessions, username=OWNER, password=PASSWORD, now=app.clock())
    app.engine.dispose()
    yield tmp_path


@pytest.fixture
def new_shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A store with only the owner's account, as after the first-run account step."""
    monkeypatch.setenv("SHOPCARE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SHOPCARE_TEST_DEMO", "0")
    for name in ("SHOPCARE_SMTP_URL", "SHOPCARE_PUBLIC_URL"):  # the store: ``store_url``
        monkeypatch.delenv(name, raising=False)
    app = build(load_settings())
    set_password(app.sessions, username=OWNER, password=PASSWORD, now=app.clock())
    app.engine.dispose()
    yield tmp_path
