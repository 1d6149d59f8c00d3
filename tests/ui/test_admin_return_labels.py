"""The prepaid label settings: saved and shown again, the API key never shown back (an empty
field keeps it), nonsense refused with a reason. Same set-up as ``test_admin.py``."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.services.returns.labels.settings import LabelSettings, get_label_settings
from tests.ui.admin_support import only, sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")
KEY = "EZAKlivekey123456"


def stored() -> tuple[LabelSettings, str]:
    app = build(load_settings())
    try:
        settings = get_label_settings(app.sessions)
        with app.sessions() as session:
            from shopcare.services.returns.labels.settings import api_key, load_label_settings

            return settings, api_key(session, load_label_settings(session))
    finally:
        app.engine.dispose()


async def test_the_owner_sets_up_labels_and_the_key_is_never_shown_back(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/return-labels")
    user.find(marker="labels-provider").click()
    user.find("EasyPost").click()
    user.find(marker="labels-key").type(KEY)
    user.find(marker="labels-when").click()
    user.find("When the shop pays the return postage (policy and its reasons)").click()
    for name, value in (("street1", "417 Montgomery Street"), ("city", "San Francisco"),
                        ("zip", "94104"), ("country", "us")):  # fmt: skip
        user.find(marker=f"labels-{name}").type(value)
    user.find(marker="save-return-labels").click()
    assert user.notify.contains("Saved.")
    saved, key = stored()
    assert (saved.provider, saved.labels_for, saved.country) == ("easypost", "shop_pays", "US")
    assert key == KEY and saved.api_key.startswith("enc:v1:")

    await user.open("/admin/return-labels")
    assert only(user, ui.input, "labels-key").value == ""
    assert only(user, ui.input, "labels-street1").value == "417 Montgomery Street"
    user.find(marker="labels-city").clear().type("Oakland")
    user.find(marker="save-return-labels").click()  # an empty key field keeps the key
    assert stored()[1] == KEY


async def test_buying_labels_without_a_return_address_is_refused(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/return-labels")
    user.find(marker="labels-provider").click()
    user.find("Shippo").click()
    user.find(marker="labels-when").click()
    user.find("When the shop pays the return postage (policy and its reasons)").click()
    user.find(marker="save-return-labels").click()
    assert user.notify.contains("enter the return address")
