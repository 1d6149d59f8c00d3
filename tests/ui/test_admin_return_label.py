"""The owner sees why a return's label was not bought and buys it with "try again"; the
label's cost then shows on the return and in the month's total above the queue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from nicegui.testing import User
from sqlmodel import select

from shopcare.db.engine import transaction
from shopcare.db.models import ReturnLabel, ShopOrder
from shopcare.domain.return_labels import LabelState
from shopcare.services.returns.labels.settings import save_label_settings
from shopcare.services.returns.workflow import approve_return
from tests.adapters.carrier_server import CarrierServer
from tests.services.labels.label_servers import TRACKING, FakeEasyPost
from tests.services.return_builders import open_return_rows
from tests.ui.admin_support import sign_in
from tests.ui.test_admin_returns import store

pytestmark = pytest.mark.usefixtures("admin_data_dir")


def failed_label(url: str) -> int:
    now = datetime.now(UTC)
    with store() as app:
        save_label_settings(
            app.sessions, api_key="EZTKkey", provider="easypost", base_url=url,
            labels_for="reasons", reasons=["damaged"], street1="417 Montgomery Street",
            city="San Francisco", zip="94104", country="US",
        )  # fmt: skip
        with transaction(app.sessions) as session:
            order = session.exec(select(ShopOrder).where(ShopOrder.order_number == "1001")).one()
            order.ship_address1, order.ship_city, order.ship_country = "1 Main St", "Berlin", "DE"
            session.add(order)
        return_id = open_return_rows(
            app.sessions, "1001", now=now, quantities={"MUG-SAND": 1}, reason="damaged"
        )
        approve_return(app.sessions, return_id, now=now)
        with transaction(app.sessions) as session:
            label = session.exec(select(ReturnLabel)).one()
            label.state, label.error_kind = LabelState.FAILED, "funds"
            label.error = "the label account has no funds or no payment method (EasyPost (402))"
            session.add(label)
        return return_id


async def test_the_owner_tries_again_and_sees_the_labels_cost(
    user: User, carrier_server: CarrierServer
) -> None:
    easypost = FakeEasyPost(carrier_server).install()
    return_id = failed_label(easypost.url)
    await sign_in(user)
    await user.open("/admin/returns")
    await user.should_see("Label of R-TEST-0001 not bought")
    await user.open(f"/admin/returns/{return_id}")
    await user.should_see("Why: the label account has no funds")
    await user.should_see("The shopper got the approval with the plain slip.")
    user.find(marker="label-retry").click()
    await user.should_see("Label bought.")
    with store() as app, app.sessions() as session:
        label = session.exec(select(ReturnLabel)).one()
    assert (label.state, label.tracking_number) == (LabelState.BOUGHT, TRACKING)
    await user.open(f"/admin/returns/{return_id}")
    await user.should_see("Cost: 7.58 USD")
    await user.open("/admin/returns")
    await user.should_see("Prepaid return labels this month: 1 for 7.58 USD")
