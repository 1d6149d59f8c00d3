"""The return policy page: every setting saved and shown again, nonsense refused with a
clear message. Same set-up as ``test_admin.py``: a demo shop and a signed-in owner."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from shopcare.app import build
from shopcare.config import load_settings
from shopcare.services.returns.policy import ReturnPolicySettings, get_policy_settings
from tests.ui.admin_support import only, sign_in

pytestmark = pytest.mark.usefixtures("admin_data_dir")


def stored() -> ReturnPolicySettings:
    app = build(load_settings())
    try:
        return get_policy_settings(app.sessions)
    finally:
        app.engine.dispose()


async def test_the_owner_edits_the_policy_and_sees_it_again(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/return-policy")
    await user.should_see("Return policy")
    user.find(marker="window-days").clear().type("14")
    user.find(marker="max-units-per-order").clear().type("3")
    user.find(marker="sku-windows").type("MUG-SAND = 60")
    user.find(marker="final-tags").type("gift, sale")
    user.find(marker="restocking-pct").clear().type("12.5")
    user.find(marker="shipping-fee").clear().type("495")
    user.find(marker="resolution-keep").click()
    user.find(marker="keep-below").clear().type("1500")
    user.find(marker="auto-approve").click()
    user.find(marker="auto-approve-reasons").type("too_small, too_large")
    user.find(marker="add-reason").click()
    user.find(marker="reason-code-6").type("late")
    user.find(marker="reason-label-6").type("Arrived too late")
    user.find(marker="reason-comment-6").click()
    user.find(marker="save-return-policy").click()
    assert user.notify.contains("Return policy saved")

    saved = stored()
    assert (saved.window_days, saved.max_units_per_order) == (14, 3)
    assert saved.sku_window_days == {"MUG-SAND": 60}
    assert saved.final_sale_tags == ["gift", "sale"]
    assert saved.restocking_percent == 12.5
    assert (saved.shipping_fee_minor, saved.keep_below_minor) == (495, 1500)
    assert "keep" in saved.resolutions and saved.auto_approve
    assert saved.auto_approve_reasons == ["too_small", "too_large"]
    assert saved.reasons[-1] == {
        "code": "late", "label": "Arrived too late",
        "requires_photo": False, "requires_comment": True,
    }  # fmt: skip

    await user.open("/admin/return-policy")
    assert only(user, ui.number, "window-days").value == 14
    assert only(user, ui.textarea, "sku-windows").value == "MUG-SAND = 60"
    assert only(user, ui.input, "reason-label-6").value == "Arrived too late"


async def test_the_policy_page_refuses_nonsense_with_a_reason(user: User) -> None:
    await sign_in(user)
    await user.open("/admin/return-policy")
    user.find(marker="sku-windows").type("MUG-SAND for ever")
    user.find(marker="save-return-policy").click()
    assert user.notify.contains("write each SKU window as 'SKU = days'")

    user.find(marker="sku-windows").clear()
    user.find(marker="resolution-keep").click()
    user.find(marker="save-return-policy").click()
    assert user.notify.contains('"keep the item" needs a value below which it is offered')

    user.find(marker="resolution-keep").click()
    user.find(marker="fee-free-reasons").clear().type("damaged, melted")
    user.find(marker="save-return-policy").click()
    assert user.notify.contains("fee-free reasons name unknown reasons: melted")

    user.find(marker="fee-free-reasons").clear()
    user.find(marker="reason-code-0").clear().type("Too Small!")
    user.find(marker="save-return-policy").click()
    assert user.notify.contains("lower-case letters, digits and _")
    assert stored() == ReturnPolicySettings()


async def test_the_policy_page_is_in_the_navigation(user: User) -> None:
    await sign_in(user)
    await user.open("/admin")
    link = only(user, ui.link, content="Return policy")
    assert link.props["href"] == "/admin/return-policy"
