import json

import pytest
from sqlmodel import select

from shopcare.app import ShopCare
from shopcare.db.models import CarrierAccount, ProviderState
from shopcare.services.errors import InputError
from shopcare.services.secrets_at_rest.box import box_of
from shopcare.services.tracking.carrier_accounts import (
    MASK,
    list_accounts,
    save_account,
)
from shopcare.services.tracking.carrier_accounts import (
    test_connection as check_connection,
)
from tests.adapters.carrier_server import CarrierServer, Reply
from tests.conftest import FakeClock, free_port


def test_every_adapter_is_offered_with_its_fields(shopcare: ShopCare) -> None:
    names = [a.name for a in list_accounts(shopcare.sessions)]
    assert names == [
        "17track",
        "aftership",
        "ship24",
        "ups",
        "usps",
        "fedex",
        "dhl",
        "easypost",
        "shippo",
        "karrio",
    ]
    assert all(a.fields and not a.enabled for a in list_accounts(shopcare.sessions))


def test_secrets_are_masked_and_kept_when_the_form_sends_the_mask(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    with pytest.raises(InputError, match="DHL needs: API key"):
        save_account(shopcare.sessions, "dhl", enabled=True, values={}, now=clock())
    save_account(shopcare.sessions, "dhl", enabled=True, values={"api_key": "s3cret"}, now=clock())
    (dhl,) = [a for a in list_accounts(shopcare.sessions) if a.name == "dhl"]
    assert dhl.enabled and dhl.values["api_key"] == MASK
    save_account(shopcare.sessions, "dhl", enabled=True, values={"api_key": MASK}, now=clock())
    with shopcare.sessions() as session:
        stored = session.get(CarrierAccount, "dhl")
        assert stored is not None
        sealed = json.loads(stored.credentials)["api_key"]
        assert sealed != "s3cret" and box_of(session).open(sealed) == "s3cret"


def test_saving_an_account_resumes_a_paused_provider_and_builds_its_adapter(
    shopcare: ShopCare, clock: FakeClock
) -> None:
    with shopcare.sessions() as session:
        session.add(ProviderState(name="dhl", paused_reason="dhl: refused (401)"))
        session.commit()
    save_account(shopcare.sessions, "dhl", enabled=True, values={"api_key": "new"}, now=clock())
    shopcare.reload_carriers()
    assert shopcare.carrier_names == ["dhl", "simulated"]
    with shopcare.sessions() as session:
        state = session.exec(select(ProviderState)).one()
        assert state.paused_reason == ""


async def test_test_connection_says_exactly_what_failed(
    shopcare: ShopCare, clock: FakeClock, carrier_server: CarrierServer
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    save_account(
        shopcare.sessions,
        "dhl",
        enabled=True,
        values={"api_key": "k"},
        base_url=closed,
        now=clock(),
    )
    assert "cannot connect" in await check_connection(
        shopcare.sessions, "dhl", client=shopcare.http, clock=clock
    )
    carrier_server.route("GET", "/track/shipments", Reply(401, '{"detail":"Invalid API key"}'))
    save_account(
        shopcare.sessions,
        "dhl",
        enabled=True,
        values={"api_key": "k"},
        base_url=carrier_server.url,
        now=clock(),
    )
    text = await check_connection(shopcare.sessions, "dhl", client=shopcare.http, clock=clock)
    assert text.startswith("failed:") and "401" in text
    await shopcare.stop()
